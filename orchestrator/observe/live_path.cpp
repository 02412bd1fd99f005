#include "orchestrator/observe/live_path.h"

#include "orchestrator/observe/effective_routes.h"
#include "orchestrator/observe/gateway_route.h"

namespace hublab {

namespace {

// The row the live lab uses for `destination` at a VM's NIC: the longest
// active prefix holding it.
std::optional<EffectiveRoute> live_choice(const std::vector<EffectiveRoute>& rows,
                                          Ipv4 destination) {
  std::optional<EffectiveRoute> best;
  for (const EffectiveRoute& r : rows)
    if (r.state == "Active" && r.prefix.contains(destination) &&
        (!best || r.prefix.length > best->prefix.length))
      best = r;
  return best;
}

}  // namespace

std::string route_row_text(const EffectiveRoute& r) {
  return r.prefix.str() + " " + r.next_hop_type +
         (r.next_hop_ip.empty() ? "" : " " + r.next_hop_ip) + " (" + r.source + ", " + r.state +
         ")";
}

std::vector<std::optional<LiveStep>> read_live_path(LabState& state, const Lab& lab,
                                                    const LabPlan& plan, const PathPrediction& path,
                                                    Ipv4 destination) {
  std::vector<std::optional<LiveStep>> live;
  for (const ModelStep& step : path.steps) {
    if (!step.gateway.empty()) {
      auto route = read_gateway_route(state, lab, step.gateway, destination);
      if (!route) {
        live.push_back(LiveStep{"no route", false});
        continue;
      }
      live.push_back(LiveStep{route->text, route->prefix == step.prefix && route->bgp == step.bgp &&
                                               (!step.bgp || route->as_path == step.as_path)});
    } else if (!step.subnet.empty() && !lab.find_vnet(step.vnet)->on_premises) {
      auto chosen =
          live_choice(read_subnet_routes(state, lab, plan, step.vnet, step.subnet), destination);
      live.push_back(chosen
                         ? LiveStep{route_row_text(*chosen), step.chosen && *step.chosen == *chosen}
                         : LiveStep{"no route", false});
    } else {
      live.push_back(std::nullopt);
    }
  }
  return live;
}

bool live_path_agrees(const std::vector<std::optional<LiveStep>>& live) {
  for (const auto& step : live)
    if (step && !step->agrees) return false;
  return true;
}

}  // namespace hublab
