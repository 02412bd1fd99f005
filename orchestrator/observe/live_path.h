#pragma once

// The running lab beside the model's path (`hublab explain`): at each step
// the model took, the route the live lab uses there, and whether the two
// agree. The model and the lab decide apart; this only puts them side by side.

#include <optional>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/model/path_walk.h"
#include "orchestrator/plan/lab_plan.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// "10.100.0.0/16 Virtual network gateway 20.0.0.1 (Virtual network gateway, Active)"
std::string route_row_text(const EffectiveRoute& row);

// What the running lab does at one step of the model's path.
struct LiveStep {
  std::string route;
  bool agrees = false;
};

// By step of `path`: each subnet's effective route for `destination` (the
// source NIC's, an appliance's, a GatewaySubnet's), each gateway's kernel
// route (with BGP's AS path); nothing at a step in an on-premises site.
// `plan` is the one `up` kept.
std::vector<std::optional<LiveStep>> read_live_path(LabState& state, const Lab& lab,
                                                    const LabPlan& plan, const PathPrediction& path,
                                                    Ipv4 destination);

// Every live step agrees with the model's.
bool live_path_agrees(const std::vector<std::optional<LiveStep>>& live);

}  // namespace hublab
