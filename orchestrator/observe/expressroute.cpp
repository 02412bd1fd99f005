#include "orchestrator/observe/expressroute.h"

#include <algorithm>
#include <cstdlib>

namespace hublab {

namespace {

// What BGP compares first here: local preference, then AS path length.
struct Rank {
  long preference = 0;
  size_t path_length = 0;
  bool operator==(const Rank&) const = default;
  bool beats(const Rank& other) const {
    return preference != other.preference ? preference > other.preference
                                          : path_length < other.path_length;
  }
};

}  // namespace

std::map<Prefix, std::vector<std::string>> circuit_next_hops(
    const std::vector<bird::Route>& gateway_routes) {
  std::map<Prefix, std::pair<Rank, std::vector<Ipv4>>> best;
  for (const bird::Route& route : gateway_routes) {
    auto prefix = Prefix::parse(route.prefix);
    auto path = route.attribute("BGP.as_path");
    if (!prefix || !path || route.next_hops.empty()) continue;
    const Rank rank{
        std::strtol(route.attribute("BGP.local_pref").value_or("100").c_str(), nullptr, 10),
        static_cast<size_t>(std::count(path->begin(), path->end(), ' ') + 1)};
    auto [it, fresh] = best.try_emplace(*prefix, rank, std::vector<Ipv4>{});
    auto& [held, edges] = it->second;
    if (!fresh && held.beats(rank)) continue;
    if (!fresh && rank.beats(held)) {
      held = rank;
      edges.clear();
    }
    for (const bird::NextHop& hop : route.next_hops)
      if (auto address = Ipv4::parse(hop.gateway)) edges.push_back(*address);
  }
  std::map<Prefix, std::vector<std::string>> hops;
  for (auto& [prefix, held] : best) {
    std::vector<Ipv4>& edges = held.second;
    std::sort(edges.begin(), edges.end());
    for (Ipv4 edge : edges) hops[prefix].push_back(edge.str());
  }
  return hops;
}

}  // namespace hublab
