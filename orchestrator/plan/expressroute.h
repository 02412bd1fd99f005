#pragma once

// ExpressRoute as plain data (docs/azure-rules.md, ExpressRoute):
//  - each circuit's two edge routers (Microsoft's MSEEs, AS 12076) are nodes
//    of their own, each a silent hop: it takes one off the TTL and never
//    answers traceroute, as the real deployment's `???` shows;
//  - each connection of a gateway to a circuit is two links, one to each
//    edge router (lab/expressroute numbers them), each with the circuit's
//    latency where the kernel can delay;
//  - every ExpressRoute gateway speaks eBGP to both edges of each of its
//    circuits: what they bring is installed twice (ECMP), and the gateway
//    passes it to its VNet's router like a VPN gateway (plan/bgp);
//  - the edges pass each gateway's VNets on to the circuit's other gateways,
//    replacing Azure's 65515 with their own ASN as they do (the path reads
//    12076 12076 at the far gateway), which the far gateway takes only with
//    allow_remote_vnet_traffic.

#include <vector>

#include "base/ipv4.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/fabric_planner.h"

namespace hublab {

// A circuit's edge routers: their namespaces, each a silent hop that drops
// what it does not route.
void plan_edge_routers(FabricPlanner& fabric, const Circuit& circuit);
// Connection `index` of lab.circuit_connections: its gateway's link to each
// of the circuit's edge routers. After the gateways and the edge routers.
void plan_circuit_connection(FabricPlanner& fabric, size_t index);

// Whether a gateway is connected to any circuit.
bool joins_a_circuit(const Lab& lab, const Gateway& gateway);
// What an ExpressRoute gateway learns from all its circuits: the site on
// each (its customer edge), and nothing of other VNets unless it allows
// remote VNet traffic (Azure's default: not); what a site learns: every
// VNet its circuits' gateways serve.
std::vector<Prefix> learned_over_circuits(const Lab& lab, const Gateway& gateway);

// An ExpressRoute gateway's BGP speaker: a session to each edge of each of
// its circuits, and one to its VNet's router; it advertises the VNets it
// serves (served_spaces) to its circuits.
BgpRouter plan_expressroute_gateway(const Lab& lab, const Gateway& gateway);
// A site that is its circuits' customer edge: its router's sessions to both
// edges of each, in the circuit's peer ASN, preferring the circuit.
void plan_customer_edge(const Lab& lab, const Gateway& site, BgpRouter& router);
inline constexpr uint32_t kCircuitPreferredByTheSite = 200;
// The edge routers' BGP speakers, two per circuit that has connections.
std::vector<BgpRouter> plan_edge_routers_bgp(const Lab& lab);

}  // namespace hublab
