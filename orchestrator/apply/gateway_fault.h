#pragma once

// The gateway fault, beside apply/tunnels and apply/bgp (the daemons it
// stops): a gateway's, or one active-active instance's, BIRD stopped, its
// IKE SAs deleted, its charons stopped. Up starts them again and brings back
// every tunnel no other fault holds.

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// The whole gateway (every instance), or one instance of it. Throws
// std::invalid_argument naming what is not the lab's.
void set_gateway(LabState& state, const Lab& lab, const std::string& gateway,
                 std::optional<int> instance, bool up);

// The nodes of a gateway (its instances), or of one instance of it.
std::vector<std::string> gateway_nodes(const Lab& lab, const std::string& gateway,
                                       std::optional<int> instance);

}  // namespace hublab
