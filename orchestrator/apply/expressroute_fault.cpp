#include "orchestrator/apply/expressroute_fault.h"

#include <filesystem>
#include <stdexcept>

#include "drivers/bird/bird_client.h"
#include "drivers/bird/bird_daemon.h"
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
  if (!up) return;
  // Back up: BIRD retries a session that failed after a wait that grows
  // with each failure (error wait time, up to 5 s here); a restart makes it
  // connect now. Only sessions that are not Established, so that nothing
  // the fault did not touch flaps.
  std::vector<std::string> nodes = {naming::edge_router(circuit, link_name(kPrimaryLink)),
                                    naming::edge_router(circuit, link_name(kSecondaryLink))};
  for (const CircuitConnection& c : lab.circuit_connections)
    if (c.circuit == circuit) nodes.push_back(c.gateway);
  for (const std::string& node : nodes) {
    bird::BirdFiles files{state.daemon_dir("bird", node)};
    if (!std::filesystem::exists(files.control_socket())) continue;  // stopped by another fault
    try {
      bird::Client bird = bird::Client::connect(files.control_socket());
      for (const bird::Protocol& p : bird.protocols())
        if (p.proto == "BGP" && p.info.rfind("Established", 0) != 0)
          bird.checked_command("restart " + p.name);
    } catch (const std::exception&) {
      // A BIRD that is not answering retries by itself; the fault stands.
    }
  }
}

}  // namespace hublab
