#include "orchestrator/plan/forwarded_traffic.h"

namespace hublab {

// Only a VM with IP forwarding sends what it did not originate, so only a
// VNet holding one needs the guard; what a gateway delivers (from the
// GatewaySubnet) is gateway transit, not forwarded traffic.
void plan_forwarded_traffic_guard(FabricPlanner& fabric, const Vnet& vnet) {
  if (vnet.on_premises) return;
  bool forwards = false;
  for (const Vm& vm : fabric.lab.vms) forwards |= vm.vnet == vnet.name && vm.ip_forwarding;
  if (!forwards) return;
  ForwardedTrafficGuardSpec guard{fabric.netns_of(vnet.name), {}, {}, vnet.address_space};
  for (const PeerLink& peer : fabric.peers_of(vnet.name))
    if (!peer.forwarded_allowed) guard.to_interfaces.push_back(peer.port);
  for (const auto& [key, link] : fabric.appliance_links)
    if (std::get<0>(key) == vnet.name && !link.forwarded_allowed)
      guard.to_interfaces.push_back(link.port);
  if (guard.to_interfaces.empty()) return;
  guard.from_interfaces = vm_subnet_bridges(vnet);
  fabric.plan.forwarded_traffic_guards.push_back(std::move(guard));
}

}  // namespace hublab
