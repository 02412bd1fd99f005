#include "orchestrator/apply/expressroute_fault.h"

#include <filesystem>
#include <map>
#include <stdexcept>

#include "drivers/bird/bird_client.h"
#include "drivers/bird/bird_daemon.h"
#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "orchestrator/apply/fault_record.h"
#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/plan_record.h"

namespace hublab {

void set_circuit(LabState& state, const Lab& lab, const std::string& circuit,
                 std::optional<int> link, bool up) {
  if (!lab.find_circuit(circuit))
    throw std::invalid_argument("lab '" + lab.name + "' has no circuit '" + circuit + "'");
  record_fault(state, link ? circuit_link_fault(circuit, *link) : circuit_fault(circuit), !up);
  // Up only what no other fault still holds down (the circuit's, or the
  // link's own).
  const Lab faulted = lab_under_faults(lab, state.faults());
  const Circuit& now = *faulted.find_circuit(circuit);
  // The edge links as `up` made them: the gateway's end is named after the
  // connection and the link (naming::edge_port).
  const FabricPlan plan = read_plan_record(state.plan_record(), kFabricPart).fabric;
  struct Link {
    InterfaceRef ends[2];
    const CircuitConnection* connection;
    int link;
  };
  std::vector<Link> links;
  for (size_t i = 0; i < lab.circuit_connections.size(); ++i) {
    const CircuitConnection& c = lab.circuit_connections[i];
    if (c.circuit != circuit) continue;
    const std::string gateway_netns = naming::namespace_name(lab.name, c.gateway);
    for (int l : {kPrimaryLink, kSecondaryLink}) {
      if ((link && *link != l) || (up && now.link_down[l])) continue;
      for (const VethSpec& veth : plan.veths)
        if (veth.a.netns == gateway_netns && veth.a.name == naming::edge_port(i, l))
          links.push_back({{veth.a, veth.b}, &c, l});
    }
  }
  // Both ends: neither side's BGP session outlives the link.
  for (const Link& l : links)
    for (const InterfaceRef& end : l.ends) {
      NetworkNamespace netns = NetworkNamespace::open(end.netns);
      ThreadInNamespace inside(netns.fd());
      RouteSocket sock;
      if (up)
        sock.set_link_up(end.ifindex);
      else
        sock.set_link_down(end.ifindex);
    }
  if (!up) return;
  // Back up: BIRD retries a session that failed after a wait that grows
  // with each failure (error wait time, up to 5 s here); a restart makes it
  // connect now. Only the sessions over the links that came up.
  std::map<std::string, std::vector<std::string>> sessions;  // by node
  for (const Link& l : links) {
    const CircuitConnection& c = *l.connection;
    const bool site = lab.find_gateway(c.gateway)->on_premises;
    sessions[c.gateway].push_back(bird_protocol_name("edge_", c.name + "_" + link_name(l.link)));
    sessions[naming::edge_router(circuit, link_name(l.link))].push_back(
        bird_protocol_name(site ? "site_" : "gateway_", c.gateway));
  }
  for (const auto& [node, names] : sessions) {
    bird::BirdFiles files{state.daemon_dir("bird", node)};
    if (!std::filesystem::exists(files.control_socket())) continue;  // stopped by another fault
    try {
      bird::Client bird = bird::Client::connect(files.control_socket());
      for (const std::string& name : names) bird.checked_command("restart " + name);
    } catch (const std::exception&) {
      // A BIRD that is not answering retries by itself; the fault stands.
    }
  }
}

}  // namespace hublab
