#pragma once

// The circuit faults, beside plan/expressroute (which makes the edge links):
// one of a circuit's links down, or both, at both ends of each gateway's link
// to that edge router. The edge's BGP sessions over them close, so what the
// edge brought is withdrawn and the gateways route over the other edge (or,
// with both down, not over the circuit at all). Up brings the links back and
// BGP finds them again.

#include <optional>
#include <string>

#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// `link`: kPrimaryLink or kSecondaryLink, none for both. Throws
// std::invalid_argument when the lab has no such circuit.
void set_circuit(LabState& state, const Lab& lab, const std::string& circuit,
                 std::optional<int> link, bool up);

}  // namespace hublab
