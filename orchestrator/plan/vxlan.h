#pragma once

// A VXLAN overlay between two NVAs as plain data (docs/azure-rules.md,
// RS12): in each VM's namespace a VXLAN device to the other's NIC address,
// its overlay address, the far end known without ARP, and a /32 to the far
// NIC through the subnet's router. That /32 keeps the underlay out from
// under the overlay: the far hub's space, which BGP brings over the overlay,
// covers the far NIC too, and a VXLAN whose remote is routed through itself
// has the kernel drop what it sends.

#include "orchestrator/plan/fabric_planner.h"

namespace hublab {

void plan_vxlan(FabricPlanner& fabric, const Vxlan& vxlan);

}  // namespace hublab
