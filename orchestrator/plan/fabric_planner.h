#pragma once

// What the fabric's planners share while they plan one lab: the plan being
// written, the interface and MAC numbering, and what the topology made that
// each feature plans on (subnet bridges, peering links, appliance links,
// gateway tunnel ports). plan/fabric.cpp makes the topology and calls each
// feature's planner in turn (route tables, system routes, hidden hops, the
// forwarded-traffic guard, connection ends, static gateway routes), each in
// a file of its own; the order of those calls is the order of the plan.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "base/ipv4.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/plan/fabric.h"

namespace hublab {

// A link out of a VNet router into a peered VNet: the peering's own, or an
// appliance link over it.
struct PeerLink {
  std::string vnet;  // the VNet it leads to
  std::string port;
  int ifindex = 0;
  Ipv4 next_hop;
  bool access_allowed = false;     // this side's allow_virtual_network_access
  bool forwarded_allowed = false;  // the far side's allow_forwarded_traffic
  size_t peering = 0;
};

class FabricPlanner {
 public:
  explicit FabricPlanner(const Lab& lab) : lab(lab) {}

  const Lab& lab;
  FabricPlan plan;

  // A new interface in `netns`, with the next free ifindex and a MAC of
  // its own.
  InterfaceRef new_interface(const std::string& netns, const std::string& name);
  // `on` reaches `address`, held by `owner`, without asking ARP.
  void neighbor(const InterfaceRef& on, Ipv4 address, const InterfaceRef& owner);
  // Two ends of a link (or a NIC and its subnet's bridge), each the other's
  // neighbor.
  void neighbors(const InterfaceRef& a, Ipv4 a_address, const InterfaceRef& b, Ipv4 b_address);
  // A point-to-point link: a veth from `a` to `b` (across `peering`, if
  // any), each end holding its address of one /31, each the other's neighbor.
  void add_point_to_point(const InterfaceRef& a, Ipv4 a_address, const InterfaceRef& b,
                          Ipv4 b_address, std::optional<size_t> peering = std::nullopt,
                          int prefix_length = 31);
  // A node's interface in a subnet: a veth from `netns` to a port of the
  // subnet's bridge, holding `address`, the subnet's .1 its neighbor.
  InterfaceRef attach_to_subnet(const std::string& netns, const std::string& nic_name,
                                const std::string& port_name, const std::string& vnet,
                                const Subnet& subnet, Ipv4 address);
  // A node's namespace with the sysctls every node of its role needs.
  void add_namespace(const std::string& node, NodeRole role);
  std::string netns_of(const std::string& node) const;
  // A table's last resort: a blackhole default behind every other route.
  void drop_the_rest(const std::string& netns, uint32_t table, RouteSource source);

  // The links out of a VNet's router into its peers (none for a VNet
  // without peerings).
  const std::vector<PeerLink>& peers_of(const std::string& vnet) const;

  // Made by the topology, for the features that plan on it.
  std::map<std::pair<std::string, std::string>, InterfaceRef> bridges;  // (VNet, subnet)
  std::map<std::string, std::vector<PeerLink>> peers;                   // by VNet
  // (VNet, subnet index, appliance VNet) -> the subnet's appliance link
  std::map<std::tuple<std::string, size_t, std::string>, PeerLink> appliance_links;
  size_t appliance_links_count = 0;
  std::map<std::pair<std::string, size_t>, int> tunnel_ports;  // (gateway, connection)

 private:
  std::map<std::string, int> last_ifindex_;
  uint32_t last_mac_ = 0;
};

// The bridges of a VNet router's subnets that may hold VMs (all but the
// GatewaySubnet, whose gateways are fabric): where VMs' packets come in.
std::vector<std::string> vm_subnet_bridges(const Vnet& vnet);

// One subnet's kernel table in its VNet router, for the planners that fill
// it (system routes, route tables).
struct SubnetTable {
  FabricPlanner& fabric;
  std::string netns;
  uint32_t table;
  void add(Prefix destination, RouteSpec::Kind kind, std::optional<Ipv4> via, int ifindex,
           RouteSource source, uint32_t metric) const;
};

}  // namespace hublab
