#pragma once

// A BGP router of the plan as BIRD 2's configuration text (bird.conf). Only
// rendering: every decision (sessions, prefixes, tables) is in the plan.

#include <string>

#include "orchestrator/plan/bgp.h"

namespace hublab {

std::string bird_config(const BgpRouter& router, const BirdTimers& timers = {});

}  // namespace hublab
