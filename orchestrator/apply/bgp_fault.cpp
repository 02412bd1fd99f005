#include "orchestrator/apply/bgp_fault.h"

#include <filesystem>
#include <set>
#include <stdexcept>
#include <thread>

#include "drivers/bird/bird_client.h"
#include "drivers/bird/bird_daemon.h"
#include "orchestrator/apply/fault_record.h"
#include "orchestrator/apply/gateway_fault.h"
#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/plan/bgp.h"

namespace hublab {

using namespace std::chrono_literals;

std::chrono::milliseconds reset_bgp(LabState& state, const Lab& lab, const std::string& gateway,
                                    std::chrono::milliseconds timeout) {
  const std::vector<Fault> faults = state.faults();
  std::vector<std::string> running;
  for (const std::string& node : gateway_nodes(lab, gateway, std::nullopt))
    if (!node_stopped(faults, node)) running.push_back(node);
  if (running.empty())
    throw std::invalid_argument("gateway " + gateway + " is down: no BGP session to reset");
  struct Speaker {
    bird::Client bird;
    std::vector<std::string> awaited;
  };
  std::vector<Speaker> speakers;
  const std::vector<BgpRouter> routers = plan_bgp(lab_as_configured(lab, faults));
  // A circuit link a fault holds down: its edge sessions stay down.
  const Lab faulted = lab_under_faults(lab, faults);
  std::set<std::string> edge_sessions_down;
  for (const CircuitConnection& c : faulted.circuit_connections)
    for (int l : {kPrimaryLink, kSecondaryLink})
      if (faulted.find_circuit(c.circuit)->link_down[l])
        edge_sessions_down.insert(bird_protocol_name("edge_", c.name + "_" + link_name(l)));
  for (const std::string& node : running) {
    bird::BirdFiles files{state.daemon_dir("bird", node)};
    if (!std::filesystem::exists(files.control_socket()))
      throw std::invalid_argument("gateway " + gateway +
                                  " speaks no BGP (no connection enables it)");
    // The sessions to wait for: those of the plan, but for tunnels another
    // fault holds down (their neighbor is the far node's BGP peer IP).
    std::vector<std::string> awaited;
    for (const BgpRouter& router : routers)
      if (router.node == node)
        for (const BgpSession& session : router.sessions) {
          bool held = false;
          for (const Connection& c : lab.connections)
            for (int s = 0; s < 2; ++s)
              held |=
                  c.gateways[1 - s] == node &&
                  session.neighbor == lab.bgp_peer_ip(*lab.find_gateway(c.gateways[s])) &&
                  (fault_held(faults, tunnel_fault(c.name)) || node_stopped(faults, c.gateways[s]));
          held |=
              session.kind == BgpSession::Kind::kToEdge && edge_sessions_down.count(session.name);
          if (!held) awaited.push_back(session.name);
        }
    speakers.push_back({bird::Client::connect(files.control_socket()), awaited});
  }
  const auto started = std::chrono::steady_clock::now();
  for (Speaker& speaker : speakers)
    for (const bird::Protocol& p : speaker.bird.protocols())
      if (p.proto == "BGP") speaker.bird.checked_command("restart " + p.name);
  for (;;) {
    std::this_thread::sleep_for(20ms);
    // BIRD closes each session at once; it is back once Established.
    bool all_up = true;
    for (Speaker& speaker : speakers)
      for (const std::string& name : speaker.awaited)
        all_up &= speaker.bird.bgp_session(name).established();
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (all_up) return took;
    if (took > timeout)
      throw std::runtime_error("BGP sessions of " + gateway + " not Established again within " +
                               std::to_string(timeout.count()) + " ms");
  }
}

}  // namespace hublab
