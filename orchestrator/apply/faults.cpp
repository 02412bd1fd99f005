#include "orchestrator/apply/faults.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <thread>

#include "drivers/bird/bird_client.h"
#include "drivers/bird/bird_daemon.h"
#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "drivers/strongswan/charon.h"
#include "drivers/strongswan/site_to_site.h"
#include "drivers/vici/vici_client.h"
#include "orchestrator/apply/bgp.h"
#include "orchestrator/apply/fabric.h"
#include "orchestrator/apply/tunnels.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/fabric.h"
#include "orchestrator/plan/tunnels.h"

namespace hublab {

using namespace std::chrono_literals;

namespace {

bool holds(const std::vector<std::string>& faults, const std::string& fault) {
  return std::find(faults.begin(), faults.end(), fault) != faults.end();
}

// Records `fault` as set or cleared.
std::vector<std::string> record(LabState& state, const std::string& fault, bool set) {
  std::vector<std::string> faults = state.faults();
  std::erase(faults, fault);
  if (set) faults.push_back(fault);
  state.save_faults(faults);
  return faults;
}

const Connection& connection_of(const Lab& lab, const std::string& name) {
  auto found = std::find_if(lab.connections.begin(), lab.connections.end(),
                            [&](const Connection& c) { return c.name == name; });
  if (found == lab.connections.end())
    throw std::invalid_argument("lab '" + lab.name + "' has no connection '" + name + "'");
  return *found;
}

// The charon of a connection end (naming::tunnel_end).
vici::Client charon_of(LabState& state, const std::string& end) {
  strongswan::CharonFiles files{state.daemon_dir("charon", end)};
  return vici::Client::connect(files.vici_socket(), 2s);
}

// Deletes the connection's IKE SA through one of its gateways' charon (which
// tells the other end); "no matching SAs" is down already.
void terminate(vici::Client& charon, const std::string& connection) {
  vici::Message request;
  request.set("ike", connection);
  request.set("timeout", "3000");
  auto result = charon.stream_request("terminate", "control-log", request, 5s);
  const std::string error = result.response.value_or("errmsg", "");
  if (result.response.value_or("success", "") != "yes" &&
      error.find("no matching") == std::string::npos)
    throw std::runtime_error("connection " + connection + " could not be taken down: " + error);
}

// Every BIRD of the lab told what Azure's control plane configures under
// `faults` (lab_as_configured).
void reconfigure_bgp(LabState& state, const Lab& lab, const std::vector<std::string>& faults) {
  RouteDistribution(state, plan_bgp(lab_as_configured(lab, faults)), nullptr).reconfigure();
}

}  // namespace

void set_tunnel(LabState& state, const Lab& lab, const std::string& connection, bool up) {
  const Connection& c = connection_of(lab, connection);
  // Up again only what a fault holds down: initiating a live tunnel again
  // would make charon a second CHILD_SA.
  if (up && !holds(state.faults(), tunnel_fault(connection))) return;
  const std::vector<std::string> faults = record(state, tunnel_fault(connection), !up);
  // Side 0 starts the tunnel at up, and ends it; both charons then hold it
  // down: neither initiates on its own (no start action, no DPD restart
  // after a DELETE). A side whose gateway is down has no charon: a tunnel
  // it ends is down already, one it starts comes up with the gateway.
  const bool stopped[2] = {node_stopped(faults, c.gateways[0]),
                           node_stopped(faults, c.gateways[1])};
  if (up && (stopped[0] || stopped[1])) return;
  if (!up && stopped[0] && stopped[1]) return;
  vici::Client client =
      charon_of(state, naming::tunnel_end(connection, c.gateways[stopped[0] ? 1 : 0]));
  if (!up) return terminate(client, connection);
  strongswan::SiteToSite tunnel;
  tunnel.name = connection;
  auto result = client.stream_request("initiate", "control-log",
                                      strongswan::initiate_request(tunnel, 6000), 8s);
  if (result.response.value_or("success", "") != "yes") {
    record(state, tunnel_fault(connection), true);
    throw std::runtime_error("connection " + connection + " did not come up: charon: " +
                             result.response.value_or("errmsg", "no reason given"));
  }
}

void set_peering(LabState& state, const Lab& lab, const std::string& vnet_a,
                 const std::string& vnet_b, bool up) {
  const Peering* peering = find_peering(lab, vnet_a, vnet_b);
  if (!peering)
    throw std::invalid_argument("lab '" + lab.name + "' has no peering between '" + vnet_a +
                                "' and '" + vnet_b + "'");
  // The links across it (its own, and appliance links over it), and the
  // routes through them, as `up` made them.
  const FabricPlan plan = plan_fabric(lab);
  const size_t index = static_cast<size_t>(peering - lab.peerings.data());
  std::vector<InterfaceRef> ends;
  for (const VethSpec& veth : plan.veths)
    if (veth.peering == index) ends.insert(ends.end(), {veth.a, veth.b});
  if (ends.empty()) throw std::logic_error("the fabric plan lacks the peering's link");

  const std::vector<std::string> faults = record(state, peering_fault(*peering), !up);
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
    terminate(charon, c.name);
    charons.push_back(found->second);
  }
  if (!stop_daemons(charons, 2000ms).empty())
    throw std::runtime_error("gateway " + node + ": a charon survived SIGKILL");
}

