#pragma once

// The fabric plan: every kernel object a lab needs, as plain data. Planning is
// pure (no host access), so it is unit-tested on its own, and `up` only has to
// apply the plan in order. plan/fabric.cpp plans the topology; each feature
// that adds to the fabric plans in a file of its own stem (route_tables,
// system_routes, hidden_hops, forwarded_traffic, tunnels' connection ends,
// static_gateway_routes), on plan/fabric_planner.h.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "base/mac_address.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/plan/addressing.h"
#include "orchestrator/plan/route_source.h"

namespace hublab {

enum class NodeRole {
  kVm,
  kVnetRouter,
  kSite,
  kGateway,
  kTunnelEnd,
  kInternet,
  kEdgeRouter,
  kRouteServer
};

struct NamespaceSpec {
  std::string name;  // under /run/netns
  std::string node;  // the lab element it stands for
  NodeRole role;
};

// Interfaces get fixed indexes (lo is 1 in a new namespace), so that later
// steps can name them without asking the kernel.
struct InterfaceRef {
  std::string netns;
  std::string name;
  int ifindex = 0;
  std::optional<MacAddress> mac;  // given by the plan, unique in the lab
};

struct BridgeSpec {
  InterfaceRef bridge;
  std::string alias;  // the subnet's name: "ip link" shows it
};

struct VethSpec {
  InterfaceRef a, b;
  int a_master = 0;  // bridge ifindex in a's namespace, 0 for none
  // A link across a peering (the peering's own, or an appliance link over
  // it): a fault on the peering takes it down.
  std::optional<size_t> peering;
};

// A permanent neighbor entry: every L3 neighbor of the lab is known to the
// plan, and learned entries would count toward the host's neighbor table
// limit (1024 in all namespaces together): a 1000-VNet lab overflowed it.
struct NeighborSpec {
  InterfaceRef interface;  // where the neighbor is reached
  Ipv4 address;
  MacAddress mac;
};

struct AddressSpec {
  InterfaceRef interface;
  Ipv4 address;
  int prefix_length = 0;
};

struct RouteSpec {
  std::string netns;
  uint32_t table = kMainTable;
  Prefix destination;
  // kThrow: go on with the next routing rule (the main table, where the
  // VNet's subnets are connected routes).
  enum class Kind { kUnicast, kBlackhole, kThrow } kind = Kind::kUnicast;
  std::optional<Ipv4> via;
  int ifindex = 0;  // 0 for blackholes
  RouteSource source;
  bool onlink = false;  // the next hop is on the link whatever its prefix
  uint32_t metric = 0;
  std::optional<Ipv4> source_address;  // preferred source of the node's own packets
};

struct RuleSpec {
  std::string netns;
  std::string iif;  // "" for any
  std::optional<Prefix> from, to;
  uint32_t table = 0;
  uint32_t priority = 0;
};

struct SysctlSpec {
  std::string netns;
  std::string path;  // below /proc/sys
  std::string value;
};

// Hidden hops in one VNet router: the TTL boost for packets from its VMs'
// subnets (see kHiddenHopsTtlBoost).
struct TtlBoostSpec {
  std::string netns;
  std::vector<std::string> interfaces;
};

// Forwarded traffic into a peered VNet that refuses it: in a VNet router,
// what comes in from a VM subnet and leaves toward such a VNet is dropped
// unless its source is in the VNet's own space (the VM sent it; it is not
// forwarded). See docs/azure-rules.md, rule 8.
struct ForwardedTrafficGuardSpec {
  std::string netns;
  std::vector<std::string> from_interfaces;  // the VM subnets' bridges
  std::vector<std::string> to_interfaces;    // links into refusing VNets
  std::vector<Prefix> own_sources;           // the VNet's address space
};

// A router that counts as a hop but never answers traceroute: an ExpressRoute
// circuit's edge router (plan/expressroute). A packet the hidden hops carry
// (TtlBoostSpec) loses one of the TTL it will arrive with, and is dropped
// here, silently, when that was its last; it sends no ICMP time exceeded.
struct SilentHopSpec {
  std::string netns;
};

// A one-way delay on what leaves an interface (netem), where the kernel has
// it: a circuit's latency on its edge links.
struct LinkDelaySpec {
  InterfaceRef interface;
  int delay_ms = 0;
  std::string circuit;  // whose latency it is, for the note when it cannot be applied
};

// A VXLAN device in a VM's namespace (plan/vxlan): one end of an overlay
// between two NVAs, its UDP packets from the VM's NIC address to the far
// end's, through Azure's fabric.
struct VxlanSpec {
  InterfaceRef device;
  uint32_t vni = 0;
  Ipv4 local, remote;
};

struct FabricPlan {
  std::vector<NamespaceSpec> namespaces;
  std::vector<SysctlSpec> sysctls;
  std::vector<BridgeSpec> bridges;
  std::vector<VethSpec> veths;
  std::vector<VxlanSpec> vxlans;
  std::vector<AddressSpec> addresses;
  std::vector<NeighborSpec> neighbors;
  std::vector<RouteSpec> routes;
  std::vector<RuleSpec> rules;
  std::vector<TtlBoostSpec> ttl_boosts;
  std::vector<ForwardedTrafficGuardSpec> forwarded_traffic_guards;
  std::vector<SilentHopSpec> silent_hops;
  std::vector<LinkDelaySpec> link_delays;
};

// `lab` must have passed validation.
FabricPlan plan_fabric(const Lab& lab);

}  // namespace hublab
