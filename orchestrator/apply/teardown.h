#pragma once

#include "orchestrator/state/lab_state.h"

namespace hublab {

// Removes every daemon and namespace the lab's journals name (and with them
// every interface and route of the lab), then the state directory.
// Returns how many namespaces it removed.
int tear_down(LabState& state);
// Its two steps.
void stop_lab_daemons(LabState& state);
int remove_lab_namespaces(LabState& state);

}  // namespace hublab
