#include "orchestrator/plan/expressroute.h"

#include <algorithm>

#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/plan/addressing.h"

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

// What a circuit brings one of its gateways: the spaces the VNets of its
// other gateways serve.
std::vector<Prefix> offered_by_circuit(const Lab& lab, const std::string& circuit,
                                       const Gateway& gateway) {
  std::vector<Prefix> offered;
  for (const CircuitConnection& other : lab.circuit_connections) {
    if (other.circuit != circuit || other.gateway == gateway.name) continue;
    for (const Prefix& p : served_spaces(lab, *lab.find_gateway(other.gateway)))
      offered.push_back(p);
  }
  sort_unique(offered);
  return offered;
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
    fabric.add_point_to_point(gateway_end, edge_link_address(index, link, 0), edge_end,
                              edge_link_address(index, link, 1));
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
  if (!gateway.allow_remote_vnet_traffic) return learned;
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
    const Circuit& circuit = *lab.find_circuit(c.circuit);
    // Both edges must have brought what the circuit offers: ECMP needs both.
    const std::vector<Prefix> offered = gateway.allow_remote_vnet_traffic
                                            ? offered_by_circuit(lab, circuit.name, gateway)
                                            : std::vector<Prefix>{};
    for (int link : {kPrimaryLink, kSecondaryLink})
      router.sessions.push_back(
          {.kind = BgpSession::Kind::kToEdge,
           .name = bird_protocol_name("edge_", c.name + "_" + link_name(link)),
           .description = "circuit " + circuit.name + ", " + link_name(link) +
                          " edge router (connection " + c.name + ")",
           .local = edge_link_address(i, link, 0),
           .local_as = gateway.asn,
           .neighbor = edge_link_address(i, link, 1),
           .neighbor_as = kMicrosoftEdgeAsn,
           .expected_from = offered,
           .local_preference = 100 + static_cast<uint32_t>(c.routing_weight),
           .refuse_vnet_routes = !gateway.allow_remote_vnet_traffic});
  }
  router.sessions.push_back(hub_router_session(lab, gateway));
  router.kernel_tables = {{"main", kMainTable}};
  router.expected = learned_over_circuits(lab, gateway);
  router.installed = router.expected;
  return router;
}

std::vector<BgpRouter> plan_edge_routers_bgp(const Lab& lab) {
  std::vector<BgpRouter> routers;
  for (const Circuit& circuit : lab.circuits) {
    std::vector<Prefix> expected;
    for (const CircuitConnection& c : lab.circuit_connections)
      if (c.circuit == circuit.name)
        for (const Prefix& p : served_spaces(lab, *lab.find_gateway(c.gateway)))
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
        router.sessions.push_back(
            {.kind = BgpSession::Kind::kToExpressRouteGateway,
             .name = bird_protocol_name("gateway_", c.gateway),
             .description = "ExpressRoute gateway " + c.gateway + " (connection " + c.name + ")",
             .local = edge_link_address(i, link, 1),
             .local_as = kMicrosoftEdgeAsn,
             .neighbor = edge_link_address(i, link, 0),
             .neighbor_as = lab.find_gateway(c.gateway)->asn});
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
