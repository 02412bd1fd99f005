#pragma once

// Hidden hops (docs/architecture.md): the VNet router a VM's packet enters
// raises its TTL (TtlBoostSpec), so no emulated router of the fabric answers
// traceroute, as in Azure. Not planned with `hops = "visible"`.

#include "orchestrator/plan/fabric_planner.h"

namespace hublab {

void plan_hidden_hops(FabricPlanner& fabric, const Vnet& vnet);

}  // namespace hublab
