#pragma once

// The peering fault, beside apply/fabric (which makes the peering's links):
// its links down at both ends (the kernel drops every route through them)
// and each BIRD told what Azure's control plane then does (a gateway stops
// advertising a disconnected spoke; its hub stops reflecting to it). Up
// restores the links, their routes and the configs.

#include <string>

#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// Throws std::invalid_argument when the lab has no such peering.
void set_peering(LabState& state, const Lab& lab, const std::string& vnet_a,
                 const std::string& vnet_b, bool up);

}  // namespace hublab
