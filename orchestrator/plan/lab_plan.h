#pragma once

// Everything `up` decides for a lab, as plain data: the fabric, each BGP
// speaker, each tunnel, and which gateway routes stand for a connection
// without BGP. `up` applies it and keeps it with the running lab
// (plan/plan_record.h), so that observe and faults read what was made
// instead of planning the lab file again.

#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/shared_key.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/fabric.h"
#include "orchestrator/plan/nsg.h"
#include "orchestrator/plan/route_server.h"
#include "orchestrator/plan/static_gateway_routes.h"
#include "orchestrator/plan/tunnels.h"

namespace hublab {

struct LabPlan {
  FabricPlan fabric;
  std::vector<BgpRouter> bgp;
  // Every VM that speaks BGP: its FRRouting.
  std::vector<NvaSpec> nvas;
  std::vector<TunnelSpec> tunnels;
  // Every gateway's, in the lab's gateway order.
  std::vector<StaticGatewayRoute> static_gateway_routes;
  // Every VNet router's NSG filters (plan/nsg).
  std::vector<NsgFilterSpec> nsg_filters;
};

// `lab` must have passed validation; `keys` resolved for it (resolve_shared_keys),
// `frr_configs` read for it (read_frr_configs).
LabPlan plan_lab(const Lab& lab, const SharedKeys& keys, const FrrConfigs& frr_configs = {});

}  // namespace hublab
