#pragma once

// ExpressRoute as the running lab has it: what an ExpressRoute gateway's BIRD
// learned from its circuits' edge routers, read over BIRD's control socket.

#include <map>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// For each prefix, the edge routers' addresses the gateway routes it to
// (those of the best routes: highest local preference, which is the
// connection's routing weight, then shortest AS path), in address order:
// Azure's effective routes show a row for each. Empty when the gateway's
// BIRD is not running.
std::map<Prefix, std::vector<std::string>> circuit_next_hops(LabState& state,
                                                             const Gateway& gateway);

}  // namespace hublab
