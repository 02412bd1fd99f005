#include "orchestrator/observe/nsg.h"

#include <optional>
#include <random>
#include <stdexcept>

#include "drivers/netfilter/packet_trace.h"
#include "drivers/netfilter/port_filter.h"
#include "drivers/netlink/network_namespace.h"
#include "drivers/probe/crafted_packet.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/lab/nsg.h"
#include "orchestrator/plan/plan_record.h"

namespace hublab {

namespace {

// Long enough for a neighbour to be resolved before the packet goes.
constexpr std::chrono::milliseconds kTraceTimeout{1500};

uint16_t fresh_ip_id() {
  std::random_device random;
  return static_cast<uint16_t>(1 + random() % 0xfffe);
}

// Which NSG a list of the VM's port stands for: the port's lists are the
// NIC's and the subnet's in Azure's order (plan/nsg), so where both are
// set the position says which.
std::string association_of(const Vm& vm, const Subnet& subnet, bool inbound, size_t position,
                           size_t lists) {
  const std::string of_subnet = "subnet " + vm.vnet + "/" + subnet.name;
  const std::string of_nic = "NIC of " + vm.name;
  if (lists < 2) return vm.nsg.empty() ? of_subnet : of_nic;
  const bool first_is_subnet = inbound;
  return (position == 0) == first_is_subnet ? of_subnet : of_nic;
}

}  // namespace

LiveNsgVerdict verify_live(const LabState& state, const Lab& lab, const Vm& vm,
                           const NicQuestion& question) {
  const Subnet& subnet = *lab.find_vnet(vm.vnet)->find_subnet(vm.subnet);
  const std::string router = naming::namespace_name(lab.name, vm.vnet);
  const std::string port = naming::vm_port(vm.name);
  // What the bridge sends out of the VM's port is what the VM receives.
  const bool outgoing = question.inbound;

  const LabPlan plan = read_plan_record(state.plan_record(), kNsgFiltersPart);
  const NsgFilterSpec* spec = nullptr;
  const PortFilter* filter = nullptr;
  for (const NsgFilterSpec& s : plan.nsg_filters)
    if (s.netns == router)
      for (const PortFilter& p : s.ports)
        if (p.interface == port && p.outgoing == outgoing) spec = &s, filter = &p;

  probe::CraftedPacket packet{.protocol = question.protocol, .ip_id = fresh_ip_id()};
  if (question.inbound) {
    packet.source = question.remote, packet.destination = question.local;
    packet.source_port = static_cast<uint16_t>(question.remote_port);
    packet.destination_port = static_cast<uint16_t>(question.local_port);
  } else {
    packet.source = question.local, packet.destination = question.remote;
    packet.source_port = static_cast<uint16_t>(question.local_port);
    packet.destination_port = static_cast<uint16_t>(question.remote_port);
  }

  // The trace in the VNet router, where the filters are; the packet from
  // the router (towards the VM) or from the VM.
  NetworkNamespace router_netns = NetworkNamespace::open(router);
  std::optional<NetworkNamespace> vm_netns;
  if (!question.inbound)
    vm_netns.emplace(NetworkNamespace::open(naming::namespace_name(lab.name, vm.name)));
  ThreadInNamespace in_router(router_netns.fd());
  PacketTrace trace({.port = port,
                     .outgoing = outgoing,
                     .source = packet.source,
                     .destination = packet.destination,
                     .ip_id = packet.ip_id,
                     .drop_after = kPortFiltersPriority});
  {
    ThreadInNamespace in_sender(vm_netns ? vm_netns->fd() : router_netns.fd());
    probe::send_crafted_packet(packet);
  }
  const PortFilterPassage passage = read_port_filter_trace(trace.follow(kTraceTimeout));
  if (!passage.reached)
    throw std::runtime_error("the packet did not come to " + vm.name + "'s port " + port + " in " +
                             router + " (is the lab whole? hublab status " + lab.name + ")");

  LiveNsgVerdict verdict{.established = passage.established};
  size_t position = 0;  // in the port's lists, which the decisions follow
  for (const PortFilterPassage::Decision& d : passage.decisions) {
    if (!spec || d.list >= spec->lists.size() || d.rule >= spec->lists[d.list].rules.size())
      throw std::runtime_error(router + ": a port filter the plan does not know (list " +
                               std::to_string(d.list) + ", rule " + std::to_string(d.rule) + ")");
    const PlannedNsgList& list = spec->lists[d.list];
    const std::string& name = list.rules[d.rule].name;
    const SecurityRule* rule = nullptr;
    for (const SecurityRule& r : lab.find_nsg(list.nsg)->rules)
      if (r.name == name && direction_name(r.direction) == list.direction) rule = &r;
    if (!rule)
      throw std::runtime_error(router + ": the lab's " + list.nsg + " has no " + list.direction +
                               " rule '" + name + "' (the lab file changed since up?)");
    while (position < filter->lists.size() && filter->lists[position] != d.list) ++position;
    verdict.decisions.push_back({.nsg = list.nsg,
                                 .association = association_of(vm, subnet, question.inbound,
                                                               position, filter->lists.size()),
                                 .rule = rule,
                                 .allow = d.accept});
    ++position;
    if (!d.accept) verdict.allowed = false;
  }
  return verdict;
}

}  // namespace hublab
