#pragma once

// Route tables (user-defined routes) in the fabric, rule 7 of
// docs/azure-rules.md: each subnet's user routes in its kernel table, in
// front of BGP; appliances in the subnet's VNet on their subnet's bridge,
// appliances in a peered VNet over an appliance link of the subnet's own.

#include "orchestrator/plan/fabric_planner.h"

namespace hublab {

// The VM a subnet's route names as appliance: in the subnet's VNet, else
// in a VNet it reaches over a peering (VNets that are not peered may reuse
// addresses). Needs the topology's peering links.
const Vm* appliance_for(const FabricPlanner& fabric, const Vnet& vnet, Ipv4 address);

// The appliance links of a VNet's subnets, after its peerings: one per
// subnet and appliance VNet, with the far router's table that delivers to
// the appliance each route names.
void plan_appliance_links(FabricPlanner& fabric, const Vnet& vnet);

// A subnet's route table in its kernel table (user > BGP > system at equal
// prefixes; the kernel's longest match does the rest).
void plan_user_routes(FabricPlanner& fabric, const Vnet& vnet, size_t subnet,
                      const RouteTable& table, const SubnetTable& routes);

}  // namespace hublab
