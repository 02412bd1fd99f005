#include "orchestrator/apply/expressroute_fault.h"

#include <stdexcept>

#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "orchestrator/apply/fault_record.h"
#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/plan/plan_record.h"

namespace hublab {

void set_circuit(LabState& state, const Lab& lab, const std::string& circuit,
                 std::optional<int> link, bool up) {
  if (!lab.find_circuit(circuit))
    throw std::invalid_argument("lab '" + lab.name + "' has no circuit '" + circuit + "'");
  // The edge links as `up` made them: the gateway's end is named after the
  // connection and the link (naming::edge_port).
  const FabricPlan plan = read_plan_record(state.plan_record(), kFabricPart).fabric;
  std::vector<InterfaceRef> ends;
  for (size_t i = 0; i < lab.circuit_connections.size(); ++i) {
    const CircuitConnection& c = lab.circuit_connections[i];
    if (c.circuit != circuit) continue;
    const std::string gateway_netns = naming::namespace_name(lab.name, c.gateway);
    for (int l : {kPrimaryLink, kSecondaryLink}) {
      if (link && *link != l) continue;
      for (const VethSpec& veth : plan.veths)
        if (veth.a.netns == gateway_netns && veth.a.name == naming::edge_port(i, l))
          ends.insert(ends.end(), {veth.a, veth.b});
    }
  }
  record_fault(state, link ? circuit_link_fault(circuit, *link) : circuit_fault(circuit), !up);
  // Both ends: neither side's BGP session outlives the link.
  for (const InterfaceRef& end : ends) {
    NetworkNamespace netns = NetworkNamespace::open(end.netns);
    ThreadInNamespace inside(netns.fd());
    RouteSocket sock;
    if (up)
      sock.set_link_up(end.ifindex);
    else
      sock.set_link_down(end.ifindex);
  }
}

}  // namespace hublab
