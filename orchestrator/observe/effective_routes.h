#pragma once

// The effective routes of a VM's NIC as Azure shows them, read from the
// running lab: the kernel table of the VM's subnet in its VNet router, and
// that router's BIRD for what BGP offered and Azure's rules refused.

#include <string>
#include <vector>

#include "base/ipv4.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/model/effective_route.h"
#include "orchestrator/plan/lab_plan.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// `plan` is the one `up` kept (plan/plan_record.h): its static gateway
// routes (kStaticGatewayRoutesPart) tell which gateway routes stand for a
// connection without BGP.
std::vector<EffectiveRoute> read_effective_routes(LabState& state, const Lab& lab,
                                                  const LabPlan& plan, const Vm& vm);
// The same for any subnet of an Azure VNet (a GatewaySubnet, say).
std::vector<EffectiveRoute> read_subnet_routes(LabState& state, const Lab& lab, const LabPlan& plan,
                                               const std::string& vnet, const std::string& subnet);

}  // namespace hublab
