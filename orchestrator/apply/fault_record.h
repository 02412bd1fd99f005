#pragma once

// What every fault shares: the faults set on a running lab, recorded in its
// state (one line each, as lab/faults names them), changed here.

#include <vector>

#include "orchestrator/lab/faults.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// Records `fault` as set or cleared; returns the faults now set.
std::vector<Fault> record_fault(LabState& state, const Fault& fault, bool set);

}  // namespace hublab
