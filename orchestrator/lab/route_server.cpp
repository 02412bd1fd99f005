#include "orchestrator/lab/route_server.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <variant>

#include "base/regular_file.h"
#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/vxlan.h"

namespace hublab {

namespace {

// ASNs an NVA may not use ("Azure Route Server FAQ": those Azure reserves,
// and those IANA reserves), as [first, last].
struct AsnRange {
  uint32_t first, last;
  const char* why;
};
constexpr AsnRange kReservedAsns[] = {
    {8074, 8075, "reserved by Azure"},
    {12076, 12076, "reserved by Azure (Microsoft's edge routers)"},
    {23456, 23456, "reserved by IANA (AS_TRANS)"},
    {64496, 64511, "reserved by IANA (documentation)"},
    {65515, 65515, "Route Server's own"},
    {65517, 65520, "reserved by Azure"},
    {65535, 65551, "reserved by IANA"},
};

const AsnRange* reserved(uint32_t asn) {
  for (const AsnRange& r : kReservedAsns)
    if (asn >= r.first && asn <= r.last) return &r;
  return nullptr;
}

std::optional<uint32_t> read_asn(Fields& f, const std::string& key, bool required) {
  auto asn = f.integer_in(key, 1, 4294967294LL, required, [](int64_t v) {
    return "ASN " + std::to_string(v) + " is out of range 1-4294967294";
  });
  if (!asn) return std::nullopt;
  return static_cast<uint32_t>(*asn);
}

// A BGP peer's `peer_ip` and `peer_asn`, both required: a Route Server's
// connection to an NVA, or an NVA's peer over an overlay.
template <class Peer>
void read_peer(Fields& f, SourceLocation at, Peer& peer) {
  peer.where = at;
  peer.peer_ip_where = f.where("peer_ip");
  if (!f.has("peer_ip")) f.error(at, f.path() + ": missing required field 'peer_ip'");
  if (auto ip = f.address("peer_ip")) peer.peer_ip = *ip;
  peer.peer_asn_where = f.where("peer_asn");
  if (auto asn = read_asn(f, "peer_asn", true)) peer.peer_asn = *asn;
}

// An NVA's BGP peers: each the far end of one of its [[vxlan]] overlays,
// that NVA listing it back, over eBGP. Peering another NVA's NIC address is
// refused: Azure's fabric would carry the traffic those routes attract
// back to the NVA it came from (the Route Server MicroHack shows TTL
// exceeded), and the overlay is what MS Learn's multi-region design uses.
void validate_nva_peers(const Lab& lab, const Vm& vm, Findings& findings) {
  const std::string path = "vm." + vm.name + ".bgp";
  std::set<uint32_t> seen;
  for (size_t i = 0; i < vm.bgp->peers.size(); ++i) {
    const NvaPeer& peer = vm.bgp->peers[i];
    const std::string ppath = path + ".peers[" + std::to_string(i) + "]";
    if (peer.peer_ip.value == 0 || peer.peer_asn == 0) continue;  // reported as missing
    if (!seen.insert(peer.peer_ip.value).second) {
      findings.error(peer.peer_ip_where,
                     ppath + ".peer_ip: " + peer.peer_ip.str() + " is peered twice");
      continue;
    }
    const OverlayPeer over = overlay_peer(lab, vm.name, peer.peer_ip);
    if (!over.vxlan) {
      findings.error(peer.peer_ip_where,
                     ppath + ".peer_ip: " + peer.peer_ip.str() +
                         " is no far end of a [[vxlan]] overlay of vm." + vm.name +
                         ": NVAs peer over an overlay (IPsec or VXLAN, as MS Learn's "
                         "multi-region design says); over their NICs Azure loops the traffic");
      continue;
    }
    const Vm* far = lab.find_vm(over.far->vm);
    if (!far || !far->bgp) continue;  // reported by the overlay
    if (far->bgp->asn != peer.peer_asn) {
      findings.error(peer.peer_asn_where, ppath + ".peer_asn: " + std::to_string(peer.peer_asn) +
                                              " is not vm." + far->name + "'s ASN (" +
                                              std::to_string(far->bgp->asn) + ")");
      continue;
    }
    if (far->bgp->asn == vm.bgp->asn) {
      findings.error(peer.peer_asn_where, ppath + ".peer_asn: " + std::to_string(peer.peer_asn) +
                                              " is vm." + vm.name +
                                              "'s own ASN: NVAs peer over eBGP here (iBGP "
                                              "between them is not emulated)");
      continue;
    }
    bool mutual = false;
    for (const NvaPeer& back : far->bgp->peers) mutual |= back.peer_ip == over.near->address;
    if (!mutual)
      findings.error(peer.where, ppath + ": vm." + far->name + " does not peer " +
                                     over.near->address.str() + " back (add { peer_ip = \"" +
                                     over.near->address.str() +
                                     "\", peer_asn = " + std::to_string(vm.bgp->asn) +
                                     " } to its bgp.peers): the "
                                     "session would never come up");
  }
}

// A Route Server beside a VPN gateway ("Azure Route Server FAQ"): "Azure
// VPN gateway must be configured in active-active mode and have the ASN
// set to 65515" (an ExpressRoute gateway's ASN is 65515 anyway); and what
// hublab does not emulate beside one.
void validate_beside_vpn_gateway(const Lab& lab, const RouteServer& server, const Gateway& gateway,
                                 Findings& findings) {
  const std::string path = "route_server." + server.name;
  if (!gateway.active_active)
    findings.error(server.vnet_where,
                   path + ".vnet: VNet '" + server.vnet + "' has VPN gateway." + gateway.name +
                       ", which is active-standby: beside a Route Server Azure requires "
                       "active-active (set active_active = true on it)");
  if (gateway.asn != kRouteServerAsn)
    findings.error(gateway.asn_where, "gateway." + gateway.name + ".asn: " +
                                          std::to_string(gateway.asn) + " beside " + path +
                                          ": Azure requires a VPN gateway beside a Route Server "
                                          "to keep ASN 65515");
  // (The spaces both serve never reach the VNet as routes.)
  const std::vector<const Vnet*> served = lab.vnets_served_by(gateway);
  const std::vector<Prefix>& hub = lab.find_vnet(server.vnet)->address_space;
  for (const Vm& vm : lab.vms) {
    if (vm.vnet != server.vnet || !vm.bgp) continue;
    // Which of the two Azure programs for a prefix both bring is not
    // documented for a VPN gateway; nor is an overlay beside one.
    if (!vm.bgp->peers.empty())
      findings.error(vm.bgp->where, "vm." + vm.name + ".bgp.peers: beside VPN gateway." +
                                        gateway.name +
                                        ", NVAs peered over an overlay are not emulated yet");
    for (size_t i = 0; i < vm.bgp->advertise.size(); ++i) {
      const Prefix& advertised = vm.bgp->advertise[i];
      const SourceLocation at = vm.bgp->advertise_where[i];
      const std::string field = "vm." + vm.name + ".bgp.advertise: ";
      for (const Vnet& other : lab.vnets)
        for (const Prefix& space : other.address_space)
          if (space == advertised &&
              std::find(served.begin(), served.end(), &other) == served.end())
            findings.error(at, field + space.str() + " is " +
                                   (other.on_premises ? "site." : "vnet.") + other.name +
                                   "'s space, which VPN gateway." + gateway.name +
                                   " may bring too: which of the two Azure programs is not "
                                   "emulated yet");
      // Branch-to-branch over tunnels: a gateway passes on no prefix that
      // overlaps its own VNet (the model's rule 9), which BIRD's tunnel
      // export does not know: refused rather than emulated two ways.
      if (server.branch_to_branch)
        for (const Prefix& space : hub)
          if (space.contains(advertised.network) || advertised.contains(space.network))
            findings.error(at, field + advertised.str() + " overlaps vnet." + server.vnet +
                                   "'s space " + space.str() +
                                   ": branch-to-branch over VPN gateway." + gateway.name +
                                   " with it is not emulated yet");
    }
  }
  // Branch-to-branch needs the gateway's BGP speaker: MS Learn says the
  // exchange happens with or without BGP on its connections, and hublab
  // runs BGP only for connections that enable it.
  if (server.branch_to_branch &&
      std::none_of(lab.connections.begin(), lab.connections.end(), [&](const Connection& c) {
        return c.enable_bgp && (c.gateways[0] == gateway.name || c.gateways[1] == gateway.name);
      }))
    findings.error(server.branch_to_branch_where,
                   path + ".branch_to_branch: VPN gateway." + gateway.name +
                       " has no connection with enable_bgp = true: branch-to-branch with a "
                       "gateway that runs no BGP is not emulated yet");
}

// NVAs joined by overlays, directly or through others, hold ASNs of their
// own: BGP drops a path through a speaker of the receiver's ASN, which
// hublab's plan does not follow (its expected routes would never come).
void validate_overlay_asns(const Lab& lab, Findings& findings) {
  // The overlay graph, both ways (a one-sided peering is reported apart).
  std::map<std::string, std::vector<const Vm*>> joined;
  for (const Vm& vm : lab.vms) {
    if (!vm.bgp) continue;
    for (const NvaPeer& peer : vm.bgp->peers) {
      const OverlayPeer over = overlay_peer(lab, vm.name, peer.peer_ip);
      const Vm* far = over.far ? lab.find_vm(over.far->vm) : nullptr;
      if (!far || !far->bgp) continue;
      joined[vm.name].push_back(far);
      joined[far->name].push_back(&vm);
    }
  }
  std::set<std::string> done;
  for (const Vm& start : lab.vms) {
    if (!joined.count(start.name) || !done.insert(start.name).second) continue;
    std::map<uint32_t, const Vm*> by_asn;
    std::vector<const Vm*> frontier = {&start};
    while (!frontier.empty()) {
      const Vm* at = frontier.back();
      frontier.pop_back();
      auto [other, fresh] = by_asn.emplace(at->bgp->asn, at);
      if (!fresh)
        findings.error(at->bgp->asn_where,
                       "vm." + at->name + ".bgp.asn: " + std::to_string(at->bgp->asn) + " is vm." +
                           other->second->name +
                           "'s too, which it reaches over overlays: NVAs joined by overlays "
                           "need ASNs of their own");
      for (const Vm* far : joined[at->name])
        if (done.insert(far->name).second) frontier.push_back(far);
    }
  }
}

}  // namespace

Ipv4 route_server_instance_ip(const Lab& lab, const RouteServer& server, int instance) {
  const Subnet* subnet = lab.find_vnet(server.vnet)->find_subnet(kRouteServerSubnet);
  return Ipv4{subnet->prefix.first_usable().value + static_cast<uint32_t>(instance)};
}

std::string route_server_instance(const RouteServer& server, int instance) {
  return server.name + "." + std::to_string(instance);
}

std::string frr_config_path(const Lab& lab, const VmBgp& bgp) {
  // As key files are found (lab/shared_key): beside the lab file.
  std::filesystem::path path = bgp.frr_config;
  if (path.is_relative()) path = std::filesystem::path(lab.file).parent_path() / path;
  return path.string();
}

std::variant<FrrConfigText, std::string> read_frr_config(const std::string& file) {
  auto read = read_regular_file(file, kMaxFrrConfigBytes);
  if (auto* refused = std::get_if<FileRefusal>(&read)) return refusal_reason(*refused);
  std::string text = std::get<std::string>(std::move(read));
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return std::string("is empty: FRR would run it as it is, configured for nothing");
  return FrrConfigText{std::move(text)};
}

std::map<std::string, std::string> read_frr_configs(const Lab& lab) {
  std::map<std::string, std::string> configs;
  for (const Vm& vm : lab.vms) {
    if (!vm.bgp || vm.bgp->frr_config.empty()) continue;
    const std::string file = frr_config_path(lab, *vm.bgp);
    auto read = read_frr_config(file);
    if (auto* refused = std::get_if<std::string>(&read))
      throw LabFieldError(vm.bgp->frr_config_where,
                          "vm." + vm.name + ".bgp.frr_config: " + file + ": " + *refused);
    configs[vm.name] = std::get<FrrConfigText>(read).text;
  }
  return configs;
}

void read_route_server(Fields& f, const std::string& name, Lab& lab) {
  RouteServer server;
  server.name = name;
  server.where = f.where();
  server.vnet = f.string("vnet", true).value_or("");
  server.vnet_where = f.where("vnet");
  server.branch_to_branch = f.boolean("branch_to_branch").value_or(false);
  server.branch_to_branch_where = f.where("branch_to_branch");
  f.each_entry("bgp_connections", "expected an array of { name, peer_ip, peer_asn }",
               "{ name, peer_ip, peer_asn }", [&](Fields& cf, SourceLocation at) {
                 BgpConnection connection;
                 connection.name = cf.string("name", true).value_or("");
                 read_peer(cf, at, connection);
                 server.bgp_connections.push_back(std::move(connection));
               });
  lab.route_servers.push_back(std::move(server));
}

void read_vm_bgp(Fields& f, Vm& vm) {
  const toml::table* table = f.table("bgp");
  if (!table) return;
  Fields bf = f.nested(*table, f.path() + ".bgp");
  VmBgp bgp;
  bgp.where = f.where("bgp");
  bgp.asn_where = bf.where("asn");
  if (auto asn = read_asn(bf, "asn", true)) bgp.asn = *asn;
  for (auto& [text, at] : bf.strings("advertise", false))
    if (auto p = bf.prefix("advertise", text, at)) {
      bgp.advertise.push_back(*p);
      bgp.advertise_where.push_back(at);
    }
  bgp.frr_config = bf.string("frr_config", false).value_or("");
  bgp.frr_config_where = bf.where("frr_config");
  if (bf.has("frr_config") && bgp.frr_config.empty())
    bf.field_error("frr_config",
                   "must not be empty: name a file, or leave it out for hublab's own "
                   "configuration");
  bgp.as_override = bf.boolean("as_override").value_or(false);
  bgp.as_override_where = bf.where("as_override");
  bf.each_entry("peers", "expected an array of { peer_ip, peer_asn }", "{ peer_ip, peer_asn }",
                [&](Fields& pf, SourceLocation at) {
                  NvaPeer peer;
                  read_peer(pf, at, peer);
                  bgp.peers.push_back(peer);
                });
  bf.finish();
  vm.bgp = std::move(bgp);
}

const Vm* nva_of(const Lab& lab, const RouteServer& server, const BgpConnection& connection) {
  for (const Vm& vm : lab.vms)
    if (vm.vnet == server.vnet && lab.vm_address(vm) == connection.peer_ip) return &vm;
  return nullptr;
}

void validate_route_servers(const Lab& lab, Findings& findings) {
  std::map<std::string, std::string> server_of_vnet;
  for (const RouteServer& server : lab.route_servers) {
    const std::string path = "route_server." + server.name;
    if (!is_node_name(server.name)) {
      findings.error(server.where, path +
                                       ": name must start with a letter or digit and hold only "
                                       "letters, digits, '-' and '_'");
      continue;
    }
    const Vnet* vnet = lab.find_vnet(server.vnet);
    if (server.vnet.empty()) continue;  // reported as missing
    if (!vnet || vnet->on_premises) {
      findings.error(server.vnet_where, path + ".vnet: no VNet named '" + server.vnet + "'");
      continue;
    }
    const Subnet* subnet = vnet->find_subnet(kRouteServerSubnet);
    if (!subnet) {
      findings.error(server.vnet_where, path + ".vnet: VNet '" + server.vnet +
                                            "' has no subnet named RouteServerSubnet");
      continue;
    }
    auto [other, fresh] = server_of_vnet.emplace(server.vnet, server.name);
    if (!fresh)
      findings.error(server.vnet_where, path + ".vnet: VNet '" + server.vnet +
                                            "' already has route_server." + other->second +
                                            " (Azure allows one per VNet)");
    else if (subnet->prefix.length > 26)
      findings.error(subnet->where, "vnet." + server.vnet +
                                        ".subnets.RouteServerSubnet: " + subnet->prefix.str() +
                                        " is too small: Route Server needs a /26 or larger");
    for (const Gateway& gateway : lab.gateways)
      if (gateway.vnet == server.vnet && !gateway.on_premises && !gateway.expressroute() &&
          gateway.instance_of.empty())
        validate_beside_vpn_gateway(lab, server, gateway, findings);
    if (server.bgp_connections.size() > kMaxRouteServerPeers)
      findings.error(server.where,
                     path + ".bgp_connections: " + std::to_string(server.bgp_connections.size()) +
                         " peers: a Route Server takes at most " +
                         std::to_string(kMaxRouteServerPeers));
    std::set<std::string> names;
    std::set<uint32_t> peers;
    for (size_t i = 0; i < server.bgp_connections.size(); ++i) {
      const BgpConnection& c = server.bgp_connections[i];
      const std::string cpath = path + ".bgp_connections[" + std::to_string(i) + "]";
      if (!c.name.empty() && !names.insert(c.name).second)
        findings.error(c.where, cpath + ".name: '" + c.name + "' is used twice");
      if (c.peer_ip.value == 0) continue;  // reported as missing
      if (!peers.insert(c.peer_ip.value).second)
        findings.error(c.peer_ip_where,
                       cpath + ".peer_ip: " + c.peer_ip.str() + " is peered twice");
      if (c.peer_asn == 0) continue;
      if (const AsnRange* r = reserved(c.peer_asn)) {
        findings.error(c.peer_asn_where, cpath + ".peer_asn: ASN " + std::to_string(c.peer_asn) +
                                             " is " + r->why + ": an NVA may not use it");
        continue;
      }
      const Vm* nva = nva_of(lab, server, c);
      if (!nva) {
        findings.error(c.peer_ip_where, cpath + ".peer_ip: " + c.peer_ip.str() +
                                            " is no VM of VNet '" + server.vnet +
                                            "' (an NVA in another VNet is not emulated yet)");
        continue;
      }
      if (!nva->bgp)
        findings.error(c.peer_ip_where, cpath + ".peer_ip: vm." + nva->name +
                                            " speaks no BGP (give it bgp = { asn = " +
                                            std::to_string(c.peer_asn) + " })");
      else if (nva->bgp->asn != c.peer_asn)
        findings.error(c.peer_asn_where, cpath + ".peer_asn: " + std::to_string(c.peer_asn) +
                                             " is not vm." + nva->name + "'s ASN (" +
                                             std::to_string(nva->bgp->asn) + ")");
    }
  }
  for (const Vm& vm : lab.vms) {
    if (vm.subnet == kRouteServerSubnet)
      findings.error(
          vm.subnet_where,
          "vm." + vm.name + ".subnet: RouteServerSubnet is dedicated to the Route Server: no VMs");
    if (!vm.bgp) continue;
    const std::string path = "vm." + vm.name + ".bgp";
    if (vm.bgp->asn > 65535)
      findings.error(vm.bgp->asn_where, path + ".asn: " + std::to_string(vm.bgp->asn) +
                                            " is a 4-byte ASN: Route Server peers only 2-byte "
                                            "ASNs (1-65534)");
    else if (vm.bgp->asn != 0)
      if (const AsnRange* r = reserved(vm.bgp->asn))
        findings.error(vm.bgp->asn_where, path + ".asn: ASN " + std::to_string(vm.bgp->asn) +
                                              " is " + r->why + ": an NVA may not use it");
    if (!vm.ip_forwarding)
      findings.error(vm.bgp->where, path +
                                        ": an NVA forwards what it advertises: set "
                                        "ip_forwarding = true on vm." +
                                        vm.name);
    if (!vm.bgp->frr_config.empty()) {
      // The very test `up` makes, so that a lab `validate` passes is not
      // refused later for its FRR file.
      auto read = read_frr_config(frr_config_path(lab, *vm.bgp));
      if (auto* refused = std::get_if<std::string>(&read))
        findings.error(vm.bgp->frr_config_where,
                       path + ".frr_config: '" + vm.bgp->frr_config + "'" +
                           (vm.bgp->frr_config.front() == '/' ? "" : " (beside the lab file)") +
                           ": " + *refused);
    }
    validate_nva_peers(lab, vm, findings);
    if (vm.bgp->as_override && vm.bgp->peers.empty())
      findings.error(vm.bgp->as_override_where,
                     path + ".as_override: vm." + vm.name +
                         " peers no other NVA: as-override only matters for what comes from "
                         "another Route Server (give it bgp.peers, or leave it false)");
  }
  validate_overlay_asns(lab, findings);
  for (const Vnet& vnet : lab.vnets)
    if (const Subnet* subnet = vnet.find_subnet(kRouteServerSubnet))
      if (!subnet->route_table.empty())
        findings.error(subnet->route_table_where,
                       "vnet." + vnet.name +
                           ".subnets.RouteServerSubnet.route_table: Azure allows no route table "
                           "on RouteServerSubnet");
}

}  // namespace hublab
