#include "orchestrator/plan/nsg.h"

#include <algorithm>
#include <map>

#include "orchestrator/lab/naming.h"
#include "orchestrator/lab/nsg.h"
#include "orchestrator/plan/addressing.h"

namespace hublab {

namespace {

std::vector<std::optional<uint8_t>> ip_protocols(const SecurityRule& rule) {
  auto ports_any = [](const std::vector<PortRange>& ranges) {
    return std::all_of(ranges.begin(), ranges.end(), [](const PortRange& r) { return r.any(); });
  };
  switch (rule.protocol) {
    case SecurityRule::Protocol::kTcp:
      return {6};
    case SecurityRule::Protocol::kUdp:
      return {17};
    case SecurityRule::Protocol::kIcmp:
      return {1};
    case SecurityRule::Protocol::kEsp:
      return {50};
    case SecurityRule::Protocol::kAh:
      return {51};
    case SecurityRule::Protocol::kAny:
      // Ports exist for TCP and UDP only.
      if (ports_any(rule.source_ports) && ports_any(rule.destination_ports)) return {std::nullopt};
      return {6, 17};
  }
  return {std::nullopt};
}

std::vector<std::optional<std::pair<uint16_t, uint16_t>>> port_tests(
    const std::vector<PortRange>& ranges) {
  std::vector<std::optional<std::pair<uint16_t, uint16_t>>> tests;
  for (const PortRange& r : ranges) {
    if (r.any()) return {std::nullopt};
    tests.emplace_back(std::pair(static_cast<uint16_t>(r.first), static_cast<uint16_t>(r.last)));
  }
  return tests;
}

class NsgPlanner {
 public:
  NsgPlanner(const Lab& lab, const FabricPlan& fabric, const std::vector<BgpRouter>& bgp)
      : lab_(lab), fabric_(fabric), bgp_(bgp) {}

  std::vector<NsgFilterSpec> plan() {
    std::vector<NsgFilterSpec> specs;
    for (const Vnet& vnet : lab_.vnets) {
      if (vnet.on_premises) continue;
      NsgFilterSpec spec{.netns = naming::namespace_name(lab_.name, vnet.name)};
      std::map<std::tuple<std::string, SecurityRule::Direction, std::string>, size_t> lists;
      auto list_of = [&](const std::string& nsg_name, SecurityRule::Direction direction,
                         const Subnet& subnet) {
        auto key = std::tuple(nsg_name, direction, subnet.name);
        auto it = lists.find(key);
        if (it != lists.end()) return it->second;
        spec.lists.push_back(compile(*lab_.find_nsg(nsg_name), direction, vnet, subnet));
        return lists[key] = spec.lists.size() - 1;
      };
      for (const Vm& vm : lab_.vms) {
        if (vm.vnet != vnet.name) continue;
        const Subnet& subnet = *vnet.find_subnet(vm.subnet);
        if (subnet.nsg.empty() && vm.nsg.empty()) continue;
        PortFilter from_vm{.interface = naming::vm_port(vm.name), .outgoing = false};
        PortFilter to_vm{.interface = naming::vm_port(vm.name), .outgoing = true};
        using D = SecurityRule::Direction;
        // Outbound: the NIC's, then the subnet's; inbound the other way.
        if (!vm.nsg.empty()) from_vm.lists.push_back(list_of(vm.nsg, D::kOutbound, subnet));
        if (!subnet.nsg.empty()) {
          from_vm.lists.push_back(list_of(subnet.nsg, D::kOutbound, subnet));
          to_vm.lists.push_back(list_of(subnet.nsg, D::kInbound, subnet));
        }
        if (!vm.nsg.empty()) to_vm.lists.push_back(list_of(vm.nsg, D::kInbound, subnet));
        spec.ports.push_back(std::move(from_vm));
        spec.ports.push_back(std::move(to_vm));
      }
      if (!spec.ports.empty()) specs.push_back(std::move(spec));
    }
    return specs;
  }

