#include "orchestrator/plan/bgp.h"

#include <algorithm>
#include <map>
#include <set>

#include "orchestrator/lab/naming.h"
#include "orchestrator/lab/route_server.h"
#include "orchestrator/plan/addressing.h"
#include "orchestrator/plan/expressroute.h"
#include "orchestrator/plan/fabric.h"
#include "orchestrator/plan/route_server.h"
#include "orchestrator/plan/static_gateway_routes.h"

namespace hublab {

namespace {

struct BgpLink {
  const Connection* connection;
  const Gateway* remote;
};

class BgpPlanner {
 public:
  explicit BgpPlanner(const Lab& lab) : lab_(lab) {
    for (const Connection& c : lab.connections) {
      if (!c.enable_bgp) continue;
      for (int side = 0; side < 2; ++side)
        links_[c.gateways[side]].push_back({&c, lab.find_gateway(c.gateways[1 - side])});
    }
  }

  std::vector<BgpRouter> run() {
    std::vector<BgpRouter> routers;
    std::set<std::string> vnets_planned;
    for (const Gateway& gateway : lab_.gateways) {
      if (!speaks_bgp(gateway)) continue;
      if (gateway.expressroute()) {
        // Its circuits' edges teach it (plan/expressroute).
        routers.push_back(plan_expressroute_gateway(lab_, gateway));
      } else {
        routers.push_back(plan_gateway(gateway));
        // A site may be its circuit's customer edge too.
        if (gateway.on_premises && joins_a_circuit(lab_, gateway))
          plan_customer_edge(lab_, gateway, routers.back());
      }
      if (gateway.on_premises) continue;  // a site's device is its router
      // An active-active gateway's VNets are planned once, with its instance
      // 0; a VNet with a VPN and an ExpressRoute gateway, once for both.
      if (!gateway.instance_of.empty()) continue;
      for (const Vnet* vnet : lab_.vnets_served_by(gateway))
        if (vnets_planned.insert(vnet->name).second) routers.push_back(plan_vnet_router(*vnet));
    }
    for (BgpRouter& edge : plan_edge_routers_bgp(lab_)) routers.push_back(std::move(edge));
    // Route Servers (plan/route_server): their instances, and the routers of
    // the VNets they serve.
    for (const RouteServer& server : lab_.route_servers) {
      for (BgpRouter& instance : plan_route_server_instances(lab_, server))
        routers.push_back(std::move(instance));
      for (const Vnet* vnet : vnets_served_by(lab_, server))
        if (vnets_planned.insert(vnet->name).second) routers.push_back(plan_vnet_router(*vnet));
    }
    return routers;
  }

 private:
  // Whether a gateway (or site) runs BGP: over a VPN connection with BGP, or
  // to a circuit.
  bool speaks_bgp(const Gateway& gateway) {
    if (gateway.expressroute()) return joins_a_circuit(lab_, gateway);
    return links_.count(gateway.name) || (gateway.on_premises && joins_a_circuit(lab_, gateway));
  }

  // The gateways serving a VNet that speak BGP to it: the ExpressRoute one
  // last, so that a VPN gateway's ASN is the VNet's own when both serve it.
  std::vector<const Gateway*> bgp_gateways_serving(const Vnet& vnet) {
    std::vector<const Gateway*> gateways;
    for (const Gateway* g : lab_.gateways_serving(vnet))
      if (speaks_bgp(*g)) gateways.push_back(g);
    std::stable_partition(gateways.begin(), gateways.end(),
                          [](const Gateway* g) { return !g->expressroute(); });
    return gateways;
  }

  // Every prefix a gateway learns: what the gateways it reaches over BGP
  // advertise, passed on from gateway to gateway (transit); an
  // ExpressRoute gateway's, what its circuits bring.
  std::vector<Prefix> learned_by(const Gateway& gateway) {
    if (gateway.expressroute()) return learned_over_circuits(lab_, gateway);
    std::vector<Prefix> learned;
    std::set<std::string> seen = {gateway.name};
    std::vector<const Gateway*> queue = {&gateway};
    while (!queue.empty()) {
      const Gateway* at = queue.back();
      queue.pop_back();
      for (const BgpLink& link : links_[at->name]) {
        // A path through a speaker of the receiver's own ASN (its other
        // instance, say) holds that ASN: BGP's loop prevention drops it.
        if (link.remote->asn == gateway.asn) continue;
        if (!seen.insert(link.remote->name).second) continue;
        for (const Prefix& p : advertised_by(lab_, *link.remote)) learned.push_back(p);
        // And what its Route Server's NVAs gave it (branch-to-branch).
        for (const Prefix& p : branch_routes(lab_, *link.remote)) learned.push_back(p);
        queue.push_back(link.remote);
      }
    }
    std::sort(learned.begin(), learned.end());
    learned.erase(std::unique(learned.begin(), learned.end()), learned.end());
    return learned;
  }

