#include "orchestrator/plan/system_routes.h"

#include "orchestrator/plan/route_tables.h"

namespace hublab {

const std::vector<DefaultSystemRoute>& default_system_routes() {
  // 0.0.0.0/0 is "Internet" in Azure. Until the lab has an internet
  // namespace to egress to, it drops like the None routes do.
  static const std::vector<DefaultSystemRoute> routes = {
      {"0.0.0.0/0", RouteSource::kInternet}, {"10.0.0.0/8", RouteSource::kNone},
      {"172.16.0.0/12", RouteSource::kNone}, {"192.168.0.0/16", RouteSource::kNone},
      {"100.64.0.0/10", RouteSource::kNone},
  };
  return routes;
}

void plan_subnet_routes(FabricPlanner& fabric, const Vnet& vnet) {
  using Kind = RouteSpec::Kind;
  const std::string netns = fabric.netns_of(vnet.name);
  for (size_t i = 0; i < vnet.subnets.size() && !vnet.on_premises; ++i) {
    const SubnetTable routes{fabric, netns, subnet_table(i)};
    const RouteTable* user = fabric.lab.route_table_of(vnet.subnets[i]);
    // A system route a user route of the same prefix overrides stays in
    // the table, behind it: Invalid in effective routes.
    auto overridden = [&](const Prefix& p) {
      if (!user) return false;
      for (const UserRoute& u : user->routes)
        if (u.prefix == p) return true;
      return false;
    };
    auto system_metric = [&](const Prefix& p) {
      return overridden(p) ? kOverriddenSystemRouteMetric : 0;
    };
    // The VNet's own space: one row, as in Azure; the main table then
    // delivers into the subnets (connected routes).
    for (const Prefix& space : vnet.address_space)
      routes.add(space, Kind::kThrow, std::nullopt, 0, RouteSource::kVirtualNetwork,
                 system_metric(space));
    if (user) plan_user_routes(fabric, vnet, i, *user, routes);
    for (const PeerLink& peer : fabric.peers_of(vnet.name)) {
      if (!peer.access_allowed) continue;
      for (const Prefix& space : fabric.lab.find_vnet(peer.vnet)->address_space) {
        routes.add(space, Kind::kUnicast, peer.next_hop, peer.ifindex, RouteSource::kVnetPeering,
                   system_metric(space));
        if (i == 0)
          fabric.plan.routes.push_back({.netns = netns,
                                        .table = kRouterOwnTable,
                                        .destination = space,
                                        .via = peer.next_hop,
                                        .ifindex = peer.ifindex,
                                        .source = RouteSource::kFabric});
      }
    }
    for (const DefaultSystemRoute& system : default_system_routes())
      routes.add(*Prefix::parse(system.prefix), Kind::kBlackhole, std::nullopt, 0, system.source,
                 kDefaultSystemRouteMetric);
  }
  // What reaches the router from a peering or a gateway and is not for one
  // of its subnets or a BGP route drops without an ICMP error, as in Azure.
  fabric.drop_the_rest(netns, kMainTable, RouteSource::kNone);
}

}  // namespace hublab
