#include "orchestrator/plan/expressroute.h"

#include <algorithm>

#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/plan/addressing.h"
#include "orchestrator/plan/route_server.h"

namespace hublab {

namespace {

std::string edge_name(const Circuit& circuit, int link) {
  return naming::edge_router(circuit.name, link_name(link));
}

void sort_unique(std::vector<Prefix>& prefixes) {
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
}

// Microsoft's address on a link's /30 (the second usable; the customer
// edge holds the first): the edge router's router ID.
Ipv4 microsoft_address(const Circuit& circuit, int link) {
  const Prefix& subnet = link == kPrimaryLink ? circuit.primary_subnet : circuit.secondary_subnet;
  return Ipv4{subnet.network.value + 2};
}

// What a circuit brings `receiver`: the site's spaces (its customer edge),
// and, to an ExpressRoute gateway that allows remote VNet traffic, the spaces
// the circuit's other gateways serve; to the site, every gateway's.
std::vector<Prefix> offered_by_circuit(const Lab& lab, const std::string& circuit,
                                       const Gateway& receiver) {
  std::vector<Prefix> offered;
  for (const CircuitConnection& other : lab.circuit_connections) {
    if (other.circuit != circuit || other.gateway == receiver.name) continue;
    const Gateway& sender = *lab.find_gateway(other.gateway);
    if (sender.on_premises)
      for (const Prefix& p : lab.find_vnet(sender.vnet)->address_space) offered.push_back(p);
    else if (receiver.on_premises || receiver.allow_remote_vnet_traffic) {
      for (const Prefix& p : served_spaces(lab, sender)) offered.push_back(p);
      for (const Prefix& p : branch_routes(lab, sender)) offered.push_back(p);
    }
  }
  sort_unique(offered);
  return offered;
}

// What a gateway (or a site's router) puts on the circuit: the VNets it
// serves, or the site's own spaces.
std::vector<Prefix> sent_to_circuit(const Lab& lab, const Gateway& gateway) {
  return gateway.on_premises ? lab.find_vnet(gateway.vnet)->address_space
                             : served_spaces(lab, gateway);
}

// Connection `index`'s sessions to both of its circuit's edge routers, in
// `asn`; both edges must have brought what the circuit offers (ECMP needs
// both).
std::vector<BgpSession> edge_sessions(const Lab& lab, size_t index, uint32_t asn) {
  const CircuitConnection& c = lab.circuit_connections[index];
  const Gateway& gateway = *lab.find_gateway(c.gateway);
  std::vector<BgpSession> sessions;
  for (int link : {kPrimaryLink, kSecondaryLink})
    sessions.push_back({.kind = BgpSession::Kind::kToEdge,
                        .name = bird_protocol_name("edge_", c.name + "_" + link_name(link)),
                        .description = "circuit " + c.circuit + ", " + link_name(link) +
                                       " edge router (connection " + c.name + ")",
                        .local = circuit_connection_address(lab, index, link, 0),
                        .local_as = asn,
                        .neighbor = circuit_connection_address(lab, index, link, 1),
                        .neighbor_as = kMicrosoftEdgeAsn,
                        .expected_from = offered_by_circuit(lab, c.circuit, gateway)});
  return sessions;
}

}  // namespace

void plan_edge_routers(FabricPlanner& fabric, const Circuit& circuit) {
  for (int link : {kPrimaryLink, kSecondaryLink}) {
    const std::string node = edge_name(circuit, link);
    fabric.add_namespace(node, NodeRole::kEdgeRouter);
    const std::string netns = fabric.netns_of(node);
    fabric.plan.silent_hops.push_back({netns});
    // What BGP did not bring drops here.
    fabric.drop_the_rest(netns, kMainTable, RouteSource::kFabric);
  }
}

void plan_circuit_connection(FabricPlanner& fabric, size_t index) {
  const Lab& lab = fabric.lab;
  const CircuitConnection& connection = lab.circuit_connections[index];
  const Circuit& circuit = *lab.find_circuit(connection.circuit);
  const std::string gateway_netns = fabric.netns_of(connection.gateway);
  for (int link : {kPrimaryLink, kSecondaryLink}) {
    const std::string edge_netns = fabric.netns_of(edge_name(circuit, link));
    InterfaceRef gateway_end = fabric.new_interface(gateway_netns, naming::edge_port(index, link));
    InterfaceRef edge_end =
        fabric.new_interface(edge_netns, naming::edge_gateway_port(connection.gateway));
    // A site's router sits on the circuit's own /30s; a gateway on a /31.
    const bool site = lab.find_gateway(connection.gateway)->on_premises;
    fabric.add_point_to_point(gateway_end, circuit_connection_address(lab, index, link, 0),
                              edge_end, circuit_connection_address(lab, index, link, 1),
                              std::nullopt, site ? 30 : 31);
    // Each way once: a VNet-to-VNet round trip over the circuit crosses
    // four link directions.
    if (circuit.latency_ms > 0)
      for (const InterfaceRef& end : {gateway_end, edge_end})
        fabric.plan.link_delays.push_back(
            {.interface = end, .delay_ms = circuit.latency_ms, .circuit = circuit.name});
  }
}

bool joins_a_circuit(const Lab& lab, const Gateway& gateway) {
  return std::any_of(lab.circuit_connections.begin(), lab.circuit_connections.end(),
                     [&](const CircuitConnection& c) { return c.gateway == gateway.name; });
}

std::vector<Prefix> learned_over_circuits(const Lab& lab, const Gateway& gateway) {
  std::vector<Prefix> learned;
  for (const CircuitConnection& c : lab.circuit_connections)
    if (c.gateway == gateway.name)
      for (const Prefix& p : offered_by_circuit(lab, c.circuit, gateway)) learned.push_back(p);
  sort_unique(learned);
  return learned;
}

BgpRouter plan_expressroute_gateway(const Lab& lab, const Gateway& gateway) {
  BgpRouter router{.node = gateway.name,
                   .netns = naming::namespace_name(lab.name, gateway.name),
                   .kind = BgpRouter::Kind::kExpressRouteGateway,
                   .role = "BGP speaker of ExpressRoute gateway " + gateway.name + ", ASN " +
                           std::to_string(gateway.asn),
                   .router_id = lab.bgp_peer_ip(gateway),
                   .advertised = served_spaces(lab, gateway)};
  for (size_t i = 0; i < lab.circuit_connections.size(); ++i) {
    const CircuitConnection& c = lab.circuit_connections[i];
    if (c.gateway != gateway.name) continue;
    for (BgpSession& session : edge_sessions(lab, i, gateway.asn)) {
      session.local_preference = 100 + static_cast<uint32_t>(c.routing_weight);
      session.refuse_vnet_routes = !gateway.allow_remote_vnet_traffic;
      session.branch_to_branch = branch_to_branch_server(lab, gateway.vnet) != nullptr;
      router.sessions.push_back(std::move(session));
    }
  }
  router.sessions.push_back(hub_router_session(lab, gateway));
  router.kernel_tables = {{"main", kMainTable}};
  router.expected = learned_over_circuits(lab, gateway);
  for (const Prefix& p : branch_routes(lab, gateway)) router.expected.push_back(p);
  sort_unique(router.expected);
  router.installed = router.expected;
  return router;
}

void plan_customer_edge(const Lab& lab, const Gateway& site, BgpRouter& router) {
  for (size_t i = 0; i < lab.circuit_connections.size(); ++i) {
    const CircuitConnection& c = lab.circuit_connections[i];
    if (c.gateway != site.name) continue;
    for (BgpSession& session : edge_sessions(lab, i, lab.find_circuit(c.circuit)->peer_asn)) {
      // A VPN to the same site is the backup: its admin makes the circuit
      // win, as the coexistence page's failover design expects.
      session.local_preference = kCircuitPreferredByTheSite;
      session.export_only = lab.find_vnet(site.vnet)->address_space;
      router.sessions.push_back(std::move(session));
    }
  }
  router.customer_edge = true;
  // What the site routes statically over a VPN is in its `advertised`
  // (blackholes, BIRD's preference 200): the circuit's route to the same
  // prefix would never win there, nor reach the kernel.
  const std::vector<Prefix> over_circuit = learned_over_circuits(lab, site);
  std::erase_if(router.advertised, [&](const Prefix& p) {
    return std::find(over_circuit.begin(), over_circuit.end(), p) != over_circuit.end();
  });
  for (const Prefix& p : over_circuit) {
    router.expected.push_back(p);
    router.installed.push_back(p);
  }
  sort_unique(router.expected);
  sort_unique(router.installed);
}

std::vector<BgpRouter> plan_edge_routers_bgp(const Lab& lab) {
  std::vector<BgpRouter> routers;
  for (const Circuit& circuit : lab.circuits) {
    std::vector<Prefix> expected;
    for (const CircuitConnection& c : lab.circuit_connections)
      if (c.circuit == circuit.name)
        for (const Prefix& p : sent_to_circuit(lab, *lab.find_gateway(c.gateway)))
          expected.push_back(p);
    if (expected.empty()) continue;  // no gateway on it: nothing to speak of
    sort_unique(expected);
    for (int link : {kPrimaryLink, kSecondaryLink}) {
      BgpRouter router{.node = edge_name(circuit, link),
                       .netns = naming::namespace_name(lab.name, edge_name(circuit, link)),
                       .kind = BgpRouter::Kind::kEdgeRouter,
                       .role = std::string("Microsoft edge router (MSEE) of circuit ") +
                               circuit.name + ", " + link_name(link) + " link, ASN " +
                               std::to_string(kMicrosoftEdgeAsn),
                       .router_id = microsoft_address(circuit, link)};
      for (size_t i = 0; i < lab.circuit_connections.size(); ++i) {
        const CircuitConnection& c = lab.circuit_connections[i];
        if (c.circuit != circuit.name) continue;
        const Gateway& gateway = *lab.find_gateway(c.gateway);
        router.sessions.push_back(
            {.kind = gateway.on_premises ? BgpSession::Kind::kToCustomerEdge
                                         : BgpSession::Kind::kToExpressRouteGateway,
             .name = bird_protocol_name(gateway.on_premises ? "site_" : "gateway_", c.gateway),
             .description =
                 (gateway.on_premises ? "customer edge, site " : "ExpressRoute gateway ") +
                 c.gateway + " (connection " + c.name + ")",
             .local = circuit_connection_address(lab, i, link, 1),
             .local_as = kMicrosoftEdgeAsn,
             .neighbor = circuit_connection_address(lab, i, link, 0),
             .neighbor_as = gateway.on_premises ? circuit.peer_asn : gateway.asn});
      }
      router.kernel_tables = {{"main", kMainTable}};
      router.expected = expected;
      router.installed = expected;
      routers.push_back(std::move(router));
    }
  }
  return routers;
}

}  // namespace hublab
