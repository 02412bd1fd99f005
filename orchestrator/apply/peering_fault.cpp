#include "orchestrator/apply/peering_fault.h"

#include <stdexcept>

#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "orchestrator/apply/bgp.h"
#include "orchestrator/apply/fabric.h"
#include "orchestrator/apply/fault_record.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/plan_record.h"

namespace hublab {

namespace {

// Every BIRD of the lab told what Azure's control plane configures under
// `faults` (lab_as_configured).
void reconfigure_bgp(LabState& state, const Lab& lab, const std::vector<Fault>& faults) {
  RouteDistribution(state, plan_bgp(lab_as_configured(lab, faults)), nullptr).reconfigure();
}

}  // namespace

void set_peering(LabState& state, const Lab& lab, const std::string& vnet_a,
                 const std::string& vnet_b, bool up) {
  const Peering* peering = find_peering(lab, vnet_a, vnet_b);
  if (!peering)
    throw std::invalid_argument("lab '" + lab.name + "' has no peering between '" + vnet_a +
                                "' and '" + vnet_b + "'");
  // The links across it (its own, and appliance links over it), and the
  // routes through them, as `up` made them.
  const FabricPlan plan = read_plan_record(state.plan_record(), kFabricPart).fabric;
  const size_t index = static_cast<size_t>(peering - lab.peerings.data());
  std::vector<InterfaceRef> ends;
  for (const VethSpec& veth : plan.veths)
    if (veth.peering == index) ends.insert(ends.end(), {veth.a, veth.b});
  if (ends.empty()) throw std::logic_error("the fabric plan lacks the peering's link");

  const std::vector<Fault> faults = record_fault(state, peering_fault(*peering), !up);
  // Down: the control plane first, so that BIRD's goodbyes still cross the
  // link; up: the link first, so that sessions find it.
  if (!up) reconfigure_bgp(state, lab, faults);
  for (const InterfaceRef& end : ends) {
    NetworkNamespace netns = NetworkNamespace::open(end.netns);
    ThreadInNamespace inside(netns.fd());
    RouteSocket sock;
    if (!up) {
      sock.set_link_down(end.ifindex);  // the kernel drops its routes
      continue;
    }
    sock.set_link_up(end.ifindex);
    for (const RouteSpec& route : plan.routes)
      if (route.netns == end.netns && route.ifindex == end.ifindex)
        sock.replace_route(kernel_route(route));
  }
  if (up) reconfigure_bgp(state, lab, faults);
}

}  // namespace hublab
