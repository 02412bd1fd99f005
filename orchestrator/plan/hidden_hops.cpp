#include "orchestrator/plan/hidden_hops.h"

namespace hublab {

void plan_hidden_hops(FabricPlanner& fabric, const Vnet& vnet) {
  if (fabric.lab.hops_visible) return;
  // Gateways are fabric, not VMs: what they send is not boosted.
  TtlBoostSpec boost{fabric.netns_of(vnet.name), vm_subnet_bridges(vnet)};
  if (!boost.interfaces.empty()) fabric.plan.ttl_boosts.push_back(boost);
}

}  // namespace hublab
