#include "orchestrator/plan/static_gateway_routes.h"

#include "orchestrator/plan/expressroute.h"

namespace hublab {

std::vector<StaticGatewayRoute> static_gateway_routes(const Lab& lab, const Gateway& gateway) {
  std::vector<StaticGatewayRoute> routes;
  for (size_t i = 0; i < lab.connections.size(); ++i) {
    const Connection& c = lab.connections[i];
    if (c.enable_bgp) continue;
    for (int side = 0; side < 2; ++side)
      if (c.gateways[side] == gateway.name) {
        const Gateway& far = *lab.find_gateway(c.gateways[1 - side]);
        // Azure's hidden local network gateway holds the far VNet's space; a
        // site's device is configured, as its admin would, with every VNet
        // the Azure gateway serves.
        if (gateway.on_premises)
          for (const Vnet* vnet : lab.vnets_served_by(far))
            for (const Prefix& space : vnet->address_space)
              routes.push_back({gateway.name, i, far.name, space});
        else
          for (const Prefix& space : lab.find_vnet(far.vnet)->address_space)
            routes.push_back({gateway.name, i, far.name, space});
      }
  }
  return routes;
}

void plan_static_gateway_routes(FabricPlanner& fabric, const Gateway& gateway) {
  const Lab& lab = fabric.lab;
  const std::vector<StaticGatewayRoute> routes = static_gateway_routes(lab, gateway);
  if (routes.empty()) return;
  const std::string gateway_netns = fabric.netns_of(gateway.name);
  const Vnet& hub = *lab.find_vnet(gateway.vnet);
  // A site's device is its router: the route into the connection is all.
  const std::vector<const Vnet*> served =
      gateway.on_premises ? std::vector<const Vnet*>{} : lab.vnets_served_by(gateway);
  for (const StaticGatewayRoute& r : routes) {
    const int side = lab.connections[r.connection].gateways[0] == gateway.name ? 0 : 1;
    fabric.plan.routes.push_back({.netns = gateway_netns,
                                  .table = kMainTable,
                                  .destination = r.prefix,
                                  .via = tunnel_link_address(r.connection, side, 1),
                                  .ifindex = fabric.tunnel_ports.at({gateway.name, r.connection}),
                                  .source = RouteSource::kGatewayStatic,
                                  // A site on a circuit: beneath BIRD's, so the circuit wins (E9).
                                  .metric = gateway.on_premises && joins_a_circuit(lab, gateway)
                                                ? kStaticGatewayRouteMetric
                                                : 0});
  }
  for (const Vnet* vnet : served) {
    std::vector<Prefix> shielded = vnet->address_space;
    for (const PeerLink& peer : fabric.peers_of(vnet->name))
      for (const Prefix& space : lab.find_vnet(peer.vnet)->address_space) shielded.push_back(space);
    // Toward the gateway: from the hub, its LAN address in the
    // GatewaySubnet; from a spoke, the hub's end of their peering.
    Ipv4 via = lab.bgp_peer_ip(gateway);
    int ifindex = fabric.bridges.at({hub.name, kGatewaySubnet}).ifindex;
    for (const PeerLink& peer : fabric.peers_of(vnet->name))
      if (vnet != &hub && peer.vnet == hub.name) {
        via = peer.next_hop;
        ifindex = peer.ifindex;
      }
    std::vector<uint32_t> tables = {kMainTable};
    for (size_t i = 0; i < vnet->subnets.size(); ++i) {
      const RouteTable* table = lab.route_table_of(vnet->subnets[i]);
      if (!table || table->bgp_route_propagation) tables.push_back(subnet_table(i));
    }
    for (const StaticGatewayRoute& r : routes) {
      bool inside = false;
      for (const Prefix& space : shielded) inside |= space.contains(r.prefix.network);
      if (inside) continue;
      for (uint32_t table : tables)
        fabric.plan.routes.push_back({.netns = fabric.netns_of(vnet->name),
                                      .table = table,
                                      .destination = r.prefix,
                                      .via = via,
                                      .ifindex = ifindex,
                                      .source = RouteSource::kGatewayStatic,
                                      .metric = kStaticGatewayRouteMetric});
    }
  }
}

}  // namespace hublab
