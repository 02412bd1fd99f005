#include "orchestrator/apply/bgp.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <thread>

#include "base/private_file.h"
#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "orchestrator/plan/addressing.h"
#include "orchestrator/plan/bird_config.h"

namespace hublab {

using namespace std::chrono_literals;

RouteDistribution::RouteDistribution(LabState& state, std::vector<BgpRouter> nodes,
                                     std::function<bool()> interrupted)
    : state_(state), nodes_(std::move(nodes)), interrupted_(std::move(interrupted)) {}

void RouteDistribution::start() {
  if (interrupted_ && interrupted_()) throw std::runtime_error("interrupted");
  // Side by side: BIRD's first connect waits out a randomized second from
  // its start, so every BIRD should start as early as every other.
  std::vector<NetworkNamespace> namespaces;
  std::vector<DaemonSpec> specs;
  for (const BgpRouter& node : nodes_) {
    namespaces.push_back(NetworkNamespace::open(node.netns));
    specs.push_back(bird::bird_daemon(bird::BirdFiles{state_.make_daemon_dir("bird", node.node)},
                                      bird_config(node), namespaces.back().fd()));
  }
  std::vector<DaemonId> ids = start_daemons(specs, [&](size_t i, const DaemonId& id) {
    state_.record_daemon({"bird", nodes_[i].node, id});
  });
  for (size_t i = 0; i < nodes_.size(); ++i) daemons_[nodes_[i].node] = ids[i];
}

std::vector<std::string> RouteDistribution::reconfigure() {
  std::vector<std::string> changed;
  const std::map<std::string, DaemonId> running = state_.daemons_of("bird");
  for (const BgpRouter& node : nodes_) {
    auto daemon = running.find(node.node);
    if (daemon == running.end() || !daemon_alive(daemon->second)) continue;
    bird::BirdFiles files{state_.daemon_dir("bird", node.node)};
    const std::string config = bird_config(node);
    if (read_private_file(files.config()) == config) continue;
    write_private_file(files.config(), config);
    bird::Client::connect(files.control_socket()).configure();
    changed.push_back(node.node);
  }
  return changed;
}

std::optional<std::string> RouteDistribution::not_converged(const BgpRouter& node,
                                                            bird::Client& client,
                                                            RouteSocket& kernel) {
  for (const BgpSession& session : node.sessions) {
    if (session.optional) continue;
    bird::BgpSession bgp = client.bgp_session(session.name);
    if (!bgp.established())
      return "BGP session " + session.name + " of " + node.node + " (to " + bgp.neighbor_address +
             ") is " + bgp.state + (bgp.last_error.empty() ? "" : ": " + bgp.last_error);
  }
  std::set<std::string> present;
  // A prefix as often as the session brought it: over ADD-PATH, once per path.
  std::map<std::string, std::multiset<std::string>> by_protocol;
  for (const bird::Route& route : client.routes("master4")) {
    if (route.primary) present.insert(route.prefix);
    by_protocol[route.protocol].insert(route.prefix);
  }
  for (const BgpSession& session : node.sessions)
    for (const Prefix& prefix : session.expected_from)
      if (by_protocol[session.name].count(prefix.str()) <
          static_cast<size_t>(
              std::count(session.expected_from.begin(), session.expected_from.end(), prefix)))
        return node.node + " has no route to " + prefix.str() + " from " + session.name;
  for (const Prefix& prefix : node.expected)
    if (!present.count(prefix.str())) return node.node + " has no route to " + prefix.str();
  for (const KernelTable& table : node.kernel_tables) {
    std::set<Prefix> in_kernel;
    for (const RouteSocket::KernelRoute& route : kernel.routes(table.number))
      if (route.metric == kBgpRouteMetric) in_kernel.insert(route.destination);
    for (const Prefix& prefix : node.installed)
      if (!in_kernel.count(prefix))
        return node.node + "'s kernel table " + std::to_string(table.number) + " has no route to " +
               prefix.str();
  }
  return std::nullopt;
}

void RouteDistribution::wait_converged(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Per node, opened once: BIRD's socket, and a netlink socket in its namespace.
  struct Watch {
    bird::Client bird;
    RouteSocket kernel;
  };
  std::map<std::string, Watch> watches;
  std::set<std::string> done;
  std::string missing;
  while (true) {
    if (interrupted_ && interrupted_()) throw std::runtime_error("interrupted");
    for (const BgpRouter& node : nodes_) {
      if (done.count(node.node)) continue;
      bird::BirdFiles f{state_.daemon_dir("bird", node.node)};
      if (!daemon_alive(daemons_.at(node.node)))
        throw std::runtime_error("BIRD of " + node.node + " exited (see " + f.log() + " and " +
                                 f.output() + ")");
      std::optional<std::string> why;
      try {
        auto watch = watches.find(node.node);
        if (watch == watches.end()) {
          NetworkNamespace netns = NetworkNamespace::open(node.netns);
          ThreadInNamespace inside(netns.fd());
          watch = watches
                      .emplace(node.node,
                               Watch{bird::Client::connect(f.control_socket()), RouteSocket()})
                      .first;
        }
        why = not_converged(node, watch->second.bird, watch->second.kernel);
      } catch (const bird::ConnectionError& error) {
        // A BIRD busy with hundreds of peers may answer late: not an error
        // until the deadline. Its stream may hold a late reply: a new one.
        why = "BIRD of " + node.node + " did not answer: " + error.what();
        watches.erase(node.node);
      }
      if (!why) {
        done.insert(node.node);
        continue;
      }
      missing = *why;
      break;
    }
    if (done.size() == nodes_.size()) return;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("routes did not converge within " +
                               std::to_string(timeout.count() / 1000) + " s: " + missing);
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace hublab