// As at `up`: BIRD first (it waits about a second before it connects), then
// the charons of its connection ends, each tunnel loaded on both sides where
// the other node runs (with the keys up resolved, kept in the lab state), on its
// own side where not; those that no fault holds down established.
void start_node(LabState& state, const Lab& lab, const std::string& node,
                const std::vector<std::string>& faults) {
  std::vector<BgpRouter> routers = plan_bgp(lab_as_configured(lab, faults));
  std::erase_if(routers, [&](const BgpRouter& r) { return r.node != node; });
  RouteDistribution(state, routers, nullptr).start();
  VpnGateways gateways(state, lab, nullptr);
  std::vector<std::string> mine;
  std::vector<TunnelSpec> started;
  std::vector<std::pair<TunnelSpec, int>> loaded;  // and the side
  for (const TunnelSpec& tunnel : plan_tunnels(lab, state.keys())) {
    if (tunnel.gateways[0] != node && tunnel.gateways[1] != node) continue;
    const int side = tunnel.gateways[0] == node ? 0 : 1;
    mine.push_back(tunnel.ends[side]);
    loaded.emplace_back(tunnel, side);
    if (node_stopped(faults, tunnel.gateways[1 - side])) continue;
    gateways.attach(tunnel.ends[1 - side]);
    loaded.emplace_back(tunnel, 1 - side);
    if (!holds(faults, tunnel_fault(tunnel.connection))) started.push_back(tunnel);
  }
  gateways.launch(mine);
  gateways.connect();
  for (const auto& [tunnel, side] : loaded) gateways.load(tunnel, side);
  gateways.establish(started);
}

// The nodes of a gateway, or of one of its instances.
std::vector<std::string> nodes_of(const Lab& lab, const std::string& gateway,
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

}  // namespace

void set_gateway(LabState& state, const Lab& lab, const std::string& gateway,
                 std::optional<int> instance, bool up) {
  const std::vector<std::string> nodes = nodes_of(lab, gateway, instance);
  const std::string fault = instance ? instance_fault(gateway, *instance) : gateway_fault(gateway);
  std::vector<std::string> faults = state.faults();
  if (holds(faults, fault) == !up) return;  // as asked already
  if (!up) {
    // Recorded first: if a stop fails half-way, `up` or `clear` still
    // knows the gateway is to be started again.
    const std::vector<std::string> before = faults;
    record(state, fault, true);
    for (const std::string& node : nodes)
      if (!node_stopped(before, node)) stop_node(state, lab, node);
    return;
  }
  std::vector<std::string> after = faults;
  std::erase(after, fault);
  for (const std::string& node : nodes)
    if (!node_stopped(after, node)) start_node(state, lab, node, after);
  // Cleared once its daemons run: a failed start can be tried again.
  record(state, fault, false);
}

std::chrono::milliseconds reset_bgp(LabState& state, const Lab& lab, const std::string& gateway,
                                    std::chrono::milliseconds timeout) {
  const std::vector<std::string> faults = state.faults();
  std::vector<std::string> running;
  for (const std::string& node : nodes_of(lab, gateway, std::nullopt))
    if (!node_stopped(faults, node)) running.push_back(node);
  if (running.empty())
    throw std::invalid_argument("gateway " + gateway + " is down: no BGP session to reset");
  struct Speaker {
    bird::Client bird;
    std::vector<std::string> awaited;
  };
  std::vector<Speaker> speakers;
  const std::vector<BgpRouter> routers = plan_bgp(lab_as_configured(lab, faults));
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
              held |= c.gateways[1 - s] == node &&
                      session.neighbor == lab.bgp_peer_ip(*lab.find_gateway(c.gateways[s])) &&
                      (holds(faults, tunnel_fault(c.name)) || node_stopped(faults, c.gateways[s]));
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
