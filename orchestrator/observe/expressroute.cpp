#include "orchestrator/observe/expressroute.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <tuple>

#include "drivers/bird/bird_client.h"
#include "drivers/bird/bird_daemon.h"

namespace hublab {

std::map<Prefix, std::vector<std::string>> circuit_next_hops(LabState& state,
                                                             const Gateway& gateway) {
  std::map<Prefix, std::vector<std::string>> hops;
  bool runs = false;
  for (const LabState::DaemonRecord& d : state.daemons())
    runs |= d.kind == "bird" && d.node == gateway.name && daemon_alive(d.id);
  if (!runs) return hops;
  const std::vector<bird::Route> routes =
      bird::Client::connect(
          bird::BirdFiles{state.daemon_dir("bird", gateway.name)}.control_socket(),
          bird::Timeouts{std::chrono::milliseconds(500), std::chrono::milliseconds(2000)})
          .routes("master4");
  // Per prefix: (local preference, AS path length) of the best, and the
  // edges offering that.
  std::map<Prefix, std::tuple<long, size_t, std::vector<Ipv4>>> best;
  for (const bird::Route& route : routes) {
    auto prefix = Prefix::parse(route.prefix);
    auto path = route.attribute("BGP.as_path");
    if (!prefix || !path || route.next_hops.empty()) continue;
    const long preference =
        std::strtol(route.attribute("BGP.local_pref").value_or("100").c_str(), nullptr, 10);
    const size_t length = static_cast<size_t>(std::count(path->begin(), path->end(), ' ') + 1);
    auto [it, fresh] = best.try_emplace(*prefix, preference, length, std::vector<Ipv4>{});
    auto& [held_preference, held_length, edges] = it->second;
    if (!fresh &&
        (preference < held_preference || (preference == held_preference && length > held_length)))
      continue;
    if (!fresh && (preference > held_preference || length < held_length)) {
      held_preference = preference;
      held_length = length;
      edges.clear();
    }
    for (const bird::NextHop& hop : route.next_hops)
      if (auto address = Ipv4::parse(hop.gateway)) edges.push_back(*address);
  }
  for (auto& [prefix, held] : best) {
    std::vector<Ipv4>& edges = std::get<2>(held);
    std::sort(edges.begin(), edges.end(), [](Ipv4 a, Ipv4 b) { return a.value < b.value; });
    for (Ipv4 edge : edges) hops[prefix].push_back(edge.str());
  }
  return hops;
}

}  // namespace hublab
