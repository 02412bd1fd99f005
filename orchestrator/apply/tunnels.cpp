#include "orchestrator/apply/tunnels.h"

#include <stdexcept>

#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/plan/addressing.h"
#include "orchestrator/plan/fabric.h"

namespace hublab {

using namespace std::chrono_literals;

VpnGateways::VpnGateways(LabState& state, const Lab& lab, std::function<bool()> interrupted)
    : state_(state), lab_(lab), interrupted_(std::move(interrupted)) {}

VpnGateways::Running& VpnGateways::end(const std::string& name) {
  return ends_.at(name);
}

void VpnGateways::check_interrupted() {
  if (interrupted_ && interrupted_()) throw std::runtime_error("interrupted");
}

void VpnGateways::launch() {
  std::vector<std::string> names;
  for (const Connection& c : lab_.connections)
    for (const std::string& gateway : c.gateways)
      names.push_back(naming::tunnel_end(c.name, gateway));
  launch(names);
}

void VpnGateways::launch(const std::vector<std::string>& names) {
  check_interrupted();
  // Side by side: each charon takes some 40 ms to load its plugins.
  std::vector<NetworkNamespace> namespaces;
  std::vector<DaemonSpec> specs;
  for (const std::string& name : names) {
    Running running;
    running.netns = naming::namespace_name(lab_.name, name);
    running.files.dir = state_.make_daemon_dir("charon", name);
    namespaces.push_back(NetworkNamespace::open(running.netns));
    specs.push_back(strongswan::charon_daemon(running.files, namespaces.back().fd()));
    ends_.insert_or_assign(name, std::move(running));
  }
  std::vector<DaemonId> ids = start_daemons(specs, [&](size_t i, const DaemonId& id) {
    state_.record_daemon({"charon", names[i], id});
  });
  for (size_t i = 0; i < ids.size(); ++i) ends_.at(names[i]).daemon = ids[i];
}

void VpnGateways::attach(const std::string& name) {
  Running running;
  running.netns = naming::namespace_name(lab_.name, name);
  running.files.dir = state_.daemon_dir("charon", name);
  auto recorded = state_.daemons_of("charon");
  if (auto found = recorded.find(name); found != recorded.end()) running.daemon = found->second;
  ends_.insert_or_assign(name, std::move(running));
}

void VpnGateways::connect() {
  for (auto& [name, running] : ends_) {
    check_interrupted();
    if (running.vici) continue;
    try {
      running.vici.emplace(vici::Client::connect(running.files.vici_socket(), 5s));
    } catch (const std::exception& error) {
      std::string why = daemon_alive(running.daemon) ? error.what() : "charon exited at start";
      throw std::runtime_error("connection end " + name + ": " + why + " (see " +
                               running.files.output() + " and " + running.files.log() + ")");
    }
  }
}

void VpnGateways::route_into_tunnel(const std::string& name) {
  NetworkNamespace netns = NetworkNamespace::open(end(name).netns);
  ThreadInNamespace inside(netns.fd());
  RouteSocket sock;
  int tunnel = sock.link_index(strongswan::kTunnelDevice);
  if (!tunnel)
    throw std::runtime_error("connection end " + name + ": charon made no " +
                             strongswan::kTunnelDevice + " device (see " + end(name).files.log() +
                             ")");
  // charon reads the TUN device from user space: a burst (a check probes
  // every pair at once) must wait in the queue, not drop at its default 500.
  sock.set_link_queue_length(tunnel, 10000);
  // Route-based VPN: whatever the gateway sends this end enters the tunnel.
  // It may be there already: a tunnel brought back up after a fault.
  sock.replace_route({.table = kTunnelTable,
                      .destination = Prefix{},
                      .ifindex = tunnel,
                      .protocol = kernel_protocol_of(RouteSource::kFabric)});
}

void VpnGateways::establish(const std::vector<TunnelSpec>& tunnels) {
  for (const TunnelSpec& tunnel : tunnels) {
    check_interrupted();
    establish(tunnel);
  }
}

void VpnGateways::load(const TunnelSpec& tunnel, int side) {
  vici::Client& client = *end(tunnel.ends[side]).vici;
  client.request_checked("load-shared",
                         strongswan::load_shared_request(tunnel.sides[side], tunnel.keys[side]));
  client.request_checked("load-conn", strongswan::load_conn_request(tunnel.sides[side]));
  route_into_tunnel(tunnel.ends[side]);
}

void VpnGateways::establish(const TunnelSpec& tunnel) {
  vici::Client& initiator = *end(tunnel.ends[0]).vici;
  vici::Client& responder = *end(tunnel.ends[1]).vici;
  for (int side = 0; side < 2; ++side) load(tunnel, side);
  responder.register_event("child-updown");
  responder.register_event("log");

  const std::string& name = tunnel.connection;
  std::vector<std::string> log;
  bool up = false;
  std::string charon_said;
  try {
    // charon answers the initiate once the CHILD_SA is installed on this side,
    // or once its own timeout (after IKE retransmits) has passed.
    auto result = initiator.stream_request("initiate", "control-log",
                                           strongswan::initiate_request(tunnel.sides[0], 6000), 8s);
    for (const vici::Message& line : result.events) log.push_back(line.value_or("msg", ""));
    up = result.response.value_or("success", "no") == "yes";
    charon_said = result.response.value_or("errmsg", "");
  } catch (const vici::TimeoutError&) {
    charon_said = "no answer from charon within 8 s";
  }
  if (up) {
    auto installed = responder.wait_event(
        [&](const vici::Event& event) {
          if (event.name != "child-updown" || event.message.value_or("up", "") != "yes")
            return false;
          return event.message.find_section(name) != nullptr;
        },
        3s);
    up = installed.has_value();
    if (!up) charon_said = "the responder installed no CHILD_SA";
  }
  for (const vici::Event& event : responder.take_events())
    if (event.name == "log") log.push_back(event.message.value_or("msg", ""));
  responder.unregister_event("log");
  responder.unregister_event("child-updown");
  if (up) return;

  auto reason = strongswan::explain_tunnel_failure(log);
  throw std::runtime_error(
      "connection " + name + " (" + tunnel.gateways[0] + " <-> " + tunnel.gateways[1] +
      ") did not come up: " + reason.value_or("charon: " + charon_said) +
      " (logs: " + end(tunnel.ends[0]).files.log() + ", " + end(tunnel.ends[1]).files.log() + ")");
}

}  // namespace hublab
