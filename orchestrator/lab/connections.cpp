#include "orchestrator/lab/connections.h"

#include <algorithm>
#include <map>
#include <set>

#include "orchestrator/lab/shared_key.h"

namespace hublab {

namespace {

std::optional<IpsecPolicy> ipsec_policy(Fields& f) {
  const toml::table* policy = f.table("ipsec_policy");
  if (!policy) return std::nullopt;
  Fields pf = f.nested(*policy, f.path() + ".ipsec_policy");
  IpsecPolicy p;
  p.where = pf.where();
  for (auto& [text, at] : pf.strings("ike", true)) p.ike_proposals.push_back(text);
  for (auto& [text, at] : pf.strings("esp", true)) p.esp_proposals.push_back(text);
  pf.finish();
  return p;
}

}  // namespace

void read_connection(Fields& f, const std::string& name, Lab& lab) {
  Connection connection;
  connection.name = name;
  connection.where = f.where();
  auto gateways = f.strings("gateways", true);
  connection.gateways_where = f.where("gateways");
  if (f.node("gateways") && gateways.size() != 2)
    f.field_error("gateways", "a connection joins exactly two gateways");
  for (size_t i = 0; i < std::min<size_t>(2, gateways.size()); ++i)
    connection.gateways[i] = gateways[i].first;
  connection.enable_bgp = f.boolean("enable_bgp").value_or(false);
  read_key_source(f, "shared_key", connection.shared_key);
  connection.ipsec_policy = ipsec_policy(f);
  for (size_t i = 0; i < std::min<size_t>(2, gateways.size()); ++i) {
    const toml::table* side = f.table(gateways[i].first);
    if (!side) continue;
    Fields sf = f.nested(*side, f.path() + "." + gateways[i].first);
    SharedKeySource key;
    if (read_key_source(sf, "shared_key", key)) connection.sides[i].shared_key = key;
    connection.sides[i].ipsec_policy = ipsec_policy(sf);
    connection.sides[i].peer_ip = sf.address("peer_ip");
    sf.finish();
  }
  lab.connections.push_back(std::move(connection));
}

void validate_connections(const Lab& lab, Findings& findings) {
  std::set<std::pair<std::string, std::string>> joined;
  // Connection names become namespace names ("CONN@GATEWAY"), BIRD
  // protocol names (letters, digits and '_': "conn_a_b") and words of the
  // lab state: node-name characters only, and unique once '-' reads '_'.
  std::map<std::string, std::string> protocol_names;
  for (const Connection& connection : lab.connections) {
    if (!connection.tunnel_of.empty()) continue;
    const std::string path = "connection." + connection.name;
    if (!is_node_name(connection.name)) {
      findings.error(connection.where, path +
                                           ": name must start with a letter or digit and hold only "
                                           "letters, digits, '-' and '_'");
      continue;
    }
    std::string protocol = connection.name;
    std::replace(protocol.begin(), protocol.end(), '-', '_');
    auto [it, fresh] = protocol_names.emplace(protocol, connection.name);
    if (!fresh)
      findings.error(connection.where, path + ": name reads as connection '" + it->second +
                                           "' once '-' becomes '_' (BIRD's protocol names)");
  }
  // Per gateway node: the far ends' BGP peer IPs, and the far spaces of
  // connections without BGP, are routes of its table: no two may clash.
  std::map<std::string, std::map<std::string, std::string>> far_peer_ips;
  std::map<std::string, std::vector<std::pair<Prefix, std::string>>> far_spaces;
  for (const Connection& connection : lab.connections) {
    const Gateway* a = lab.find_gateway(connection.gateways[0]);
    const Gateway* b = lab.find_gateway(connection.gateways[1]);
    if (!a || !b || a == b || !lab.find_vnet(a->vnet) || !lab.find_vnet(b->vnet)) continue;
    if ((!a->on_premises && !lab.find_vnet(a->vnet)->find_subnet(kGatewaySubnet)) ||
        (!b->on_premises && !lab.find_vnet(b->vnet)->find_subnet(kGatewaySubnet)))
      continue;
    const std::string path =
        "connection." + (connection.tunnel_of.empty() ? connection.name : connection.tunnel_of) +
        ".gateways";
    for (int s = 0; s < 2; ++s) {
      const Gateway& near = s == 0 ? *a : *b;
      const Gateway& far = s == 0 ? *b : *a;
      const std::string peer = lab.bgp_peer_ip(far).str();
      // (Two connections to the same far end are "already connected".)
      auto [it, fresh] = far_peer_ips[near.name].emplace(peer, far.name);
      if (!fresh && it->second != far.name && connection.tunnel_of.empty())
        findings.error(connection.gateways_where, path + ": '" + far.name + "' and '" + it->second +
                                                      "' have the same BGP peer IP " + peer +
                                                      ", and both connect to '" + near.name + "'");
      if (connection.enable_bgp || near.on_premises) continue;
      for (const Prefix& space : lab.find_vnet(far.vnet)->address_space) {
        for (const auto& [other, owner] : far_spaces[near.name])
          if (other.overlaps(space) && owner != far.name && connection.tunnel_of.empty())
            findings.error(connection.gateways_where,
                           path + ": without BGP, '" + near.name + "' would route " + space.str() +
                               " to '" + far.name + "' and " + other.str() + " to '" + owner +
                               "': the spaces overlap");
        far_spaces[near.name].emplace_back(space, far.name);
      }
    }
  }
  for (const Connection& connection : lab.connections) {
    // The tunnels between instances repeat their connection's checks.
    if (!connection.tunnel_of.empty()) continue;
    std::string path = "connection." + connection.name + ".gateways";
    const Gateway* ends[2] = {nullptr, nullptr};
    for (int i = 0; i < 2; ++i) {
      const std::string& name = connection.gateways[i];
      if (name.empty()) continue;
      ends[i] = lab.find_gateway(name);
      // An active-active gateway's instance 1 is named by its gateway.
      if (ends[i] && !ends[i]->instance_of.empty()) ends[i] = nullptr;
      if (!ends[i])
        findings.error(connection.gateways_where, path + ": no gateway named '" + name + "'");
    }
    if (!ends[0] || !ends[1]) continue;
    if (ends[0] == ends[1]) {
      findings.error(connection.gateways_where, path + ": a gateway cannot connect to itself");
      continue;
    }
    if (ends[0]->on_premises && ends[1]->on_premises) {
      findings.error(connection.gateways_where,
                     path + ": '" + ends[0]->name + "' and '" + ends[1]->name +
                         "' are both on-premises sites; a connection needs "
                         "an Azure gateway at one end at least");
      continue;
    }
    for (const Gateway* end : ends)
      if (end->active_active && !connection.enable_bgp)
        findings.error(
            connection.gateways_where,
            path + ": gateway '" + end->name +
                "' is active-active: hublab needs BGP on its connections (enable_bgp = true); "
                "static routes over two instances are not emulated yet");
    if (connection.enable_bgp)
      for (const Gateway* end : ends)
        if (end->on_premises && end->asn == 0)
          findings.error(connection.gateways_where,
                         path + ": site '" + end->name +
                             "' has no asn, and BGP on this connection needs one (site." +
                             end->name + ".asn)");
    if (!joined.insert(std::minmax(ends[0]->name, ends[1]->name)).second)
      findings.error(connection.gateways_where, path + ": '" + ends[0]->name + "' and '" +
                                                    ends[1]->name + "' are already connected");
    if (connection.enable_bgp && ends[0]->asn == ends[1]->asn && ends[0]->asn != 0)
      findings.error(connection.gateways_where, path + ": both gateways have ASN " +
                                                    std::to_string(ends[0]->asn) +
                                                    "; eBGP between them needs two different ASNs");
  }
}

}  // namespace hublab
