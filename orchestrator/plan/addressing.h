#pragma once

// The emulation's kernel numbering, in one place: routing tables and rule
// priorities per subnet, route metrics, the link-local numbering of peering
// links and gateway uplinks, and the hidden-hops TTL boost. Every stage that
// writes or reads kernel objects takes its numbers from here.

#include <cstddef>
#include <cstdint>

#include "base/ipv4.h"

namespace hublab {

// The kernel's main table (RT_TABLE_MAIN): a VNet router's transit traffic,
// a VM's and a gateway's own routes.
constexpr uint32_t kMainTable = 254;

// Each subnet of a VNet router routes by its own kernel table, selected by
// the subnet bridge as input interface: Azure routes per subnet.
uint32_t subnet_table(size_t subnet_index);
uint32_t subnet_rule_priority(size_t subnet_index);
// The router's own packets (ICMP errors, for one) reach peered VNets
// through this table; everything else of theirs goes by main.
constexpr uint32_t kRouterOwnTable = 99;

// Hidden hops: a VNet router raises the TTL of packets that enter the fabric
// from a VM by this much (when it is low enough for traceroute), more than
// the fabric routers on any path, so that no fabric router lets a TTL
// expire. Only the first router does, so a routing loop still wears the TTL
// down and dies.
constexpr int kHiddenHopsTtlBoost = 16;
constexpr int kHiddenHopsMaxTtl = 32;

// Kernel metrics decide between routes of equal prefix in one table. BIRD
// installs BGP routes at kBgpRouteMetric; Azure's default system routes sit
// behind them (a BGP route beats a system route of the same prefix), while
// the VNet's own and its peerings' routes stay in front (rule 5's exception;
// BIRD also refuses BGP routes inside those spaces).
constexpr uint32_t kBgpRouteMetric = 32;
// User routes (a subnet's route table) in front of BGP; the system routes
// of the same prefix they override, behind everything.
constexpr uint32_t kUserRouteMetric = 16;
constexpr uint32_t kOverriddenSystemRouteMetric = 2000;
// A far VNet's space over a connection without BGP: like a BGP route, but
// behind one of the same prefix.
constexpr uint32_t kStaticGatewayRouteMetric = 33;
constexpr uint32_t kDefaultSystemRouteMetric = 1000;

// Peering links are numbered from 169.254.0.0/16, one /31 each: link-local
// space never collides with a VNet's address space. Side 0 holds the even one.
Ipv4 peering_link_address(size_t peering_index, int side);

// Appliance links (a subnet's user routes to an appliance in a peered
// VNet) are numbered from 169.254.64.0/18, one /31 each: side 0 is the
// subnet's VNet router, side 1 the appliance's.
Ipv4 appliance_link_address(size_t link_index, int side);
// In the appliance's VNet router, what arrives over an appliance link goes
// by the link's own table: to the appliance the subnet's route named.
uint32_t appliance_link_table(size_t link_index);

// A connection end's two links to its gateway are numbered from
// 169.254.128.0/17, one /31 each: `end` 0 is the gateway's address, 1 the
// tunnel namespace's.
Ipv4 tunnel_link_address(size_t connection_index, int side, int end);

// In a tunnel namespace: what arrives from the gateway goes by this table
// (into ipsec0, else dropped); the namespace's own packets (IKE, ESP) and
// what leaves the tunnel go by main.
constexpr uint32_t kTunnelTable = 100;
// In the internet namespace: a gateway's public IP is held by each of its
// connections' ends, so packets to it are routed by their source, the far
// end's public IP, through a table per connection end.
uint32_t internet_tunnel_table(size_t connection_index, int side);

// The address every connection end's WAN side uses as its next hop into the
// internet namespace (held by each of the internet's gateway links).
Ipv4 internet_next_hop();

}  // namespace hublab
