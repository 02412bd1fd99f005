#include "orchestrator/plan/plan_record.h"

#include <nlohmann/json.hpp>
#include <optional>

// std::optional as null or its value (nlohmann 3.11.2, Debian 12's, has no
// serializer of its own for it).
namespace nlohmann {
template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& value) {
    if (value)
      j = *value;
    else
      j = nullptr;
  }
  static void from_json(const json& j, std::optional<T>& value) {
    if (j.is_null())
      value.reset();
    else
      value = j.get<T>();
  }
};
}  // namespace nlohmann

namespace hublab {

using nlohmann::json;

// Addresses and prefixes as people write them: the record is read by people
// too (`cat /run/hublab/LAB/plan`).
void to_json(json& j, const Ipv4& ip) {
  j = ip.str();
}
void from_json(const json& j, Ipv4& ip) {
  auto parsed = Ipv4::parse(j.get<std::string>());
  if (!parsed) throw PlanRecordError("not an IPv4 address: " + j.dump());
  ip = *parsed;
}
void to_json(json& j, const Prefix& prefix) {
  j = prefix.str();
}
void from_json(const json& j, Prefix& prefix) {
  auto parsed = Prefix::parse(j.get<std::string>());
  if (!parsed) throw PlanRecordError("not a prefix: " + j.dump());
  prefix = *parsed;
}
// A list of prefixes as one string, "10.1.0.0/16 10.2.0.0/16": a BGP
// speaker of a 1000-VNet lab expects about a thousand, and one string each
// made the record six times slower to write and read.
void to_json(json& j, const std::vector<Prefix>& prefixes) {
  std::string text;
  for (const Prefix& p : prefixes) (text += text.empty() ? "" : " ") += p.str();
  j = std::move(text);
}
void from_json(const json& j, std::vector<Prefix>& prefixes) {
  prefixes.clear();
  const std::string& text = j.get_ref<const std::string&>();
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find(' ', at);
    if (end == std::string::npos) end = text.size();
    auto parsed = Prefix::parse(std::string_view(text).substr(at, end - at));
    if (!parsed) throw PlanRecordError("not a prefix list: " + j.dump());
    prefixes.push_back(*parsed);
    at = end + 1;
  }
}
void to_json(json& j, const MacAddress& mac) {
  j = mac.bytes;
}
void from_json(const json& j, MacAddress& mac) {
  mac.bytes = j.get<std::array<uint8_t, 6>>();
}

NLOHMANN_JSON_SERIALIZE_ENUM(NodeRole, {{NodeRole::kVm, "vm"},
                                        {NodeRole::kVnetRouter, "vnet-router"},
                                        {NodeRole::kSite, "site"},
                                        {NodeRole::kGateway, "gateway"},
                                        {NodeRole::kTunnelEnd, "tunnel-end"},
                                        {NodeRole::kInternet, "internet"},
                                        {NodeRole::kEdgeRouter, "edge-router"},
                                        {NodeRole::kRouteServer, "route-server"}})
NLOHMANN_JSON_SERIALIZE_ENUM(RouteSource, {{RouteSource::kVirtualNetwork, "virtual-network"},
                                           {RouteSource::kVnetPeering, "vnet-peering"},
                                           {RouteSource::kNone, "none"},
                                           {RouteSource::kInternet, "internet"},
                                           {RouteSource::kVmDefault, "vm-default"},
                                           {RouteSource::kFabric, "fabric"},
                                           {RouteSource::kGatewayStatic, "gateway-static"},
                                           {RouteSource::kUser, "user"}})
NLOHMANN_JSON_SERIALIZE_ENUM(RouteSpec::Kind, {{RouteSpec::Kind::kUnicast, "unicast"},
                                               {RouteSpec::Kind::kBlackhole, "blackhole"},
                                               {RouteSpec::Kind::kThrow, "throw"}})
NLOHMANN_JSON_SERIALIZE_ENUM(BgpSession::Kind,
                             {{BgpSession::Kind::kTunnel, "tunnel"},
                              {BgpSession::Kind::kToHubRouter, "to-hub-router"},
                              {BgpSession::Kind::kFromGateway, "from-gateway"},
                              {BgpSession::Kind::kToSpoke, "to-spoke"},
                              {BgpSession::Kind::kFromHub, "from-hub"},
                              {BgpSession::Kind::kToEdge, "to-edge"},
                              {BgpSession::Kind::kToExpressRouteGateway, "to-expressroute-gateway"},
                              {BgpSession::Kind::kToCustomerEdge, "to-customer-edge"},
                              {BgpSession::Kind::kToNva, "to-nva"},
                              {BgpSession::Kind::kToVnetRouter, "to-vnet-router"},
                              {BgpSession::Kind::kFromRouteServer, "from-route-server"}})
