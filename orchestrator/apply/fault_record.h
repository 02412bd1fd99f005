#pragma once

// What every fault shares: the faults set on a running lab, recorded in its
// state (one line each, as lab/faults names them), read and changed here.

#include <string>
#include <vector>

#include "orchestrator/state/lab_state.h"

namespace hublab {

bool fault_held(const std::vector<std::string>& faults, const std::string& fault);
// Records `fault` as set or cleared; returns the faults now set.
std::vector<std::string> record_fault(LabState& state, const std::string& fault, bool set);

}  // namespace hublab
