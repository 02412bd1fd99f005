#pragma once

// Route Server as the running lab has it: which NVAs the VNet router of a
// Route Server's VNet routes each prefix to, from the routes its BIRD heard
// from the instances (every NVA's path, by ADD-PATH). Effective routes show
// a row for each, next hop the NVA, in its VNet and in the spokes that use
// the Route Server.

#include <map>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "drivers/bird/bird_show.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/observe/bgp.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// For each prefix, the NVAs' addresses of the best routes (shortest AS
// path: the ones the kernel holds as one ECMP route), in address order.
std::map<Prefix, std::vector<std::string>> nva_next_hops(
    const Lab& lab, const std::vector<bird::Route>& vnet_router_routes);

// Every BGP session of every NVA, as its bgpd reports it (its vty socket):
// to its Route Servers' instances and to other NVAs over overlays, the
// neighbor named as the lab names it. An NVA whose bgpd is not running is
// one row, state NO-FRR.
std::vector<BgpSessionReport> read_nva_sessions(LabState& state, const Lab& lab);

}  // namespace hublab