NLOHMANN_JSON_SERIALIZE_ENUM(BgpRouter::Kind,
                             {{BgpRouter::Kind::kVnetRouter, "vnet-router"},
                              {BgpRouter::Kind::kVpnGateway, "vpn-gateway"},
                              {BgpRouter::Kind::kExpressRouteGateway, "expressroute-gateway"},
                              {BgpRouter::Kind::kEdgeRouter, "edge-router"},
                              {BgpRouter::Kind::kRouteServer, "route-server"}})

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(NamespaceSpec, name, node, role)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InterfaceRef, netns, name, ifindex, mac)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BridgeSpec, bridge, alias)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VethSpec, a, b, a_master, peering)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VxlanSpec, device, vni, local, remote)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(NeighborSpec, interface, address, mac)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AddressSpec, interface, address, prefix_length)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RouteSpec, netns, table, destination, kind, via, ifindex, source,
                                   onlink, metric, source_address)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RuleSpec, netns, iif, from, to, table, priority)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SysctlSpec, netns, path, value)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TtlBoostSpec, netns, interfaces)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ForwardedTrafficGuardSpec, netns, from_interfaces, to_interfaces,
                                   own_sources)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SilentHopSpec, netns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LinkDelaySpec, interface, delay_ms, circuit)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FabricPlan, namespaces, sysctls, bridges, veths, vxlans,
                                   addresses, neighbors, routes, rules, ttl_boosts,
                                   forwarded_traffic_guards, silent_hops, link_delays)

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BgpSession, kind, name, description, local, local_as, neighbor,
                                   neighbor_as, expected_from, local_preference, refuse_vnet_routes,
                                   export_only, optional, branch_to_branch)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KernelTable, name, number)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TunnelPeer, peer, via)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BgpRouter, node, netns, kind, role, router_id, sessions,
                                   advertised, tunnel_peers, shielded, transit_shielded,
                                   kernel_tables, customer_edge, expected, installed)

// Without its configuration text: FRR's own copy is in its directory.
void to_json(json& j, const NvaSpec& n) {
  j = json{{"vm", n.vm},
           {"netns", n.netns},
           {"asn", n.asn},
           {"address", n.address},
           {"config_source", n.config_source}};
}
void from_json(const json& j, NvaSpec& n) {
  j.at("vm").get_to(n.vm);
  j.at("netns").get_to(n.netns);
  j.at("asn").get_to(n.asn);
  j.at("address").get_to(n.address);
  j.at("config_source").get_to(n.config_source);
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StaticGatewayRoute, gateway, connection, far_gateway, prefix)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PacketTest, ip_protocol, source_ports, destination_ports,
                                   sources, destinations)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PortFilter, interface, outgoing, lists)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PlannedSecurityRule, name, priority, allow, test)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PlannedNsgList, nsg, direction, subnet, rules)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(NsgFilterSpec, netns, lists, ports)

namespace strongswan {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SiteToSite, name, local_address, remote_address, remote_id,
                                   ike_proposals, esp_proposals)
}  // namespace strongswan

// Without its keys: they are kept apart.
void to_json(json& j, const TunnelSpec& t) {
  j = json{{"connection", t.connection},
           {"gateways", t.gateways},
           {"ends", t.ends},
           {"sides", t.sides},
           {"bgp_peer_ips", t.bgp_peer_ips}};
}
void from_json(const json& j, TunnelSpec& t) {
  j.at("connection").get_to(t.connection);
  j.at("gateways").get_to(t.gateways);
  j.at("ends").get_to(t.ends);
  j.at("sides").get_to(t.sides);
  j.at("bgp_peer_ips").get_to(t.bgp_peer_ips);
}

namespace {

// Raised when the record's layout changes, so that a lab brought up by
// another hublab is refused with a clear word rather than misread.
constexpr int kRecordVersion = 6;

}  // namespace

std::string plan_record(const LabPlan& plan) {
  return json{{"version", kRecordVersion},
              {"fabric", plan.fabric},
              {"bgp", plan.bgp},
              {"nvas", plan.nvas},
              {"tunnels", plan.tunnels},
              {"static_gateway_routes", plan.static_gateway_routes},
              {"nsg_filters", plan.nsg_filters}}
             .dump() +
         "\n";
}

LabPlan read_plan_record(const std::string& text, unsigned parts) {
  const std::pair<const char*, unsigned> part_keys[] = {
      {"fabric", kFabricPart},
      {"bgp", kBgpPart},
      {"nvas", kBgpPart},
      {"tunnels", kTunnelsPart},
      {"static_gateway_routes", kStaticGatewayRoutesPart},
      {"nsg_filters", kNsgFiltersPart}};
  // A part not asked for is dropped as it is parsed, never built.
  auto wanted = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth != 1 || event != json::parse_event_t::key) return true;
    for (const auto& [key, part] : part_keys)
      if (parsed == key) return (parts & part) != 0;
    return true;
  };
  LabPlan plan;
  try {
    const json j = json::parse(text, wanted);
    if (j.is_discarded() || !j.is_object())
      throw PlanRecordError("the lab's plan record is damaged: no JSON object");
    if (j.at("version").get<int>() != kRecordVersion)
      throw PlanRecordError("the lab's plan record is of another hublab (version " +
                            j.at("version").dump() + "); bring the lab down and up again");
    if (parts & kFabricPart) j.at("fabric").get_to(plan.fabric);
    if (parts & kBgpPart) {
      j.at("bgp").get_to(plan.bgp);
      j.at("nvas").get_to(plan.nvas);
    }
    if (parts & kTunnelsPart) j.at("tunnels").get_to(plan.tunnels);
    if (parts & kStaticGatewayRoutesPart)
      j.at("static_gateway_routes").get_to(plan.static_gateway_routes);
    if (parts & kNsgFiltersPart) j.at("nsg_filters").get_to(plan.nsg_filters);
  } catch (const json::exception& error) {
    throw PlanRecordError(std::string("the lab's plan record is damaged: ") + error.what());
  }
  return plan;
}

LabPlan read_plan_record(const std::string& text, const SharedKeys& keys, unsigned parts) {
  LabPlan plan = read_plan_record(text, parts);
  for (TunnelSpec& tunnel : plan.tunnels) {
    auto kept = keys.find(tunnel.connection);
    if (kept == keys.end())
      throw PlanRecordError("the lab state keeps no key for connection " + tunnel.connection);
    tunnel.keys[0] = kept->second[0];
    tunnel.keys[1] = kept->second[1];
  }
  return plan;
}

}  // namespace hublab
