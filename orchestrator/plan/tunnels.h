#pragma once

// The lab's IPsec connections as plain data: each side's IKE and ESP
// proposals, addresses and key, resolved before the host is touched; and
// each connection end's place in the fabric.

#include <string>
#include <vector>

#include "base/ipv4.h"
#include "drivers/strongswan/site_to_site.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/shared_key.h"
#include "orchestrator/plan/fabric_planner.h"

namespace hublab {

// A connection with everything resolved (keys included) before the host is
// touched. Side 0 initiates.
struct TunnelSpec {
  std::string connection;
  std::string gateways[2];
  std::string ends[2];              // each side's connection end: its node, namespace and charon
  strongswan::SiteToSite sides[2];  // each from its own gateway's point of view
  std::string keys[2];              // never printed
  Ipv4 bgp_peer_ips[2];
};

// A pure function of the lab and its keys (resolved before planning, see
// resolve_shared_keys); every connection must have its keys there.
std::vector<TunnelSpec> plan_tunnels(const Lab& lab, const SharedKeys& keys);

// A connection end in the fabric (side 0 or 1 of connection `index`), after
// the gateways: its namespace, its links to its gateway and to the
// internet, and their routes and rules.
void plan_connection_end(FabricPlanner& fabric, size_t index, int side);

}  // namespace hublab
