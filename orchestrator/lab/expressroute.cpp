#include "orchestrator/lab/expressroute.h"

#include <map>
#include <set>
#include <stdexcept>

#include "orchestrator/lab/shared_key.h"

namespace hublab {

namespace {

// A private peering link: "a /30 subnet" (IPv4), the first usable address
// the customer edge's, the second Microsoft's.
std::optional<Prefix> peering_subnet(Fields& f, const std::string& key, SourceLocation& where) {
  auto text = f.string(key, true);
  where = f.where(key);
  if (!text) return std::nullopt;
  auto prefix = f.prefix(key, *text, where);
  if (prefix && prefix->length != 30)
    f.field_error(key, *text + " is a /" + std::to_string(prefix->length) +
                           ": private peering takes a /30 for each link");
  return prefix;
}

}  // namespace

const char* link_name(int link) {
  return link == kPrimaryLink ? "primary" : "secondary";
}

Ipv4 edge_link_address(size_t circuit_connection_index, int link, int end) {
  return Ipv4{(169u << 24 | 254u << 16 | 224u << 8) +
              static_cast<uint32_t>(circuit_connection_index) * 4 +
              static_cast<uint32_t>(link) * 2 + static_cast<uint32_t>(end)};
}

Ipv4 circuit_connection_address(const Lab& lab, size_t index, int link, int end) {
  const CircuitConnection& c = lab.circuit_connections[index];
  const Gateway* gateway = lab.find_gateway(c.gateway);
  if (!gateway || !gateway->on_premises) return edge_link_address(index, link, end);
  const Circuit& circuit = *lab.find_circuit(c.circuit);
  const Prefix& subnet = link == kPrimaryLink ? circuit.primary_subnet : circuit.secondary_subnet;
  return Ipv4{subnet.network.value + 1 + static_cast<uint32_t>(end)};
}

void redeem_authorizations(const Lab& lab) {
  // Every authorization's key is read, redeemed or not: a broken source
  // fails up, as a missing key would fail its deployment.
  std::map<std::pair<std::string, std::string>, std::string> keys;      // by circuit, name
  std::map<std::pair<std::string, std::string>, std::string> redeemed;  // connection, by the same
  for (const Circuit& circuit : lab.circuits)
    for (const CircuitAuthorization& a : circuit.authorizations)
      keys[{circuit.name, a.name}] = resolve_shared_key(
          a.key, "circuit." + circuit.name + ".authorizations (" + a.name + ")", lab.file, "key");
  for (const CircuitConnection& c : lab.circuit_connections) {
    if (!c.authorization_key) continue;
    const std::string field = "connection." + c.name;
    const std::string key =
        resolve_shared_key(*c.authorization_key, field, lab.file, "authorization_key");
    const Circuit& circuit = *lab.find_circuit(c.circuit);
    // The first matching authorization not redeemed yet.
    const CircuitAuthorization* match = nullptr;
    std::string taken_by;
    for (const CircuitAuthorization& a : circuit.authorizations) {
      if (keys.at({circuit.name, a.name}) != key) continue;
      auto held = redeemed.find({circuit.name, a.name});
      if (held == redeemed.end()) {
        match = &a;
        break;
      }
      taken_by = held->second;
    }
    if (!match && taken_by.empty())
      throw LabFieldError(c.authorization_key->where,
                          field + ".authorization_key: matches no authorization of circuit '" +
                              circuit.name + "': the connection is refused");
    if (!match)
      throw LabFieldError(c.authorization_key->where,
                          field + ".authorization_key: its authorization on circuit '" +
                              circuit.name + "' is already redeemed by connection '" + taken_by +
                              "' (each is used once)");
    redeemed.emplace(std::pair{circuit.name, match->name}, c.name);
  }
}

void read_circuit(Fields& f, const std::string& name, Lab& lab) {
  Circuit circuit;
  circuit.name = name;
  circuit.where = f.where();
  circuit.bandwidth = f.string("bandwidth", false).value_or("50 Mbps");
  circuit.peer_asn_where = f.where("peer_asn");
  if (auto asn = f.integer_in("peer_asn", 1, 4294967294LL, true, [](int64_t v) {
        return "ASN " + std::to_string(v) + " is out of range 1-4294967294";
      }))
    circuit.peer_asn = static_cast<uint32_t>(*asn);
  circuit.vlan_where = f.where("vlan");
  if (auto vlan = f.integer_in("vlan", 1, 4094, true, [](int64_t v) {
        return "VLAN ID " + std::to_string(v) + " is out of range 1-4094";
      }))
    circuit.vlan = static_cast<int>(*vlan);
  if (auto p = peering_subnet(f, "primary_subnet", circuit.primary_where))
    circuit.primary_subnet = *p;
  if (auto p = peering_subnet(f, "secondary_subnet", circuit.secondary_where))
    circuit.secondary_subnet = *p;
  circuit.latency_where = f.where("latency_ms");
  if (auto latency = f.integer_in("latency_ms", 0, 1000, false, [](int64_t) {
        return "expected 0-1000 (milliseconds, one way, on each edge link)";
      }))
    circuit.latency_ms = static_cast<int>(*latency);
  f.each_entry("authorizations", "expected an array of { name, key }",
               "{ name, key } (or key_file, key_env)", [&](Fields& af, SourceLocation at) {
                 CircuitAuthorization authorization;
                 authorization.where = at;
                 authorization.name = af.string("name", true).value_or("");
                 if (!read_key_source(af, "key", authorization.key))
                   af.error(at, af.path() + ": missing its key (key, key_file or key_env)");
                 circuit.authorizations.push_back(std::move(authorization));
               });
  lab.circuits.push_back(std::move(circuit));
}

void read_circuit_connection(Fields& f, const std::string& name, Lab& lab) {
  CircuitConnection connection;
  connection.name = name;
  connection.where = f.where();
  connection.gateway = f.string("gateway", true).value_or("");
  connection.gateway_where = f.where("gateway");
  connection.circuit = f.string("circuit", true).value_or("");
  connection.circuit_where = f.where("circuit");
  connection.routing_weight_where = f.where("routing_weight");
  if (auto weight = f.integer_in("routing_weight", 0, 32000, false,
                                 [](int64_t) { return "expected 0-32000"; }))
    connection.routing_weight = static_cast<int>(*weight);
  SharedKeySource key;
  if (read_key_source(f, "authorization_key", key)) connection.authorization_key = key;
  lab.circuit_connections.push_back(std::move(connection));
}

void validate_expressroute(const Lab& lab, Findings& findings) {
  for (const Circuit& circuit : lab.circuits) {
    const std::string path = "circuit." + circuit.name;
    // "As many as 10 authorizations for each circuit" (Az.Network,
    // Add-AzExpressRouteCircuitAuthorization).
    if (circuit.authorizations.size() > 10)
      findings.error(circuit.authorizations[10].where,
                     path + ".authorizations: a circuit holds at most 10 authorizations");
    std::set<std::string> authorization_names;
    for (size_t i = 0; i < circuit.authorizations.size(); ++i)
      if (!authorization_names.insert(circuit.authorizations[i].name).second)
        findings.error(circuit.authorizations[i].where,
                       path + ".authorizations[" + std::to_string(i) + "]: authorization '" +
                           circuit.authorizations[i].name + "' is named twice");
    if (!is_node_name(circuit.name))
      findings.error(circuit.where, path +
                                        ": name must start with a letter or digit and hold only "
                                        "letters, digits, '-' and '_'");
    if (circuit.peer_asn == kMicrosoftEdgeAsn || circuit.peer_asn == kAzureGatewayAsn ||
        (circuit.peer_asn >= 65517 && circuit.peer_asn <= 65520) || circuit.peer_asn == 8074 ||
        circuit.peer_asn == 8075)
      findings.error(circuit.peer_asn_where,
                     path + ".peer_asn: ASN " + std::to_string(circuit.peer_asn) +
                         " is Azure's own (12076, 65515, 65517-65520, 8074, 8075): the customer "
                         "edge needs another");
    if (circuit.primary_subnet.length == 30 && circuit.secondary_subnet.length == 30 &&
        circuit.primary_subnet.overlaps(circuit.secondary_subnet))
      findings.error(circuit.secondary_where,
                     path + ".secondary_subnet: " + circuit.secondary_subnet.str() +
                         " overlaps primary_subnet " + circuit.primary_subnet.str());
    for (const Vnet& vnet : lab.vnets)
      for (const Prefix& space : vnet.address_space)
        for (const auto& [link, at] :
             {std::pair{circuit.primary_subnet, circuit.primary_where},
              std::pair{circuit.secondary_subnet, circuit.secondary_where}})
          if (link.length == 30 && space.overlaps(link))
            findings.error(at, path + ": " + link.str() + " overlaps the address space of " +
                                   (vnet.on_premises ? "site '" : "VNet '") + vnet.name + "'");
  }
  // The edge links' numbers sit above the VPN connection ends' (plan/addressing).
  if (lab.circuit_connections.size() > kMaxCircuitConnections)
    findings.error(lab.circuit_connections[kMaxCircuitConnections].where,
                   "connection." + lab.circuit_connections[kMaxCircuitConnections].name +
                       ": a lab holds at most " + std::to_string(kMaxCircuitConnections) +
                       " connections to circuits");
  if (!lab.circuits.empty() && lab.connections.size() > kMaxVpnConnectionsBesideCircuits)
    findings.error(lab.connections[kMaxVpnConnectionsBesideCircuits].where,
                   "connection." + lab.connections[kMaxVpnConnectionsBesideCircuits].name +
                       ": a lab with circuits holds at most " +
                       std::to_string(kMaxVpnConnectionsBesideCircuits) + " VPN connections");
  for (const Gateway& gateway : lab.gateways) {
    if (!gateway.expressroute() && gateway.allow_remote_vnet_traffic_where.line)
      findings.error(gateway.allow_remote_vnet_traffic_where,
                     "gateway." + gateway.name +
                         ".allow_remote_vnet_traffic: an ExpressRoute gateway's setting (type = "
                         "\"ExpressRoute\"); a VPN gateway passes what its BGP connections bring");
    if (!gateway.expressroute() || !gateway.instance_of.empty()) continue;
    const std::string path = "gateway." + gateway.name;
    if (gateway.active_active)
      findings.error(gateway.where,
                     path +
                         ": active_active is a VPN gateway's setting; an ExpressRoute "
                         "gateway's redundancy is the circuit's two links");
    if (gateway.asn_where.line && gateway.asn != kAzureGatewayAsn)
      findings.error(gateway.asn_where, path + ".asn: an ExpressRoute gateway's ASN is 65515");
    if (gateway.public_ip)
      findings.error(gateway.public_ip_where,
                     path +
                         ".public_ip: an ExpressRoute gateway has no public endpoint here: it "
                         "reaches its circuit privately");
    for (const Connection& c : lab.connections)
      for (const std::string& end : c.gateways)
        if (end == gateway.name)
          findings.error(c.gateways_where, "connection." + c.name + ".gateways: '" + gateway.name +
                                               "' is an ExpressRoute gateway: it connects to a "
                                               "circuit (circuit = \"...\"), not over VPN");
  }
  std::set<std::pair<std::string, std::string>> joined;
  std::map<std::string, std::string> customer_edge;  // circuit -> site
  std::map<std::string, uint32_t> site_asn;          // a site without asn -> its circuits' peer ASN
  for (const CircuitConnection& c : lab.circuit_connections) {
    const std::string path = "connection." + c.name;
    if (!is_node_name(c.name))
      findings.error(c.where, path +
                                  ": name must start with a letter or digit and hold only "
                                  "letters, digits, '-' and '_'");
    if (lab.find_connection(c.name))
      findings.error(c.where, path + ": name is already used by a VPN connection");
    const Gateway* gateway = lab.find_gateway(c.gateway);
    if (!c.gateway.empty() && !gateway)
      findings.error(c.gateway_where, path + ".gateway: no gateway named '" + c.gateway + "'");
    else if (gateway && gateway->on_premises) {
      // The site's router is the circuit's customer edge: one per circuit,
      // speaking BGP as the circuit's peer ASN.
      const Circuit* circuit = lab.find_circuit(c.circuit);
      auto [first, fresh] = customer_edge.emplace(c.circuit, c.gateway);
      if (!fresh && first->second != c.gateway)
        findings.error(c.gateway_where, path + ".gateway: circuit '" + c.circuit +
                                            "' already has site '" + first->second +
                                            "' as its customer edge (a circuit's private "
                                            "peering has one)");
      if (c.routing_weight != 0)
        findings.error(c.routing_weight_where,
                       path +
                           ".routing_weight: a gateway's setting; the site's router prefers "
                           "its circuit as its admin sets it");
      if (circuit && gateway->asn == 0) {
        auto [asn, fresh_asn] = site_asn.emplace(c.gateway, circuit->peer_asn);
        if (!fresh_asn && asn->second != circuit->peer_asn)
          findings.error(c.circuit_where,
                         path + ".circuit: circuit '" + c.circuit + "' has peer_asn " +
                             std::to_string(circuit->peer_asn) + " but site '" + c.gateway +
                             "' is on another with " + std::to_string(asn->second) +
                             ": the site's router is one BGP speaker");
      }
      if (circuit && gateway->asn != 0 && gateway->asn != circuit->peer_asn && circuit->peer_asn)
        findings.error(gateway->asn_where.line ? gateway->asn_where : gateway->where,
                       "site." + c.gateway + ".asn: " + std::to_string(gateway->asn) +
                           " differs from the peer_asn of circuit '" + c.circuit + "', " +
                           std::to_string(circuit->peer_asn) +
                           ": the site's router is both its VPN device and the circuit's "
                           "customer edge, one BGP speaker");
    } else if (gateway && !gateway->expressroute())
      findings.error(c.gateway_where, path + ".gateway: '" + c.gateway +
                                          "' is a VPN gateway; a circuit takes an ExpressRoute "
                                          "gateway (type = \"ExpressRoute\")");
    const Circuit* circuit = lab.find_circuit(c.circuit);
    if (!c.circuit.empty() && !circuit)
      findings.error(c.circuit_where, path + ".circuit: no circuit named '" + c.circuit + "'");
    if (c.authorization_key && gateway && gateway->on_premises)
      findings.error(c.authorization_key->where,
                     path +
                         ".authorization_key: a site is the circuit's customer edge; only a "
                         "gateway's connection redeems an authorization");
    else if (c.authorization_key && circuit && circuit->authorizations.empty())
      findings.error(c.authorization_key->where,
                     path + ".authorization_key: circuit '" + c.circuit +
                         "' has no authorizations (a gateway in the circuit's own subscription "
                         "needs no key)");
    if (!joined.insert({c.gateway, c.circuit}).second)
      findings.error(c.where, path + ": '" + c.gateway + "' is already connected to circuit '" +
                                  c.circuit + "'");
  }
}

}  // namespace hublab
