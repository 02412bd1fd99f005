#include "orchestrator/plan/lab_plan.h"

namespace hublab {

LabPlan plan_lab(const Lab& lab, const SharedKeys& keys, const FrrConfigs& frr_configs) {
  LabPlan plan{.fabric = plan_fabric(lab),
               .bgp = plan_bgp(lab),
               .nvas = plan_nvas(lab, frr_configs),
               .tunnels = plan_tunnels(lab, keys)};
  for (const Gateway& gateway : lab.gateways)
    for (const StaticGatewayRoute& route : static_gateway_routes(lab, gateway))
      plan.static_gateway_routes.push_back(route);
  plan.nsg_filters = plan_nsg_filters(lab, plan.fabric, plan.bgp);
  return plan;
}

}  // namespace hublab
