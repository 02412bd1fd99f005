#include "orchestrator/plan/fabric.h"

#include "orchestrator/lab/naming.h"
#include "orchestrator/plan/expressroute.h"
#include "orchestrator/plan/fabric_planner.h"
#include "orchestrator/plan/forwarded_traffic.h"
#include "orchestrator/plan/hidden_hops.h"
#include "orchestrator/plan/route_server.h"
#include "orchestrator/plan/route_tables.h"
#include "orchestrator/plan/static_gateway_routes.h"
#include "orchestrator/plan/system_routes.h"
#include "orchestrator/plan/tunnels.h"
#include "orchestrator/plan/vxlan.h"

namespace hublab {

namespace {

// The topology: a namespace per node, subnet bridges, VM NICs, peering
// links, the internet namespace and the gateways' LAN sides. Every feature
// plans on what it makes (FabricPlanner).
class Topology {
 public:
  explicit Topology(FabricPlanner& fabric) : fabric_(fabric), lab_(fabric.lab) {}

  // A VNet's router; or a site's, which is also its VPN device and routes
  // by its main table alone: on premises, no Azure rule applies.
  void add_vnet_router(const Vnet& vnet) {
    fabric_.add_namespace(vnet.name, vnet.on_premises ? NodeRole::kSite : NodeRole::kVnetRouter);
    std::string netns = fabric_.netns_of(vnet.name);
    for (size_t i = 0; i < vnet.subnets.size(); ++i) {
      const Subnet& subnet = vnet.subnets[i];
      InterfaceRef bridge = fabric_.new_interface(netns, naming::subnet_bridge(i));
      fabric_.plan.bridges.push_back({bridge, subnet.name});
      fabric_.plan.addresses.push_back({bridge, subnet.prefix.gateway(), subnet.prefix.length});
      if (!vnet.on_premises)
        fabric_.plan.rules.push_back({.netns = netns,
                                      .iif = bridge.name,
                                      .table = subnet_table(i),
                                      .priority = subnet_rule_priority(i)});
      fabric_.bridges[{vnet.name, subnet.name}] = bridge;
    }
    if (!vnet.on_premises)
      fabric_.plan.rules.push_back(
          {.netns = netns, .iif = "lo", .table = kRouterOwnTable, .priority = kRouterOwnTable});
  }

  void add_vm(const Vm& vm) {
    fabric_.add_namespace(vm.name, NodeRole::kVm);
    std::string netns = fabric_.netns_of(vm.name);
    // Azure's NIC setting: an appliance forwards only with it; any other VM
    // drops what is not for it, whatever the host's default.
    fabric_.plan.sysctls.push_back({netns, "net/ipv4/ip_forward", vm.ip_forwarding ? "1" : "0"});
    const Subnet& subnet = *lab_.find_vnet(vm.vnet)->find_subnet(vm.subnet);
    const InterfaceRef nic = fabric_.attach_to_subnet(
        netns, naming::vm_nic(), naming::vm_port(vm.name), vm.vnet, subnet, lab_.vm_address(vm));
    // VMs of one subnet reach each other directly.
    auto& neighbors_here = nics_[{vm.vnet, vm.subnet}];
    for (const auto& [other, address] : neighbors_here)
      fabric_.neighbors(nic, lab_.vm_address(vm), other, address);
    neighbors_here.emplace_back(nic, lab_.vm_address(vm));
    fabric_.plan.routes.push_back({.netns = netns,
                                   .table = kMainTable,
                                   .destination = Prefix{},
                                   .via = subnet.prefix.gateway(),
                                   .ifindex = nic.ifindex,
                                   .source = RouteSource::kVmDefault});
  }

  void add_peering(size_t index) {
    const Peering& peering = lab_.peerings[index];
    InterfaceRef ends[2];
    for (int s = 0; s < 2; ++s)
      ends[s] = fabric_.new_interface(fabric_.netns_of(peering.sides[s].vnet),
                                      naming::peering_port(peering.sides[1 - s].vnet));
    fabric_.add_point_to_point(ends[0], peering_link_address(index, 0), ends[1],
                               peering_link_address(index, 1), index);
    for (int s = 0; s < 2; ++s) {
      fabric_.peers[peering.sides[s].vnet].push_back(
          {.vnet = peering.sides[1 - s].vnet,
           .port = ends[s].name,
           .ifindex = ends[s].ifindex,
           .next_hop = peering_link_address(index, 1 - s),
           .access_allowed = peering.sides[s].allow_virtual_network_access,
           .forwarded_allowed = peering.sides[1 - s].allow_forwarded_traffic,
           .peering = index});
    }
  }

