#include "orchestrator/apply/gateway_fault.h"

#include <stdexcept>

#include "drivers/bird/bird_daemon.h"
#include "orchestrator/apply/bgp.h"
#include "orchestrator/apply/fault_record.h"
#include "orchestrator/apply/tunnels.h"
#include "orchestrator/apply/tunnels_fault.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/plan_record.h"

namespace hublab {

using namespace std::chrono_literals;

namespace {

// One gateway node (an instance) stopped: its BIRD first, whose goodbyes
// reach its hub's router and, through the tunnels, its BGP peers, so that
// routes move to the other instance at once; then its tunnels deleted (the
// far ends drop their SAs now rather than keep them to a dead peer); then
// its connection ends' charons.
void stop_node(LabState& state, const Lab& lab, const std::string& node) {
  const auto birds = state.daemons_of("bird");
  if (auto found = birds.find(node); found != birds.end())
    if (!stop_daemons({found->second}, 2000ms).empty())
      throw std::runtime_error("gateway " + node + ": BIRD survived SIGKILL");
  std::vector<DaemonId> charons;
  const auto recorded = state.daemons_of("charon");
  for (const Connection& c : lab.connections) {
    if (c.gateways[0] != node && c.gateways[1] != node) continue;
    const std::string end = naming::tunnel_end(c.name, node);
    auto found = recorded.find(end);
    if (found == recorded.end() || !daemon_alive(found->second)) continue;
    vici::Client charon = charon_of(state, end);
    end_tunnel(charon, c.name);
    charons.push_back(found->second);
  }
  if (!stop_daemons(charons, 2000ms).empty())
    throw std::runtime_error("gateway " + node + ": a charon survived SIGKILL");
}

// As at `up`: BIRD first (it waits about a second before it connects), then
// the charons of its connection ends, each tunnel `up` planned loaded on both
// sides where the other node runs (with the keys up resolved, kept in the
// lab state), on its own side where not; those that no fault holds down
// established. BIRD's configuration is planned anew: under a disconnected
// peering Azure's control plane configures other routes than at `up`.
void start_node(LabState& state, const Lab& lab, const std::string& node,
                const std::vector<TunnelSpec>& tunnels, const std::vector<Fault>& faults) {
  // What an earlier start, killed half-way, left running goes first: a
  // second BIRD or charon would not bind the node's sockets.
  stop_node(state, lab, node);
  std::vector<BgpRouter> routers = plan_bgp(lab_as_configured(lab, faults));
  std::erase_if(routers, [&](const BgpRouter& r) { return r.node != node; });
  RouteDistribution(state, routers, nullptr).start();
  VpnGateways gateways(state, lab, nullptr);
  std::vector<std::string> mine;
  std::vector<TunnelSpec> started;
  std::vector<std::pair<TunnelSpec, int>> loaded;  // and the side
  for (const TunnelSpec& tunnel : tunnels) {
    if (tunnel.gateways[0] != node && tunnel.gateways[1] != node) continue;
    const int side = tunnel.gateways[0] == node ? 0 : 1;
    mine.push_back(tunnel.ends[side]);
    loaded.emplace_back(tunnel, side);
    if (node_stopped(faults, tunnel.gateways[1 - side])) continue;
    gateways.attach(tunnel.ends[1 - side]);
    loaded.emplace_back(tunnel, 1 - side);
    if (!fault_held(faults, tunnel_fault(tunnel.connection))) started.push_back(tunnel);
  }
  gateways.launch(mine);
  gateways.connect();
  for (const auto& [tunnel, side] : loaded) gateways.load(tunnel, side);
  gateways.establish(started);
}

}  // namespace

// The nodes of a gateway, or of one of its instances.
std::vector<std::string> gateway_nodes(const Lab& lab, const std::string& gateway,
                                       std::optional<int> instance) {
  const Gateway* found = lab.find_gateway(gateway);
  if (!found || !found->instance_of.empty())
    throw std::invalid_argument("lab '" + lab.name + "' has no gateway '" + gateway + "'");
  std::vector<std::string> nodes;
  for (const Gateway* g : lab.instances(*found)) nodes.push_back(g->name);
  if (!instance) return nodes;
  if (*instance < 0 || static_cast<size_t>(*instance) >= nodes.size())
    throw std::invalid_argument(
        "gateway " + gateway + " has no instance " + std::to_string(*instance) +
        (nodes.size() == 1 ? " (it is active-standby: instance 0 only)" : " (instances 0 and 1)"));
  return {nodes[static_cast<size_t>(*instance)]};
}

void set_gateway(LabState& state, const Lab& lab, const std::string& gateway,
                 std::optional<int> instance, bool up) {
  const std::vector<std::string> nodes = gateway_nodes(lab, gateway, instance);
  const Fault fault = instance ? instance_fault(gateway, *instance) : gateway_fault(gateway);
  std::vector<Fault> faults = state.faults();
  if (!up) {
    // Recorded first: if a stop fails half-way, `up` or `clear` still
    // knows the gateway is to be started again. Stopped even when recorded
    // already (stopping a stopped node does nothing): a `fault` killed
    // between its record and its stop left the daemons running.
    record_fault(state, fault, true);
    for (const std::string& node : nodes) stop_node(state, lab, node);
    return;
  }
  if (!fault_held(faults, fault)) return;  // up already
  std::vector<Fault> after = faults;
  std::erase(after, fault);
  const std::vector<TunnelSpec> tunnels =
      read_plan_record(state.plan_record(), state.keys(), kTunnelsPart).tunnels;
  for (const std::string& node : nodes)
    if (!node_stopped(after, node)) start_node(state, lab, node, tunnels, after);
  // Cleared once its daemons run: a failed start can be tried again.
  record_fault(state, fault, false);
}

}  // namespace hublab
