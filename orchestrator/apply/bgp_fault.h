#pragma once

// The BGP reset, beside apply/bgp: every BGP session of a gateway closed and
// opened again (an event, not a state: nothing is recorded).

#include <chrono>
#include <string>

#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// Returns once every BGP session of the gateway is Established again, with
// how long that took; throws after `timeout`, or std::invalid_argument for
// a gateway that is down or speaks no BGP.
std::chrono::milliseconds reset_bgp(LabState& state, const Lab& lab, const std::string& gateway,
                                    std::chrono::milliseconds timeout);

}  // namespace hublab
