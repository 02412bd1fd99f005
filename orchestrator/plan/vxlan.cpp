#include "orchestrator/plan/vxlan.h"

#include "orchestrator/lab/naming.h"

namespace hublab {

namespace {

// The VM's NIC, as the topology planned it: where its default route leaves.
int nic_of(const FabricPlanner& fabric, const std::string& netns) {
  for (const RouteSpec& route : fabric.plan.routes)
    if (route.netns == netns && route.source == RouteSource::kVmDefault) return route.ifindex;
  return 0;
}

}  // namespace

void plan_vxlan(FabricPlanner& fabric, const Vxlan& vxlan) {
  const Lab& lab = fabric.lab;
  const Vm* vms[2] = {lab.find_vm(vxlan.ends[0].vm), lab.find_vm(vxlan.ends[1].vm)};
  InterfaceRef devices[2];
  for (int e = 0; e < 2; ++e)
    devices[e] =
        fabric.new_interface(fabric.netns_of(vms[e]->name), naming::vxlan_device(vxlan.vni));
  for (int e = 0; e < 2; ++e) {
    const Vm& vm = *vms[e];
    const Ipv4 remote = lab.vm_address(*vms[1 - e]);
    fabric.plan.vxlans.push_back(
        {.device = devices[e], .vni = vxlan.vni, .local = lab.vm_address(vm), .remote = remote});
    fabric.plan.addresses.push_back(
        {devices[e], vxlan.ends[e].address, vxlan.ends[e].prefix_length});
    fabric.neighbor(devices[e], vxlan.ends[1 - e].address, devices[1 - e]);
    const std::string& netns = devices[e].netns;
    fabric.plan.routes.push_back(
        {.netns = netns,
         .table = kMainTable,
         .destination = Prefix{remote, 32},
         .via = lab.find_vnet(vm.vnet)->find_subnet(vm.subnet)->prefix.gateway(),
         .ifindex = nic_of(fabric, netns),
         .source = RouteSource::kFabric});
  }
}

}  // namespace hublab
