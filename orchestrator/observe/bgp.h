#pragma once

// BGP sessions of a running lab, as each node's BIRD reports them.

#include <cstdint>
#include <string>
#include <vector>

#include "orchestrator/plan/bgp.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// BGP sessions of a running lab, for `hublab status`.
struct BgpSessionReport {
  std::string node;
  std::string session;
  std::string neighbor;
  // BGP state, or "NO-BIRD" when its daemon is gone; an NVA's (from its
  // bgpd): "NO-FRR" when bgpd is gone, "NO-ANSWER" when it does not answer.
  std::string state;
  std::string since;
  std::string last_error;
  uint32_t imported = 0, exported = 0;
};
// Each session of `routers` (the plan `up` kept) as its BIRD reports it.
std::vector<BgpSessionReport> read_bgp_sessions(LabState& state,
                                                const std::vector<BgpRouter>& routers);

}  // namespace hublab
