#pragma once

// Route Server's faults on a running lab (apply/faults): an NVA's FRRouting
// stopped and started again; one instance of a Route Server stopped and
// started again. Each recorded in the lab state (apply/fault_record).

#include <string>

#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// Throws std::invalid_argument when the lab has no such NVA or Route Server.
void set_nva(LabState& state, const Lab& lab, const std::string& vm, bool up);
void set_route_server_instance(LabState& state, const Lab& lab, const std::string& server,
                               int instance, bool up);

}  // namespace hublab
