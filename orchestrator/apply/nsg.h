#pragma once

// The NSG filters made real (plan/nsg): in each VNet router with one, the
// bridge hands its IPv4 packets to connection tracking, and one nftables
// batch installs the lists on its VMs' ports. The namespaces are the
// fabric's, so `down` removes the filters with them.

#include <vector>

#include "orchestrator/plan/nsg.h"

namespace hublab {

void apply_nsg_filters(const std::vector<NsgFilterSpec>& specs);

}  // namespace hublab
