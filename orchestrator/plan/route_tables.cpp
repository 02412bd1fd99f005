#include "orchestrator/plan/route_tables.h"

#include "orchestrator/lab/naming.h"

namespace hublab {

const Vm* appliance_for(const FabricPlanner& fabric, const Vnet& vnet, Ipv4 address) {
  auto in = [&](const std::string& name) -> const Vm* {
    for (const Vm& vm : fabric.lab.vms)
      if (vm.vnet == name && fabric.lab.vm_address(vm) == address) return &vm;
    return nullptr;
  };
  if (const Vm* own = in(vnet.name)) return own;
  for (const PeerLink& peer : fabric.peers_of(vnet.name))
    if (peer.access_allowed)
      if (const Vm* remote = in(peer.vnet)) return remote;
  return nullptr;
}

// The peering's own link cannot carry a subnet's routes to an appliance in
// a peered VNet: on it the far router would see a packet for a spoke, not
// which appliance the subnet's route chose.
namespace {

// A spoke whose hub holds a VPN and an ExpressRoute gateway: the hub's VPN
// gateway, which a user route's "Virtual network gateway" names (E10).
const Gateway* vpn_gateway_of_coexisting_hub(const Lab& lab, const Vnet& vnet) {
  const Gateway* vpn = lab.gateway_serving(vnet, Gateway::Type::kVpn);
  const Gateway* expressroute = lab.gateway_serving(vnet, Gateway::Type::kExpressRoute);
  return vpn && expressroute && vpn->vnet != vnet.name ? vpn : nullptr;
}

}  // namespace

void plan_appliance_links(FabricPlanner& fabric, const Vnet& vnet) {
  if (vnet.on_premises) return;
  for (size_t i = 0; i < vnet.subnets.size(); ++i) {
    const RouteTable* table = fabric.lab.route_table_of(vnet.subnets[i]);
    if (!table) continue;
    // appliance VNet -> its routes, each with the appliance it names (none:
    // a route to the VPN gateway of a hub that holds both gateways, whose
    // router would otherwise prefer the ExpressRoute gateway's route)
    std::map<std::string, std::vector<std::pair<const UserRoute*, const Vm*>>> by_vnet;
    for (const UserRoute& u : table->routes) {
      if (u.next_hop == UserRoute::NextHop::kVirtualAppliance)
        if (const Vm* nva = appliance_for(fabric, vnet, *u.next_hop_ip);
            nva && nva->vnet != vnet.name)
          by_vnet[nva->vnet].emplace_back(&u, nva);
      if (u.next_hop == UserRoute::NextHop::kVirtualNetworkGateway)
        if (const Gateway* vpn = vpn_gateway_of_coexisting_hub(fabric.lab, vnet))
          by_vnet[vpn->vnet].emplace_back(&u, nullptr);
    }
    for (const auto& [far_vnet, routes] : by_vnet) {
      const PeerLink* peer = nullptr;
      for (const PeerLink& p : fabric.peers_of(vnet.name))
        if (p.vnet == far_vnet && p.access_allowed) peer = &p;
      if (!peer) continue;  // refused by the validator
      const size_t k = fabric.appliance_links_count++;
      InterfaceRef near =
          fabric.new_interface(fabric.netns_of(vnet.name), naming::appliance_port(k));
      InterfaceRef far = fabric.new_interface(fabric.netns_of(far_vnet), naming::appliance_port(k));
      fabric.add_point_to_point(near, appliance_link_address(k, 0), far,
                                appliance_link_address(k, 1), peer->peering);
      fabric.appliance_links[{vnet.name, i, far_vnet}] = {
          .vnet = far_vnet,
          .port = near.name,
          .ifindex = near.ifindex,
          .next_hop = appliance_link_address(k, 1),
          .access_allowed = true,
          .forwarded_allowed = peer->forwarded_allowed,
          .peering = peer->peering};
      fabric.plan.rules.push_back({.netns = far.netns,
                                   .iif = far.name,
                                   .table = appliance_link_table(k),
                                   .priority = appliance_link_table(k)});
      for (const auto& [u, nva] : routes) {
        const Gateway* vpn = nva ? nullptr : vpn_gateway_of_coexisting_hub(fabric.lab, vnet);
        fabric.plan.routes.push_back(
            {.netns = far.netns,
             .table = appliance_link_table(k),
             .destination = u->prefix,
             .via = vpn ? fabric.lab.bgp_peer_ip(*vpn) : *u->next_hop_ip,
             .ifindex = fabric.bridges.at({far_vnet, vpn ? kGatewaySubnet : nva->subnet}).ifindex,
             .source = RouteSource::kFabric});
      }
      fabric.drop_the_rest(far.netns, appliance_link_table(k), RouteSource::kFabric);
    }
  }
}

void plan_user_routes(FabricPlanner& fabric, const Vnet& vnet, size_t subnet,
                      const RouteTable& table, const SubnetTable& routes) {
  using Kind = RouteSpec::Kind;
  for (const UserRoute& u : table.routes) {
    switch (u.next_hop) {
      case UserRoute::NextHop::kVirtualAppliance: {
        const Vm* nva = appliance_for(fabric, vnet, *u.next_hop_ip);
        if (!nva) {
          routes.add(u.prefix, Kind::kBlackhole, std::nullopt, 0, RouteSource::kUser,
                     kUserRouteMetric);
          break;
        }
        if (nva->vnet == vnet.name) {  // the appliance's NIC, on its subnet's bridge
          const InterfaceRef& bridge = fabric.bridges.at({vnet.name, nva->subnet});
          routes.add(u.prefix, Kind::kUnicast, *u.next_hop_ip, bridge.ifindex, RouteSource::kUser,
                     kUserRouteMetric);
          break;
        }
        // In a peered VNet: over the subnet's appliance link. While the
        // link is down (the peering faulted), Azure keeps the route and
        // the appliance is out of reach: a stand-in right behind it drops.
        const PeerLink& link = fabric.appliance_links.at({vnet.name, subnet, nva->vnet});
        routes.add(u.prefix, Kind::kUnicast, link.next_hop, link.ifindex, RouteSource::kUser,
                   kUserRouteMetric);
        routes.add(u.prefix, Kind::kBlackhole, std::nullopt, 0, RouteSource::kUser,
                   kUserRouteMetric + 1);
        break;
      }
      case UserRoute::NextHop::kVirtualNetworkGateway: {
        const Gateway* gateway = fabric.lab.gateway_serving(vnet, Gateway::Type::kVpn);
        if (!gateway) break;  // refused by the validator
        if (gateway->vnet == vnet.name) {
          routes.add(u.prefix, Kind::kUnicast, fabric.lab.bgp_peer_ip(*gateway),
                     fabric.bridges.at({vnet.name, kGatewaySubnet}).ifindex, RouteSource::kUser,
                     kUserRouteMetric);
        } else if (vpn_gateway_of_coexisting_hub(fabric.lab, vnet)) {
          // Over the subnet's own link into the hub, whose far end sends it to
          // the VPN gateway (plan_appliance_links); a blackhole stands in
          // while the peering is down, as for an appliance.
          const PeerLink& link = fabric.appliance_links.at({vnet.name, subnet, gateway->vnet});
          routes.add(u.prefix, Kind::kUnicast, link.next_hop, link.ifindex, RouteSource::kUser,
                     kUserRouteMetric);
          routes.add(u.prefix, Kind::kBlackhole, std::nullopt, 0, RouteSource::kUser,
                     kUserRouteMetric + 1);
        } else {
          for (const PeerLink& peer : fabric.peers_of(vnet.name))
            if (peer.vnet == gateway->vnet)
              routes.add(u.prefix, Kind::kUnicast, peer.next_hop, peer.ifindex, RouteSource::kUser,
                         kUserRouteMetric);
        }
        break;
      }
      case UserRoute::NextHop::kVnetLocal: {
        bool inside = false;
        for (const Prefix& space : vnet.address_space) inside |= space.contains(u.prefix.network);
        routes.add(u.prefix, inside ? Kind::kThrow : Kind::kBlackhole, std::nullopt, 0,
                   RouteSource::kUser, kUserRouteMetric);
        break;
      }
      case UserRoute::NextHop::kInternet:
      case UserRoute::NextHop::kNone:
        routes.add(u.prefix, Kind::kBlackhole, std::nullopt, 0, RouteSource::kUser,
                   kUserRouteMetric);
        break;
    }
  }
}

}  // namespace hublab