  BgpRouter plan_gateway(const Gateway& gateway) {
    const Ipv4 local = lab_.bgp_peer_ip(gateway);
    BgpRouter router{.node = gateway.name,
                     .netns = naming::namespace_name(lab_.name, gateway.name),
                     .kind = BgpRouter::Kind::kVpnGateway,
                     .role = (gateway.on_premises ? "BGP speaker of on-premises site "
                                                  : "BGP speaker of VPN gateway ") +
                             gateway.name + ", ASN " + std::to_string(gateway.asn),
                     .router_id = local,
                     .advertised = advertised_by(lab_, gateway)};
    for (const BgpLink& link : links_[gateway.name]) {
      const Ipv4 remote = lab_.bgp_peer_ip(*link.remote);
      const size_t index = static_cast<size_t>(link.connection - lab_.connections.data());
      const int side = link.connection->gateways[0] == gateway.name ? 0 : 1;
      router.tunnel_peers.push_back({Prefix{remote, 32}, tunnel_link_address(index, side, 1)});
      router.sessions.push_back(
          {.kind = BgpSession::Kind::kTunnel,
           .name = bird_protocol_name("conn_", link.connection->name),
           .description = "connection " + link.connection->name + " to " + link.remote->name,
           .local = local,
           .local_as = gateway.asn,
           .neighbor = remote,
           .neighbor_as = link.remote->asn});
    }
    router.kernel_tables = {{"main", kMainTable}};
    router.expected = learned_by(gateway);
    for (const Prefix& p : branch_routes(lab_, gateway)) router.expected.push_back(p);
    std::sort(router.expected.begin(), router.expected.end());
    router.expected.erase(std::unique(router.expected.begin(), router.expected.end()),
                          router.expected.end());
    // The peers' /32s stay hublab's own device routes into the tunnel.
    for (const Prefix& p : router.expected)
      if (std::none_of(router.tunnel_peers.begin(), router.tunnel_peers.end(),
                       [&](const TunnelPeer& t) { return t.peer == p; }))
        router.installed.push_back(p);
    if (gateway.on_premises) return router;  // it routes its site itself
    router.sessions.push_back(hub_router_session(lab_, gateway));
    return router;
  }

  // The address spaces whose system routes win over BGP in this VNet: its
  // own and its peers' (rule 5's exception).
  std::vector<Prefix> shielded_spaces(const Vnet& vnet) {
    std::vector<Prefix> spaces = vnet.address_space;
    for (const Peering& p : lab_.peerings)
      for (int s = 0; s < 2; ++s)
        if (p.sides[s].vnet == vnet.name)
          for (const Prefix& space : lab_.find_vnet(p.sides[1 - s].vnet)->address_space)
            spaces.push_back(space);
    return spaces;
  }

