#pragma once

// Azure's system routes in every subnet's kernel table: rules 1, 2 and 6 of
// docs/azure-rules.md (the VNet's own space, its peerings' spaces, the
// default routes), with the subnet's route table (plan/route_tables) in
// front of them; the kernel's longest-prefix match then does what Azure's
// route selection does.

#include <vector>

#include "orchestrator/plan/fabric_planner.h"

namespace hublab {

// The routes every Azure subnet has whatever the lab says: rule 6.
struct DefaultSystemRoute {
  const char* prefix;
  RouteSource source;
};
const std::vector<DefaultSystemRoute>& default_system_routes();

// Every subnet's table of a VNet router, after the topology and the
// appliance links; what the router is given and has no route for drops.
void plan_subnet_routes(FabricPlanner& fabric, const Vnet& vnet);

}  // namespace hublab