 private:
  // An endpoint's prefixes; `any` set when it is every address.
  std::vector<Prefix> expand(const NsgEndpoint& e, const Vnet& vnet, const Subnet& subnet,
                             bool& any) {
    switch (e.kind) {
      case NsgEndpoint::Kind::kAny:
        any = true;
        return {};
      case NsgEndpoint::Kind::kPrefix:
        return {e.prefix};
      case NsgEndpoint::Kind::kServiceTag:
        if (e.name == "VirtualNetwork") {
          // Once per subnet: it reads the whole fabric's routes.
          auto it = tags_.find(&subnet);
          if (it == tags_.end())
            it = tags_.emplace(&subnet, planned_virtual_network(lab_, fabric_, bgp_, vnet, subnet))
                     .first;
          return it->second;
        }
        if (e.name == "Internet") return internet_prefixes();
        return {kAzureHostAddress};
      case NsgEndpoint::Kind::kApplicationSecurityGroup: {
        std::vector<Prefix> members;
        for (const Vm& vm : lab_.vms)
          for (const std::string& group : vm.application_security_groups)
            if (group == e.name) members.push_back({lab_.vm_address(vm), 32});
        return members;
      }
    }
    return {};
  }

  PlannedNsgList compile(const Nsg& nsg, SecurityRule::Direction direction, const Vnet& vnet,
                         const Subnet& subnet) {
    PlannedNsgList list{
        .nsg = nsg.name, .direction = direction_name(direction), .subnet = subnet.name};
    for (const SecurityRule& rule : nsg.rules) {
      if (rule.direction != direction) continue;
      bool any_source = false, any_destination = false;
      std::vector<Prefix> sources, destinations;
      for (const NsgEndpoint& e : rule.sources)
        for (const Prefix& p : expand(e, vnet, subnet, any_source)) sources.push_back(p);
      for (const NsgEndpoint& e : rule.destinations)
        for (const Prefix& p : expand(e, vnet, subnet, any_destination)) destinations.push_back(p);
      if (any_source) sources.clear();
      if (any_destination) destinations.clear();
      // An application security group without members matches nothing.
      if ((!any_source && sources.empty()) || (!any_destination && destinations.empty())) continue;
      for (const auto& protocol : ip_protocols(rule))
        for (const auto& source_ports : port_tests(rule.source_ports))
          for (const auto& destination_ports : port_tests(rule.destination_ports)) {
            PacketTest test{.ip_protocol = protocol,
                            .source_ports = source_ports,
                            .destination_ports = destination_ports,
                            .sources = sources,
                            .destinations = destinations};
            list.rules.push_back({rule.name, rule.priority, rule.allow, std::move(test)});
          }
    }
    return list;
  }

  const Lab& lab_;
  const FabricPlan& fabric_;
  const std::vector<BgpRouter>& bgp_;
  std::map<const Subnet*, std::vector<Prefix>> tags_;
};

}  // namespace

std::vector<Prefix> planned_virtual_network(const Lab& lab, const FabricPlan& fabric,
                                            const std::vector<BgpRouter>& bgp, const Vnet& vnet,
                                            const Subnet& subnet) {
  std::vector<Prefix> prefixes{kAzureHostAddress};
  for (const Prefix& space : vnet.address_space) prefixes.push_back(space);
  const std::string netns = naming::namespace_name(lab.name, vnet.name);
  size_t index = 0;
  while (&vnet.subnets[index] != &subnet) ++index;
  const uint32_t table = subnet_table(index);
  // What the subnet's table reaches by peering, by a gateway without BGP,
  // and every user route's prefix.
  for (const RouteSpec& route : fabric.routes)
    if (route.netns == netns && route.table == table &&
        (route.source == RouteSource::kVnetPeering || route.source == RouteSource::kGatewayStatic ||
         route.source == RouteSource::kUser))
      prefixes.push_back(route.destination);
  // What BGP brings it: gateways' routes, a Route Server's.
  const RouteTable* route_table = lab.route_table_of(subnet);
  if (!route_table || route_table->bgp_route_propagation)
    for (const BgpRouter& router : bgp)
      if (router.kind == BgpRouter::Kind::kVnetRouter && router.node == vnet.name)
        for (const Prefix& p : router.installed) prefixes.push_back(p);
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  return prefixes;
}

std::vector<NsgFilterSpec> plan_nsg_filters(const Lab& lab, const FabricPlan& fabric,
                                            const std::vector<BgpRouter>& bgp) {
  return NsgPlanner(lab, fabric, bgp).plan();
}

}  // namespace hublab