  BgpRouter plan_vnet_router(const Vnet& vnet) {
    const std::vector<const Gateway*> gateways = bgp_gateways_serving(vnet);
    // A VNet's routes come from its gateways, from a Route Server, or from
    // both side by side (RS11).
    const RouteServer* server = route_server_serving(lab_, vnet);
    const std::string hub = gateways.empty() ? server->vnet : gateways.front()->vnet;
    const uint32_t asn = gateways.empty() ? kRouteServerAsn : gateways.front()->asn;
    const bool is_hub = vnet.name == hub;
    // Two gateways coexisting, or a gateway beside a Route Server:
    // ExpressRoute's routes win for the same prefix ([X]; "Route injection
    // in spokes": "Azure will prefer and program the routes learned from
    // ExpressRoute"); its iBGP sessions raise their local preference.
    const bool coexisting = gateways.size() > 1 || (!gateways.empty() && server);
    std::string names;
    for (const Gateway* g : gateways) names += (names.empty() ? "" : " and ") + g->name;
    if (!gateways.empty() && server) names += ", Route Server " + server->name;
    BgpRouter router{.node = vnet.name,
                     .netns = naming::namespace_name(lab_.name, vnet.name),
                     .role = "route distribution of VNet " + vnet.name +
                             (is_hub ? "" : " (spoke of " + hub + ")") +
                             (gateways.empty()      ? ", Route Server " + server->name
                              : gateways.size() > 1 ? ", gateways " + names
                                                    : ", gateway " + names),
                     .router_id = vnet.subnets.front().prefix.gateway(),
                     .shielded = shielded_spaces(vnet),
                     .transit_shielded = vnet.address_space};
    if (is_hub && server)
      for (BgpSession& session : route_server_sessions(lab_, *server))
        router.sessions.push_back(std::move(session));
    if (is_hub) {
      for (const Gateway* gateway : gateways) {
        // From each instance of the gateway: the kernel then holds both as
        // one ECMP route (active-active: both instances carry traffic).
        const std::vector<const Gateway*> instances = lab_.instances(*gateway);
        for (const Gateway* instance : instances)
          router.sessions.push_back(
              {.kind = BgpSession::Kind::kFromGateway,
               .name = bird_protocol_name("gateway_", instance->name),
               .description = (gateway->expressroute() ? "ExpressRoute gateway " : "VPN gateway ") +
                              instance->name,
               .local = vnet.find_subnet(kGatewaySubnet)->prefix.gateway(),
               .local_as = gateway->asn,
               .neighbor = lab_.bgp_peer_ip(*instance),
               .neighbor_as = gateway->asn,
               .expected_from =
                   instances.size() > 1 ? learned_by(*instance) : std::vector<Prefix>{},
               .local_preference = coexisting && gateway->expressroute() ? kExpressRouteOverVpn : 0,
               .branch_to_branch = branch_to_branch_server(lab_, vnet.name) != nullptr});
      }
    }
    for (size_t i = 0; i < lab_.peerings.size(); ++i) {
      const Peering& p = lab_.peerings[i];
      for (int s = 0; s < 2; ++s) {
        const PeeringSide &here = p.sides[s], &there = p.sides[1 - s];
        if (here.vnet != vnet.name) continue;
        BgpSession session{.local = peering_link_address(i, s),
                           .local_as = asn,
                           .neighbor = peering_link_address(i, 1 - s),
                           .neighbor_as = asn};
        if (is_hub && here.allow_gateway_transit && there.use_remote_gateways) {
          session.kind = BgpSession::Kind::kToSpoke;
          session.name = bird_protocol_name("spoke_", there.vnet);
          session.description = "spoke " + there.vnet + ", which uses this hub's " +
                                (gateways.empty() ? "Route Server" : "gateway");
        } else if (!is_hub && there.vnet == hub) {
          session.kind = BgpSession::Kind::kFromHub;
          session.name = bird_protocol_name("hub_", hub);
          session.description = "hub " + hub + ", whose " +
                                (gateways.empty() ? "Route Server" : "gateway") + " this VNet uses";
        } else {
          continue;
        }
        router.sessions.push_back(session);
      }
    }
    // One kernel table per subnet, plus main for traffic passing through.
    router.kernel_tables = {{"main", kMainTable}};
    for (size_t i = 0; i < vnet.subnets.size(); ++i) {
      // "Propagate gateway routes" off: BGP leaves this subnet's table alone.
      const RouteTable* table = lab_.route_table_of(vnet.subnets[i]);
      if (table && !table->bgp_route_propagation) continue;
      router.kernel_tables.push_back({vnet.subnets[i].name, subnet_table(i)});
    }
    // Refused ones too: BIRD keeps them.
    for (const Gateway* gateway : gateways)
      for (const Prefix& p : learned_by(*gateway)) router.expected.push_back(p);
    if (server)
      for (const Prefix& p : advertised_by_nvas(lab_, *server)) router.expected.push_back(p);
    std::sort(router.expected.begin(), router.expected.end());
    router.expected.erase(std::unique(router.expected.begin(), router.expected.end()),
                          router.expected.end());
    for (const Prefix& p : router.expected) {
      bool refused = false;
      for (const Prefix& space : router.shielded) refused |= space.contains(p);
      if (!refused) router.installed.push_back(p);
    }
    return router;
  }

  const Lab& lab_;
  std::map<std::string, std::vector<BgpLink>> links_;
};

}  // namespace

std::string bird_protocol_name(const std::string& prefix, const std::string& name) {
  std::string out = prefix;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

// Spokes hear the gateway through their hub's router.
BgpSession hub_router_session(const Lab& lab, const Gateway& gateway) {
  const Vnet& hub = *lab.find_vnet(gateway.vnet);
  return {.kind = BgpSession::Kind::kToHubRouter,
          .name = bird_protocol_name("vnet_", hub.name),
          .description = "VNet router of " + hub.name,
          .local = lab.bgp_peer_ip(gateway),
          .local_as = gateway.asn,
          .neighbor = hub.find_subnet(kGatewaySubnet)->prefix.gateway(),
          .neighbor_as = gateway.asn,
          .branch_to_branch = branch_to_branch_server(lab, hub.name) != nullptr};
}

std::vector<Prefix> served_spaces(const Lab& lab, const Gateway& gateway) {
  std::vector<Prefix> prefixes;
  for (const Vnet* vnet : lab.vnets_served_by(gateway))
    for (const Prefix& space : vnet->address_space) prefixes.push_back(space);
  return prefixes;
}

std::vector<Prefix> advertised_by(const Lab& lab, const Gateway& gateway) {
  std::vector<Prefix> prefixes = served_spaces(lab, gateway);
  prefixes.push_back(Prefix{lab.bgp_peer_ip(gateway), 32});
  // Its local network gateways' prefixes: what it routes over its
  // connections without BGP (plan/fabric's static routes).
  for (const StaticGatewayRoute& r : static_gateway_routes(lab, gateway))
    prefixes.push_back(r.prefix);
  return prefixes;
}

std::vector<BgpRouter> plan_bgp(const Lab& lab) {
  return BgpPlanner(lab).run();
}

}  // namespace hublab
