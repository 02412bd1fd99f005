#pragma once

// Tunnels of a running lab, as both of their charons report them.

#include <string>
#include <vector>

#include "orchestrator/state/lab_state.h"
#include "drivers/strongswan/site_to_site.h"
#include "orchestrator/lab/lab.h"

namespace hublab {

// Reads a tunnel's state from both of its charons, for `hublab status`.
struct TunnelReport {
  std::string connection;
  std::string gateways[2];
  strongswan::TunnelStatus sides[2];
  bool daemon_alive[2] = {false, false};
};
std::vector<TunnelReport> read_tunnels(LabState& state, const Lab& lab);

}  // namespace hublab
