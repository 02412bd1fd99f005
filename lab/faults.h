#pragma once

// Faults a trainer sets on a running lab (`hublab fault`), as the lab file's
// terms: what Azure would then have. The model predicts the faulted lab.

#include <string>
#include <vector>

#include "lab/lab.h"

namespace hublab {

// "tunnel CONNECTION": the connection's IKE SA is deleted and held down.
std::string tunnel_fault(const std::string& connection);

// The lab as Azure would have it under `faults`: a connection whose tunnel
// is down carries nothing, as if it were not there.
Lab lab_under_faults(Lab lab, const std::vector<std::string>& faults);

}  // namespace hublab
