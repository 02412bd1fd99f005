#pragma once

// Rule 8 (docs/azure-rules.md): what an appliance forwards into a peered
// VNet needs that VNet's allow_forwarded_traffic. Planned as a guard
// (ForwardedTrafficGuardSpec) in the VNet router of a VNet that holds a VM
// with IP forwarding, after the topology and the appliance links.

#include "orchestrator/plan/fabric_planner.h"

namespace hublab {

void plan_forwarded_traffic_guard(FabricPlanner& fabric, const Vnet& vnet);

}  // namespace hublab
