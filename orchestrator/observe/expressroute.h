#pragma once

// ExpressRoute as the running lab has it: which of its circuits' edge
// routers an ExpressRoute gateway routes each prefix to, from the routes its
// BIRD holds (observe/effective_routes reads them over the control socket).

#include <map>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "drivers/bird/bird_show.h"

namespace hublab {

// For each prefix, the edge routers' addresses of the best routes (highest
// local preference, which is the connection's routing weight, then shortest
// AS path), in address order: Azure's effective routes show a row for each.
std::map<Prefix, std::vector<std::string>> circuit_next_hops(
    const std::vector<bird::Route>& gateway_routes);

}  // namespace hublab
