#include "orchestrator/plan/fabric_planner.h"

#include "orchestrator/lab/naming.h"

namespace hublab {

InterfaceRef FabricPlanner::new_interface(const std::string& netns, const std::string& name) {
  int& last = last_ifindex_[netns];
  if (last == 0) last = 1;  // lo
  return {netns, name, ++last, MacAddress::local(++last_mac_)};
}

void FabricPlanner::neighbor(const InterfaceRef& on, Ipv4 address, const InterfaceRef& owner) {
  plan.neighbors.push_back({on, address, *owner.mac});
}

void FabricPlanner::neighbors(const InterfaceRef& a, Ipv4 a_address, const InterfaceRef& b,
                              Ipv4 b_address) {
  neighbor(a, b_address, b);
  neighbor(b, a_address, a);
}

void FabricPlanner::add_point_to_point(const InterfaceRef& a, Ipv4 a_address, const InterfaceRef& b,
                                       Ipv4 b_address, std::optional<size_t> peering,
                                       int prefix_length) {
  plan.veths.push_back({a, b, 0, peering});
  plan.addresses.push_back({a, a_address, prefix_length});
  plan.addresses.push_back({b, b_address, prefix_length});
  neighbors(a, a_address, b, b_address);
}

std::string FabricPlanner::netns_of(const std::string& node) const {
  return naming::namespace_name(lab.name, node);
}

InterfaceRef FabricPlanner::attach_to_subnet(const std::string& netns, const std::string& nic_name,
                                             const std::string& port_name, const std::string& vnet,
                                             const Subnet& subnet, Ipv4 address) {
  const InterfaceRef& bridge = bridges.at({vnet, subnet.name});
  InterfaceRef nic = new_interface(netns, nic_name);
  InterfaceRef port = new_interface(bridge.netns, port_name);
  plan.veths.push_back({port, nic, bridge.ifindex});
  plan.addresses.push_back({nic, address, subnet.prefix.length});
  neighbors(nic, address, bridge, subnet.prefix.gateway());
  return nic;
}

void FabricPlanner::add_namespace(const std::string& node, NodeRole role) {
  std::string netns = netns_of(node);
  plan.namespaces.push_back({netns, node, role});
  // No IPv6 in the lab: it spares each interface DAD and router
  // solicitations, and Azure's routes here are IPv4.
  plan.sysctls.push_back({netns, "net/ipv6/conf/all/disable_ipv6", "1"});
  plan.sysctls.push_back({netns, "net/ipv6/conf/default/disable_ipv6", "1"});
  // Linux rate-limits ICMP errors (a burst of 6, then 1/s per host): a check
  // of many pairs, or a UDP trace, would see answers go missing.
  plan.sysctls.push_back({netns, "net/ipv4/icmp_ratemask", "0"});
  // A VM forwards as its NIC's setting says (plan/fabric); a Route Server
  // forwards no data traffic.
  if (role != NodeRole::kVm && role != NodeRole::kRouteServer) {
    plan.sysctls.push_back({netns, "net/ipv4/ip_forward", "1"});
    // Replies to a peered VNet leave by another table than the request came
    // in by; strict reverse-path filtering would drop them.
    plan.sysctls.push_back({netns, "net/ipv4/conf/all/rp_filter", "0"});
    plan.sysctls.push_back({netns, "net/ipv4/conf/default/rp_filter", "0"});
  }
}

const std::vector<PeerLink>& FabricPlanner::peers_of(const std::string& vnet) const {
  static const std::vector<PeerLink> none;
  auto found = peers.find(vnet);
  return found == peers.end() ? none : found->second;
}

void FabricPlanner::drop_the_rest(const std::string& netns, uint32_t table, RouteSource source) {
  plan.routes.push_back({.netns = netns,
                         .table = table,
                         .destination = Prefix{},
                         .kind = RouteSpec::Kind::kBlackhole,
                         .source = source,
                         .metric = kDefaultSystemRouteMetric});
}

std::vector<std::string> vm_subnet_bridges(const Vnet& vnet) {
  std::vector<std::string> bridges;
  for (size_t i = 0; i < vnet.subnets.size(); ++i)
    if (vnet.subnets[i].name != kGatewaySubnet) bridges.push_back(naming::subnet_bridge(i));
  return bridges;
}

void SubnetTable::add(Prefix destination, RouteSpec::Kind kind, std::optional<Ipv4> via,
                      int ifindex, RouteSource source, uint32_t metric) const {
  fabric.plan.routes.push_back({.netns = netns,
                                .table = table,
                                .destination = destination,
                                .kind = kind,
                                .via = via,
                                .ifindex = ifindex,
                                .source = source,
                                .metric = metric});
}

}  // namespace hublab
