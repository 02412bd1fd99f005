#include "orchestrator/plan/hidden_hops.h"

#include "orchestrator/lab/naming.h"

namespace hublab {

void plan_hidden_hops(FabricPlanner& fabric, const Vnet& vnet) {
  if (fabric.lab.hops_visible) return;
  TtlBoostSpec boost{fabric.netns_of(vnet.name), {}};
  for (size_t i = 0; i < vnet.subnets.size(); ++i)
    if (vnet.subnets[i].name != kGatewaySubnet)  // gateways are fabric, not VMs
      boost.interfaces.push_back(naming::subnet_bridge(i));
  if (!boost.interfaces.empty()) fabric.plan.ttl_boosts.push_back(boost);
}

}  // namespace hublab
