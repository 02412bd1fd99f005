#pragma once

// Azure's route distribution, as plain data (docs/azure-rules.md, rules 3-5):
//  - a BGP speaker per gateway: eBGP over each BGP connection's tunnel, from
//    BGP peer IP to BGP peer IP; it advertises its VNet's address space, the
//    spaces of the VNets that use it as remote gateway and its BGP peer IP as
//    a /32, and passes routes learned from one peer on to the others;
//  - a BGP speaker per VNet router the gateway serves: iBGP from the gateway
//    (the hub's router reflects to its spokes' routers), installing BGP
//    routes into every subnet's kernel table in front of the default system
//    routes, and refusing those inside the VNet's own or its peers' spaces.
// Who speaks to whom, what each advertises, learns and installs is decided
// here; plan/bird_config renders it as BIRD's configuration text.

#include <cstdint>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "orchestrator/lab/lab.h"

namespace hublab {

struct BirdTimers {
  // BGP's smallest hold time: a lost tunnel withdraws its routes within 3 s.
  int hold_seconds = 3;
  int keepalive_seconds = 1;
};

// Sessions inside a lab (gateway and VNet routers: Azure's own route
// distribution) never lose a link silently: a fault reconfigures or stops
// BIRD, which closes them at once. A long hold time keeps a hub with
// hundreds of spokes, starved of CPU beside a thousand BIRDs, from dropping
// them (3 s expired at 1000 VNets). Keepalives stay at 1 s: at 20 s a
// tunnel's withdrawal took 2.5 s longer to reach the gateway's kernel.
inline constexpr BirdTimers kInternalTimers{.hold_seconds = 60, .keepalive_seconds = 1};

struct BgpSession {
  enum class Kind {
    kTunnel,       // gateway to gateway over a connection's tunnel (eBGP, multihop)
    kToHubRouter,  // gateway to its own VNet's router: exports what it learned
    kFromGateway,  // hub router from its gateway: imports it
    kToSpoke,      // hub router to a spoke router that uses the hub's gateway (reflects)
    kFromHub,      // spoke router from its hub's router
    kToEdge,       // ExpressRoute gateway to one of its circuit's edge routers (eBGP, direct)
    kToExpressRouteGateway,  // edge router to a gateway connected to its circuit
    kToCustomerEdge,         // edge router to the site that is its circuit's customer edge
    kToNva,                  // Route Server instance to an NVA (eBGP, multihop)
    kToVnetRouter,           // Route Server instance to its VNet's router (iBGP, ADD-PATH out)
    kFromRouteServer,        // VNet router from a Route Server instance (ADD-PATH in)
  };
  Kind kind;
  std::string name;  // unique in its router: conn_X, vnet_X, gateway_X, spoke_X, hub_X
  std::string description;
  Ipv4 local;
  uint32_t local_as = 0;
  Ipv4 neighbor;
  uint32_t neighbor_as = 0;
  // Routes this session must have brought before the lab counts as
  // converged: a hub router hears each instance of an active-active gateway
  // on a session of its own, and ECMP needs every one of them. A prefix
  // listed twice must come twice (ADD-PATH: a Route Server passes each
  // NVA's path).
  std::vector<Prefix> expected_from;
  // To an edge: the connection's routing weight, as the local preference
  // of what the edge brings (100 + weight: the highest weight wins); and
  // whether what the circuit brings of other VNets is refused (the
  // gateway's allow_remote_vnet_traffic off).
  // From a gateway (iBGP into a VNet router): set when an ExpressRoute and
  // a VPN gateway coexist, ExpressRoute's routes winning (0: BGP's 100).
  uint32_t local_preference = 0;
  bool refuse_vnet_routes = false;
  // A site's session to an edge router: only these go out (the site's own
  // spaces, never what it routes to Azure over a VPN); empty: no such limit.
  std::vector<Prefix> export_only;
  // Need not be Established for the lab to count as converged: the NVA
  // behind it is stopped by a fault.
  bool optional = false;
  // Branch-to-branch on the VNet's Route Server (RS11): the VNet router
  // reflects between its gateways and the Route Server's instances, which
  // take what it sends; a gateway takes the NVAs' routes from it, and an
  // ExpressRoute gateway passes them on to its circuits.
  bool branch_to_branch = false;
};

// A VNet router's local preference for what an ExpressRoute gateway brings
// when a VPN gateway serves the VNet too (BGP's default is 100).
inline constexpr uint32_t kExpressRouteOverVpn = 200;

// One kernel routing table a router's BGP routes go to.
struct KernelTable {
  std::string name;  // main, or the subnet's name
  uint32_t number = 0;
};

// A peer beyond a hop: a far gateway's BGP peer IP and the connection end
// that reaches it; an NVA and the VNet router a Route Server reaches it by.
struct TunnelPeer {
  Prefix peer;
  Ipv4 via;
};

struct BgpRouter {
  // What the speaker is: its BIRD configuration follows (plan/bird_config).
  enum class Kind { kVnetRouter, kVpnGateway, kExpressRouteGateway, kEdgeRouter, kRouteServer };
  std::string node;  // gateway, VNet or edge router name
  std::string netns;
  Kind kind = Kind::kVnetRouter;
  std::string role;  // what it is, for the config's header
  Ipv4 router_id;
  std::vector<BgpSession> sessions;  // every one must be Established once converged
  // A gateway's own prefixes (rule 3), and its tunnel peers' BGP peer IPs,
  // each reached through its connection's end; a Route Server's: the
  // spaces it serves, and its NVAs.
  std::vector<Prefix> advertised;
  std::vector<TunnelPeer> tunnel_peers;
  // A VNet router's spaces whose system routes beat BGP (rule 5's exception):
  // BGP routes inside them stay in BIRD but reach no kernel table. A Route
  // Server's: the spaces it serves, inside which it takes no NVA's route.
  std::vector<Prefix> shielded;
  // A VNet router's main table, which carries what its peers send through
  // it, shields only the VNet's own space: a peer's packet is here because
  // the peer's own route chose this VNet's gateway or NVA as next hop
  // (Azure takes it there whatever this VNet's subnets would choose), and
  // the peer's router applied its own shield already.
  std::vector<Prefix> transit_shielded;
  std::vector<KernelTable> kernel_tables;
  // A site that is its circuit's customer edge: it hears each of Azure's
  // prefixes from both edges (one ECMP route in the kernel), and what the
  // circuit brings never goes out over its VPN tunnels.
  bool customer_edge = false;
  std::vector<Prefix> expected;   // BGP routes BIRD must have once converged (refused ones too)
  std::vector<Prefix> installed;  // and those every kernel table must have: traffic follows them
};

// Empty when no connection enables BGP and no gateway joins a circuit.
std::vector<BgpRouter> plan_bgp(const Lab& lab);

// BIRD protocol names: letters, digits and '_'.
std::string bird_protocol_name(const std::string& prefix, const std::string& name);
// A gateway's session to its own VNet's router, which hears what it learned.
BgpSession hub_router_session(const Lab& lab, const Gateway& gateway);

// The address spaces of the VNets a gateway serves: its own, then the
// spokes that use it (rule 3's first part, for either kind of gateway).
std::vector<Prefix> served_spaces(const Lab& lab, const Gateway& gateway);

// What a VPN gateway advertises of its own (rule 3), in order: its VNets, its
// BGP peer IP, the far VNets of its connections without BGP.
std::vector<Prefix> advertised_by(const Lab& lab, const Gateway& gateway);

}  // namespace hublab