  void add_internet() { fabric_.add_namespace(naming::internet_node(), NodeRole::kInternet); }

  // A gateway instance: its LAN side in the GatewaySubnet holds the BGP peer
  // IP; each of its connections has an end of its own (add_connection_end).
  void add_gateway(const Gateway& gateway) {
    if (gateway.on_premises) return add_site_device(gateway);
    fabric_.add_namespace(gateway.name, NodeRole::kGateway);
    std::string netns = fabric_.netns_of(gateway.name);
    const Subnet& subnet = *lab_.find_vnet(gateway.vnet)->find_subnet(kGatewaySubnet);
    const InterfaceRef lan =
        fabric_.attach_to_subnet(netns, naming::gateway_lan(), naming::gateway_port(gateway.name),
                                 gateway.vnet, subnet, lab_.bgp_peer_ip(gateway));
    // Its own VNet, and the spokes that use it as their remote gateway,
    // through the VNet router.
    for (const Vnet* vnet : lab_.vnets_served_by(gateway))
      for (const Prefix& space : vnet->address_space)
        fabric_.plan.routes.push_back({.netns = netns,
                                       .table = kMainTable,
                                       .destination = space,
                                       .via = subnet.prefix.gateway(),
                                       .ifindex = lan.ifindex,
                                       .source = vnet->name == gateway.vnet
                                                     ? RouteSource::kVirtualNetwork
                                                     : RouteSource::kVnetPeering});
    // What it has no route for drops without an error, as in Azure.
    fabric_.drop_the_rest(netns, kMainTable, RouteSource::kNone);
  }

  // A site's VPN device is its router: it needs only its BGP peer IP, when
  // that is not one of its subnets' router addresses (an APIPA one, say).
  void add_site_device(const Gateway& device) {
    const Vnet& site = *lab_.find_vnet(device.vnet);
    const Ipv4 peer_ip = lab_.bgp_peer_ip(device);
    for (const Subnet& subnet : site.subnets)
      if (subnet.prefix.gateway() == peer_ip) return;
    fabric_.plan.addresses.push_back(
        {InterfaceRef{fabric_.netns_of(site.name), "lo", 1}, peer_ip, 32});
  }

 private:
  FabricPlanner& fabric_;
  const Lab& lab_;
  // Each subnet's VM NICs so far, with their addresses.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<InterfaceRef, Ipv4>>> nics_;
};

}  // namespace

FabricPlan plan_fabric(const Lab& lab) {
  FabricPlanner fabric(lab);
  Topology topology(fabric);
  for (const Vnet& vnet : lab.vnets) {
    topology.add_vnet_router(vnet);
    plan_hidden_hops(fabric, vnet);
  }
  for (const Vm& vm : lab.vms) topology.add_vm(vm);
  for (size_t i = 0; i < lab.peerings.size(); ++i) topology.add_peering(i);
  for (const Vnet& vnet : lab.vnets) plan_appliance_links(fabric, vnet);
  if (!lab.gateways.empty()) topology.add_internet();
  for (const Gateway& gateway : lab.gateways) topology.add_gateway(gateway);
  for (const RouteServer& server : lab.route_servers) plan_route_server_nodes(fabric, server);
  for (const Vxlan& vxlan : lab.vxlans) plan_vxlan(fabric, vxlan);
  for (const Circuit& circuit : lab.circuits) plan_edge_routers(fabric, circuit);
  for (size_t i = 0; i < lab.circuit_connections.size(); ++i) plan_circuit_connection(fabric, i);
  for (size_t i = 0; i < lab.connections.size(); ++i)
    for (int side = 0; side < 2; ++side) plan_connection_end(fabric, i, side);
  for (const Vnet& vnet : lab.vnets) plan_subnet_routes(fabric, vnet);
  for (const Vnet& vnet : lab.vnets) plan_forwarded_traffic_guard(fabric, vnet);
  for (const Gateway& gateway : lab.gateways) plan_static_gateway_routes(fabric, gateway);
  return std::move(fabric.plan);
}

}  // namespace hublab
