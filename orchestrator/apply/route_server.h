#pragma once

// The NVAs' FRRouting at run time (plan/route_server): each NVA's zebra,
// bgpd and staticd started in its VM's namespace, recorded in the lab state
// before they run. The Route Server instances' BIRDs are the lab's other
// BGP speakers (apply/bgp).

#include <string>
#include <vector>

#include "orchestrator/plan/route_server.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// The lab state's kind for an FRR daemon ("frr-bgpd", frr::daemon_kind),
// recorded by its VM.
std::string frr_daemon_kind(const std::string& daemon);

// Starts every NVA's FRR side by side, writing each configuration.
void start_nvas(LabState& state, const std::vector<NvaSpec>& nvas);
// Starts one NVA's FRR again on the configuration it had (a fault's end).
void restart_nva(LabState& state, const NvaSpec& nva);
// Stops one NVA's FRR: bgpd first, whose goodbye (a Cease) withdraws its
// routes from the Route Server at once. Returns whether it was running.
bool stop_nva(LabState& state, const std::string& vm);

}  // namespace hublab
