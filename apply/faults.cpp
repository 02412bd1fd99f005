#include "apply/faults.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "apply/bgp.h"
#include "apply/tunnels.h"
#include "drivers/bird/bird_client.h"
#include "drivers/bird/bird_daemon.h"
#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "drivers/strongswan/charon.h"
#include "drivers/strongswan/site_to_site.h"
#include "drivers/vici/vici_client.h"
#include "lab/faults.h"
#include "lab/naming.h"
#include "plan/bgp.h"
#include "plan/fabric.h"
#include "plan/tunnels.h"

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
  const std::vector<std::string> faults = record(state, tunnel_fault(connection), !up);
  // Side 0 starts the tunnel at up, and ends it; both charons then hold it
  // down: neither initiates on its own (no start action, no DPD restart
  // after a DELETE). A side whose gateway is down has no charon: a tunnel
  // it ends is down already, one it starts comes up with the gateway.
  const bool stopped[2] = {holds(faults, gateway_fault(c.gateways[0])),
                           holds(faults, gateway_fault(c.gateways[1]))};
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
  // The link's two ends, and the routes through them, as `up` made them.
  const FabricPlan plan = plan_fabric(lab);
  std::vector<InterfaceRef> ends;
  for (int s = 0; s < 2; ++s) {
    const std::string netns = naming::namespace_name(lab.name, peering->sides[s].vnet);
    const std::string port = naming::peering_port(peering->sides[1 - s].vnet);
    for (const VethSpec& veth : plan.veths)
      for (const InterfaceRef& end : {veth.a, veth.b})
        if (end.netns == netns && end.name == port) ends.push_back(end);
  }
  if (ends.size() != 2) throw std::logic_error("the fabric plan lacks the peering's link");

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
        sock.replace_route({.table = route.table,
                            .destination = route.destination,
                            .via = route.via,
                            .ifindex = route.ifindex,
                            .onlink = route.onlink,
                            .metric = route.metric,
                            .protocol = kernel_protocol_of(route.source)});
  }
  if (up) reconfigure_bgp(state, lab, faults);
}

void set_gateway(LabState& state, const Lab& lab, const std::string& gateway, bool up) {
  if (!lab.find_gateway(gateway))
    throw std::invalid_argument("lab '" + lab.name + "' has no gateway '" + gateway + "'");
  std::vector<std::string> faults = state.faults();
  if (holds(faults, gateway_fault(gateway)) == !up) return;  // as asked already
  auto involves = [&](const Connection& c) {
    return c.gateways[0] == gateway || c.gateways[1] == gateway;
  };

  if (!up) {
    // Its tunnels deleted first, so that the other ends drop them now
    // rather than keep SAs to a dead peer; then its daemons stopped.
    std::vector<DaemonId> daemons;
    const auto charons = state.daemons_of("charon");
    for (const Connection& c : lab.connections) {
      if (!involves(c)) continue;
      const std::string end = naming::tunnel_end(c.name, gateway);
      vici::Client charon = charon_of(state, end);
      terminate(charon, c.name);
      if (auto found = charons.find(end); found != charons.end()) daemons.push_back(found->second);
    }
    const auto birds = state.daemons_of("bird");
    if (auto found = birds.find(gateway); found != birds.end()) daemons.push_back(found->second);
    if (!stop_daemons(daemons, 2000ms).empty())
      throw std::runtime_error("gateway " + gateway + ": a daemon survived SIGKILL");
    record(state, gateway_fault(gateway), true);
    return;
  }

  faults = record(state, gateway_fault(gateway), false);
  // As at `up`: BIRD first (it waits about a second before it connects),
  // then charon and the tunnels that no other fault holds down.
  std::vector<BgpRouter> routers = plan_bgp(lab_as_configured(lab, faults));
  std::erase_if(routers, [&](const BgpRouter& r) { return r.node != gateway; });
  RouteDistribution(state, routers, nullptr).start();
  // Its connection ends' charons, each tunnel loaded on both sides where
  // the other gateway runs (a generated key is new: both must have it), on
  // its own side where not; those that no fault holds down established.
  VpnGateways gateways(state, lab, nullptr);
  std::vector<std::string> mine;
  std::vector<TunnelSpec> started;
  std::vector<std::pair<TunnelSpec, int>> loaded;  // and the side
  for (const TunnelSpec& tunnel : plan_tunnels(lab)) {
    const Connection& c = connection_of(lab, tunnel.connection);
    if (!involves(c)) continue;
    const int side = tunnel.gateways[0] == gateway ? 0 : 1;
    mine.push_back(tunnel.ends[side]);
    loaded.emplace_back(tunnel, side);
    if (holds(faults, gateway_fault(tunnel.gateways[1 - side]))) continue;
    gateways.attach(tunnel.ends[1 - side]);
    loaded.emplace_back(tunnel, 1 - side);
    if (!holds(faults, tunnel_fault(c.name))) started.push_back(tunnel);
  }
  gateways.launch(mine);
  gateways.connect();
  for (const auto& [tunnel, side] : loaded) gateways.load(tunnel, side);
  gateways.establish(started);
}

std::chrono::milliseconds reset_bgp(LabState& state, const Lab& lab, const std::string& gateway,
                                    std::chrono::milliseconds timeout) {
  if (!lab.find_gateway(gateway))
    throw std::invalid_argument("lab '" + lab.name + "' has no gateway '" + gateway + "'");
  if (holds(state.faults(), gateway_fault(gateway)))
    throw std::invalid_argument("gateway " + gateway + " is down: no BGP session to reset");
  bird::BirdFiles files{state.daemon_dir("bird", gateway)};
  if (!std::filesystem::exists(files.control_socket()))
    throw std::invalid_argument("gateway " + gateway + " speaks no BGP (no connection enables it)");
  // The sessions to wait for: those of the plan, but for tunnels another
  // fault holds down (their neighbor is the far gateway's BGP peer IP).
  const std::vector<std::string> faults = state.faults();
  std::vector<std::string> awaited;
  for (const BgpRouter& router : plan_bgp(lab_as_configured(lab, faults)))
    if (router.node == gateway)
      for (const BgpSession& session : router.sessions) {
        bool held = false;
        for (const Connection& c : lab.connections)
          for (int s = 0; s < 2; ++s)
            held |= c.gateways[1 - s] == gateway &&
                    session.neighbor == lab.bgp_peer_ip(*lab.find_gateway(c.gateways[s])) &&
                    (holds(faults, tunnel_fault(c.name)) ||
                     holds(faults, gateway_fault(c.gateways[s])));
        if (!held) awaited.push_back(session.name);
      }
  const auto started = std::chrono::steady_clock::now();
  bird::Client bird = bird::Client::connect(files.control_socket());
  for (const bird::Protocol& p : bird.protocols())
    if (p.proto == "BGP") bird.checked_command("restart " + p.name);
  for (;;) {
    std::this_thread::sleep_for(20ms);
    // BIRD closes each session at once; it is back once Established.
    bool all_up = true;
    for (const std::string& name : awaited) all_up &= bird.bgp_session(name).established();
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (all_up) return took;
    if (took > timeout)
      throw std::runtime_error("BGP sessions of " + gateway + " not Established again within " +
                               std::to_string(timeout.count()) + " ms");
  }
}

}  // namespace hublab
