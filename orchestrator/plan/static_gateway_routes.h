#pragma once

// Connections without BGP: a gateway routes the far VNet's address space
// into the connection (Azure's hidden local network gateway holds it), and
// every VNet it serves routes that space to the gateway, as "Virtual
// network gateway" rows of source kGatewayStatic.

#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/plan/fabric_planner.h"

namespace hublab {

// The far VNet's address space a gateway routes over each of its
// connections without BGP, by connection index.
struct StaticGatewayRoute {
  std::string gateway;  // whose route it is
  size_t connection = 0;
  std::string far_gateway;
  Prefix prefix;
};
std::vector<StaticGatewayRoute> static_gateway_routes(const Lab& lab, const Gateway& gateway);

// In the gateway, into the connection's end (plan/tunnels); in each VNet it
// serves, in front of the default system routes as BGP routes are, never
// inside the VNet's own or its peers' spaces (rule 5's exception).
void plan_static_gateway_routes(FabricPlanner& fabric, const Gateway& gateway);

}  // namespace hublab
