#pragma once

// The route a running gateway uses for a destination, read from the lab:
// the longest prefix of its kernel table (what its traffic follows) and, for
// a route BIRD installed, the AS path BGP brought it with. `explain` puts it
// beside the model's step at that gateway.

#include <optional>
#include <string>

#include "orchestrator/state/lab_state.h"
#include "base/ipv4.h"
#include "orchestrator/lab/lab.h"

namespace hublab {

struct GatewayRoute {
  Prefix prefix;
  bool bgp = false;     // learned from a BGP peer (installed by BIRD)
  std::string as_path;  // "65151 65152", for BGP routes
  std::string text;     // "10.100.0.0/16 BGP via ipsec0 (AS path 65151)"
};

// Nothing when the gateway's namespace has no route but the fabric's way to
// the emulated internet, or its daemons are stopped.
std::optional<GatewayRoute> read_gateway_route(LabState& state, const Lab& lab,
                                               const std::string& gateway, Ipv4 destination);

}  // namespace hublab
