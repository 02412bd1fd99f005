#include "orchestrator/lab/lab_validator.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "orchestrator/lab/naming.h"

namespace hublab {

namespace {

// The VPN gateway FAQ ("What ASNs can I use?"): IANA reserves 23456,
// 64496-64511, 65535-65551 and 4294967295 for everyone; Azure reserves
// 8074, 8075, 12076, 65515 and 65517-65520, of which 65515 is every Azure
// gateway's default ASN (valid there, never on-premises). Nothing, or why not.
std::optional<std::string> reserved_asn(uint32_t asn, bool azure_gateway) {
  if (asn == 23456 || (asn >= 64496 && asn <= 64511) || (asn >= 65535 && asn <= 65551) ||
      asn == 4294967295u)
    return "is reserved by IANA (23456, 64496-64511, 65535-65551, 4294967295)";
  if (asn == 65515 && azure_gateway) return std::nullopt;
  if (asn == 8074 || asn == 8075 || asn == 12076 || asn == 65515 || (asn >= 65517 && asn <= 65520))
    return std::string("is reserved by Azure (8074, 8075, 12076, 65515, 65517-65520") +
           (azure_gateway ? "; 65515 only as a gateway's default)" : ")");
  return std::nullopt;
}

bool is_node_name(const std::string& name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

class Validator {
 public:
  explicit Validator(const Lab& lab) : lab_(lab) {}

  std::vector<Diagnostic> run() {
    check_lab_name();
    check_has_a_vnet();
    check_node_names();
    for (const Vnet& vnet : lab_.vnets) check_vnet(vnet);
    check_vms();
    check_peerings();
    check_gateways();
    check_connections();
    check_route_tables();
    check_expectations();
    return std::move(found_);
  }

 private:
  void error(SourceLocation at, const std::string& message) {
    found_.push_back({lab_.file, at, message});
  }

  void check_lab_name() {
    const std::string& name = lab_.name;
    if (!is_node_name(name) || name.find('.') != std::string::npos)
      error(lab_.name_where, "lab.name: '" + name +
                                 "' must start with a letter or digit and hold only letters, "
                                 "digits, '-' and '_'");
    else if (name.size() > naming::kMaxLabName)
      error(lab_.name_where, "lab.name: '" + name + "' is longer than " +
                                 std::to_string(naming::kMaxLabName) + " characters");
  }

  // The smallest lab is one Azure VNet: an empty file, or a TOML file of
  // something else that happens to hold no unknown keys, is no lab.
  void check_has_a_vnet() {
    for (const Vnet& vnet : lab_.vnets)
      if (!vnet.on_premises) return;
    error({1, 1}, "no [vnet.NAME]: a lab has at least one virtual network (docs/lab-format.md)");
  }

  // VNets, VMs and gateways each get a namespace named after them, so their
  // names share one space.
  void check_node_names() {
    std::map<std::string, std::string> owner;
    auto claim = [&](const std::string& kind, const std::string& name, SourceLocation at) {
      std::string path = kind + "." + name;
      if (!is_node_name(name)) {
        error(at, path +
                      ": name must start with a letter or digit and hold only letters, "
                      "digits, '-' and '_'");
        return;
      }
      auto [it, fresh] = owner.emplace(name, path);
      if (!fresh) error(at, path + ": name '" + name + "' is already used by " + it->second);
    };
    for (const Vnet& v : lab_.vnets) {
      claim(v.on_premises ? "site" : "vnet", v.name, v.where);
      if (!v.on_premises)  // sites are never peered
        check_interface_name("vnet." + v.name, naming::peering_port(v.name), v.where, "VNet");
    }
    for (const Vm& v : lab_.vms) {
      claim("vm", v.name, v.where);
      check_interface_name("vm." + v.name, naming::vm_port(v.name), v.where, "VM");
    }
    for (const Gateway& g : lab_.gateways) {
      if (g.on_premises) continue;           // a site's device is its site's node
      if (!g.instance_of.empty()) continue;  // an instance is its gateway's
      claim("gateway", g.name, g.where);
      check_interface_name("gateway." + g.name,
                           naming::gateway_port(naming::gateway_instance(g.name, g.active_active)),
                           g.where, "gateway");
    }
    // The namespace joining the gateways' public IPs has a fixed name.
    auto internet = owner.find(naming::internet_node());
    if (internet != owner.end()) {
      SourceLocation at;
      for (const Vnet& v : lab_.vnets)
        if (v.name == internet->first) at = v.where;
      for (const Vm& v : lab_.vms)
        if (v.name == internet->first) at = v.where;
      for (const Gateway& g : lab_.gateways)
        if (g.name == internet->first) at = g.where;
      error(at, internet->second + ": the name '" + internet->first +
                    "' is hublab's own (the namespace joining the gateways' public IPs)");
    }
  }

  void check_interface_name(const std::string& path, const std::string& interface,
                            SourceLocation at, const std::string& kind) {
    if (interface.size() <= naming::kMaxInterfaceName) return;
    size_t overhead = interface.size() - (path.size() - path.find('.') - 1);
    error(at, path + ": name is too long: its interface '" + interface + "' would exceed " +
                  std::to_string(naming::kMaxInterfaceName) + " characters (" + kind +
                  " names: at most " + std::to_string(naming::kMaxInterfaceName - overhead) + ")");
  }

  void check_vnet(const Vnet& vnet) {
    std::string path = (vnet.on_premises ? "site." : "vnet.") + vnet.name;
    if (vnet.address_space.empty() && !vnet.address_space_where.empty())
      error(vnet.where, path + ".address_space: needs at least one prefix");
    if (vnet.on_premises && vnet.subnets.empty())
      error(vnet.where, path + ".subnets: a site needs at least one subnet (its device routes it)");
    for (size_t i = 0; i < vnet.address_space.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (vnet.address_space[i].overlaps(vnet.address_space[j]))
          error(vnet.address_space_where[i], path +
                                                 ".address_space: " + vnet.address_space[i].str() +
                                                 " overlaps " + vnet.address_space[j].str());
    for (size_t i = 0; i < vnet.subnets.size(); ++i) {
      const Subnet& subnet = vnet.subnets[i];
      std::string subnet_path = path + ".subnets." + subnet.name;
      if (subnet.prefix.length > 29)
        error(subnet.where, subnet_path + ": " + subnet.prefix.str() +
                                " is too small: Azure subnets are /29 or larger");
      bool inside = false;
      for (const Prefix& space : vnet.address_space) inside |= space.contains(subnet.prefix);
      if (!inside && !vnet.address_space.empty())
        error(subnet.where, subnet_path + ": " + subnet.prefix.str() +
                                " is outside the VNet's address space " + spaces(vnet));
      for (size_t j = 0; j < i; ++j)
        if (subnet.prefix.overlaps(vnet.subnets[j].prefix))
          error(subnet.where, subnet_path + ": " + subnet.prefix.str() + " overlaps subnet '" +
                                  vnet.subnets[j].name + "' (" + vnet.subnets[j].prefix.str() +
                                  ")");
    }
  }

  static std::string spaces(const Vnet& vnet) {
    std::string text;
    for (const Prefix& p : vnet.address_space) text += (text.empty() ? "" : ", ") + p.str();
    return text;
  }

  void check_vms() {
    std::map<std::pair<std::string, uint32_t>, std::string> taken;
    for (const Vm& vm : lab_.vms) {
      std::string path = "vm." + vm.name;
      if (vm.vnet.empty()) continue;
      const Vnet* vnet = lab_.find_vnet(vm.vnet);
      if (!vnet) {
        error(vm.vnet_where, path + ".vnet: no VNet named '" + vm.vnet + "'");
        continue;
      }
      const Subnet* subnet = vnet->find_subnet(vm.subnet);
      if (!subnet) {
        error(vm.subnet_where,
              path + ".subnet: VNet '" + vm.vnet + "' has no subnet named '" + vm.subnet + "'");
        continue;
      }
      if (subnet->name == kGatewaySubnet || subnet->name == kBastionSubnet) {
        error(vm.subnet_where, path + ".subnet: Azure allows no VMs in " + subnet->name);
        continue;
      }
      Ipv4 address = lab_.vm_address(vm);
      if (vm.address && !subnet->prefix.contains(address)) {
        error(vm.address_where, path + ".address: " + address.str() + " is outside subnet '" +
                                    subnet->name + "' (" + subnet->prefix.str() + ")");
        continue;
      }
      if (vm.address && subnet->prefix.is_azure_reserved(address)) {
        error(vm.address_where, path + ".address: " + address.str() +
                                    " is reserved by Azure (the first four addresses and the "
                                    "last of " +
                                    subnet->prefix.str() + ")");
        continue;
      }
      auto [it, fresh] = taken.emplace(std::pair{vm.vnet, address.value}, vm.name);
      if (!fresh)
        error(vm.address_where,
              path + ".address: " + address.str() + " is already used by vm." + it->second);
    }
  }

  void check_peerings() {
    std::set<std::pair<std::string, std::string>> peered;
    std::map<std::string, SourceLocation> uses_remote;
    for (size_t i = 0; i < lab_.peerings.size(); ++i) {
      const Peering& peering = lab_.peerings[i];
      std::string path = "peering[" + std::to_string(i) + "]";
      const Vnet* vnets[2];
      bool known = true;
      for (const PeeringSide& side : peering.sides) {
        const Vnet* vnet = lab_.find_vnet(side.vnet);
        if (!vnet) error(side.where, path + ": no VNet named '" + side.vnet + "'");
        known &= vnet != nullptr;
        vnets[&side - peering.sides] = vnet;
      }
      if (!known) continue;
      bool site = false;
      for (const Vnet* vnet : vnets)
        if (vnet->on_premises) {
          error(peering.where, path + ": '" + vnet->name +
                                   "' is an on-premises site: sites join over VPN connections, "
                                   "not peerings");
          site = true;
        }
      if (site) continue;
      auto pair = std::minmax(peering.sides[0].vnet, peering.sides[1].vnet);
      if (!peered.insert(pair).second) {
        error(peering.where,
              path + ": VNets '" + pair.first + "' and '" + pair.second + "' are already peered");
        continue;
      }
      for (const Prefix& a : vnets[0]->address_space)
        for (const Prefix& b : vnets[1]->address_space)
          if (a.overlaps(b))
            error(peering.where, path + ": address spaces overlap: " + vnets[0]->name + " " +
                                     a.str() + " and " + vnets[1]->name + " " + b.str() +
                                     " (Azure cannot peer them)");
      for (int s = 0; s < 2; ++s) {
        const PeeringSide& side = peering.sides[s];
        const PeeringSide& remote = peering.sides[1 - s];
        if (!side.use_remote_gateways) continue;
        std::string field = path + "." + side.vnet + ".use_remote_gateways: ";
        if (!lab_.gateway_of(remote.vnet))
          error(side.use_remote_gateways_where,
                field + "VNet '" + remote.vnet + "' has no gateway to use");
        else if (!remote.allow_gateway_transit)
          error(side.use_remote_gateways_where,
                field + "VNet '" + remote.vnet +
                    "' does not set allow_gateway_transit on this peering");
        if (lab_.gateway_of(side.vnet))
          error(side.use_remote_gateways_where,
                field + "VNet '" + side.vnet + "' has a gateway of its own");
        auto [it, fresh] = uses_remote.emplace(side.vnet, side.use_remote_gateways_where);
        if (!fresh)
          error(side.use_remote_gateways_where,
                field + "VNet '" + side.vnet + "' already uses remote gateways on line " +
                    std::to_string(it->second.line) + " (Azure allows one)");
      }
    }
  }

  void check_gateways() {
    std::map<std::string, std::string> vnet_owner, public_owner;
    for (const Gateway& gateway : lab_.gateways) {
      std::string path = gateway.on_premises ? "site." + gateway.name
                         : gateway.instance_of.empty()
                             ? "gateway." + gateway.name
                             : "gateway." + gateway.instance_of + " (instance 1)";
      if (gateway.asn != 0 && gateway.instance_of.empty())
        if (auto why = reserved_asn(gateway.asn, !gateway.on_premises))
          error(gateway.asn_where.line ? gateway.asn_where : gateway.where,
                path + ".asn: ASN " + std::to_string(gateway.asn) + " " + *why);
      // Gateways' and sites' devices' public IPs share the emulated internet.
      Ipv4 ip = lab_.public_ip(gateway);
      auto [owner, unique] = public_owner.emplace(ip.str(), path);
      if (!unique)
        error(gateway.public_ip_where.line ? gateway.public_ip_where : gateway.where,
              path + ".public_ip: " + ip.str() + " is already used by " + owner->second);
      if (gateway.public_ip) {
        for (const Vnet& v : lab_.vnets)
          for (const Prefix& space : v.address_space)
            if (space.contains(ip))
              error(gateway.public_ip_where,
                    path + ".public_ip: " + ip.str() + " lies in the address space of " +
                        (v.on_premises ? "site '" : "VNet '") + v.name + "'");
      }
      if (gateway.vnet.empty()) continue;
      const Vnet* vnet = lab_.find_vnet(gateway.vnet);
      if (!gateway.instance_of.empty()) {
        // Its gateway's checks cover its VNet; only its BGP peer IP is its own.
        if (!vnet || vnet->on_premises || !vnet->find_subnet(kGatewaySubnet)) continue;
        const Gateway& first = lab_.primary(gateway);
        if (lab_.bgp_peer_ip(first) == lab_.bgp_peer_ip(gateway))
          error(first.bgp_peer_ip_where, "gateway." + first.name +
                                             ".bgp_peer_ip: " + lab_.bgp_peer_ip(first).str() +
                                             " is the address instance 1 of this active-active "
                                             "gateway takes (the one below the last usable)");
        continue;
      }
      if (!vnet) {
        error(gateway.vnet_where, path + ".vnet: no VNet named '" + gateway.vnet + "'");
        continue;
      }
      if (vnet->on_premises && !gateway.on_premises) {
        error(gateway.vnet_where,
              path + ".vnet: '" + gateway.vnet +
                  "' is an on-premises site: its VPN device is the site itself");
        continue;
      }
      if (gateway.on_premises) {
        check_site_device(gateway, *vnet, path);
        continue;
      }
      auto [it, fresh] = vnet_owner.emplace(gateway.vnet, gateway.name);
      if (!fresh)
        error(gateway.vnet_where,
              path + ".vnet: VNet '" + gateway.vnet + "' already has gateway '" + it->second + "'");
      const Subnet* subnet = vnet->find_subnet(kGatewaySubnet);
      if (!subnet) {
        error(gateway.vnet_where,
              path + ".vnet: VNet '" + gateway.vnet + "' has no subnet named GatewaySubnet");
        continue;
      }
      if (gateway.bgp_peer_ip) {
        Ipv4 ip = *gateway.bgp_peer_ip;
        if (!subnet->prefix.contains(ip) || subnet->prefix.is_azure_reserved(ip))
          error(gateway.bgp_peer_ip_where, path + ".bgp_peer_ip: " + ip.str() +
                                               " is not a usable address of GatewaySubnet " +
                                               subnet->prefix.str());
      }
    }
  }

  // A site's BGP peer IP: in its address space, or an APIPA address of the
  // range Azure allows for BGP (169.254.21.0-169.254.22.255).
  void check_site_device(const Gateway& device, const Vnet& site, const std::string& path) {
    if (!device.bgp_peer_ip) return;
    const Ipv4 ip = *device.bgp_peer_ip;
    bool inside = false;
    for (const Prefix& space : site.address_space) inside |= space.contains(ip);
    // Not one CIDR block: 169.254.21.0/24 and 169.254.22.0/24.
    const bool apipa = ip.value >= Ipv4::parse("169.254.21.0")->value &&
                       ip.value <= Ipv4::parse("169.254.22.255")->value;
    if (!inside && !apipa)
      error(device.bgp_peer_ip_where,
            path + ".bgp_peer_ip: " + ip.str() + " is neither in the site's address space " +
                spaces(site) + " nor an APIPA address Azure accepts (169.254.21.0-169.254.22.255)");
  }

  void check_connections() {
    std::set<std::pair<std::string, std::string>> joined;
    // Connection names become namespace names ("CONN@GATEWAY"), BIRD
    // protocol names (letters, digits and '_': "conn_a_b") and words of the
    // lab state: node-name characters only, and unique once '-' reads '_'.
    std::map<std::string, std::string> protocol_names;
    for (const Connection& connection : lab_.connections) {
      if (!connection.tunnel_of.empty()) continue;
      const std::string path = "connection." + connection.name;
      if (!is_node_name(connection.name)) {
        error(connection.where, path +
                                    ": name must start with a letter or digit and hold only "
                                    "letters, digits, '-' and '_'");
        continue;
      }
      std::string protocol = connection.name;
      std::replace(protocol.begin(), protocol.end(), '-', '_');
      auto [it, fresh] = protocol_names.emplace(protocol, connection.name);
      if (!fresh)
        error(connection.where, path + ": name reads as connection '" + it->second +
                                    "' once '-' becomes '_' (BIRD's protocol names)");
    }
    // Per gateway node: the far ends' BGP peer IPs, and the far spaces of
    // connections without BGP, are routes of its table: no two may clash.
    std::map<std::string, std::map<std::string, std::string>> far_peer_ips;
    std::map<std::string, std::vector<std::pair<Prefix, std::string>>> far_spaces;
    for (const Connection& connection : lab_.connections) {
      const Gateway* a = lab_.find_gateway(connection.gateways[0]);
      const Gateway* b = lab_.find_gateway(connection.gateways[1]);
      if (!a || !b || a == b || !lab_.find_vnet(a->vnet) || !lab_.find_vnet(b->vnet)) continue;
      if ((!a->on_premises && !lab_.find_vnet(a->vnet)->find_subnet(kGatewaySubnet)) ||
          (!b->on_premises && !lab_.find_vnet(b->vnet)->find_subnet(kGatewaySubnet)))
        continue;
      const std::string path =
          "connection." + (connection.tunnel_of.empty() ? connection.name : connection.tunnel_of) +
          ".gateways";
      for (int s = 0; s < 2; ++s) {
        const Gateway& near = s == 0 ? *a : *b;
        const Gateway& far = s == 0 ? *b : *a;
        const std::string peer = lab_.bgp_peer_ip(far).str();
        // (Two connections to the same far end are "already connected".)
        auto [it, fresh] = far_peer_ips[near.name].emplace(peer, far.name);
        if (!fresh && it->second != far.name && connection.tunnel_of.empty())
          error(connection.gateways_where, path + ": '" + far.name + "' and '" + it->second +
                                               "' have the same BGP peer IP " + peer +
                                               ", and both connect to '" + near.name + "'");
        if (connection.enable_bgp || near.on_premises) continue;
        for (const Prefix& space : lab_.find_vnet(far.vnet)->address_space) {
          for (const auto& [other, owner] : far_spaces[near.name])
            if (other.overlaps(space) && owner != far.name && connection.tunnel_of.empty())
              error(connection.gateways_where, path + ": without BGP, '" + near.name +
                                                   "' would route " + space.str() + " to '" +
                                                   far.name + "' and " + other.str() + " to '" +
                                                   owner + "': the spaces overlap");
          far_spaces[near.name].emplace_back(space, far.name);
        }
      }
    }
    for (const Connection& connection : lab_.connections) {
      // The tunnels between instances repeat their connection's checks.
      if (!connection.tunnel_of.empty()) continue;
      std::string path = "connection." + connection.name + ".gateways";
      const Gateway* ends[2] = {nullptr, nullptr};
      for (int i = 0; i < 2; ++i) {
        const std::string& name = connection.gateways[i];
        if (name.empty()) continue;
        ends[i] = lab_.find_gateway(name);
        // An active-active gateway's instance 1 is named by its gateway.
        if (ends[i] && !ends[i]->instance_of.empty()) ends[i] = nullptr;
        if (!ends[i]) error(connection.gateways_where, path + ": no gateway named '" + name + "'");
      }
      if (!ends[0] || !ends[1]) continue;
      if (ends[0] == ends[1]) {
        error(connection.gateways_where, path + ": a gateway cannot connect to itself");
        continue;
      }
      if (ends[0]->on_premises && ends[1]->on_premises) {
        error(connection.gateways_where, path + ": '" + ends[0]->name + "' and '" + ends[1]->name +
                                             "' are both on-premises sites; a connection needs "
                                             "an Azure gateway at one end at least");
        continue;
      }
      for (const Gateway* end : ends)
        if (end->active_active && !connection.enable_bgp)
          error(connection.gateways_where,
                path + ": gateway '" + end->name +
                    "' is active-active: hublab needs BGP on its connections (enable_bgp = true); "
                    "static routes over two instances are not emulated yet");
      if (connection.enable_bgp)
        for (const Gateway* end : ends)
          if (end->on_premises && end->asn == 0)
            error(connection.gateways_where,
                  path + ": site '" + end->name +
                      "' has no asn, and BGP on this connection needs one (site." + end->name +
                      ".asn)");
      if (!joined.insert(std::minmax(ends[0]->name, ends[1]->name)).second)
        error(connection.gateways_where,
              path + ": '" + ends[0]->name + "' and '" + ends[1]->name + "' are already connected");
      if (connection.enable_bgp && ends[0]->asn == ends[1]->asn && ends[0]->asn != 0)
        error(connection.gateways_where, path + ": both gateways have ASN " +
                                             std::to_string(ends[0]->asn) +
                                             "; eBGP between them needs two different ASNs");
    }
  }

  // Route tables: MS Learn, "Virtual network traffic routing" (custom
  // routes, next hop types) and "Create, change, or delete a route table".
  void check_route_tables() {
    for (const RouteTable& table : lab_.route_tables) {
      std::set<std::string> names;
      std::set<Prefix> prefixes;
      for (size_t i = 0; i < table.routes.size(); ++i) {
        const UserRoute& r = table.routes[i];
        const std::string path = "route_table." + table.name + ".routes[" + std::to_string(i) + "]";
        if (!names.insert(r.name).second)
          error(r.where, path + ".name: the table already has a route named '" + r.name + "'");
        if (!prefixes.insert(r.prefix).second)
          error(r.prefix_where, path + ".address_prefix: the table already has a route for " +
                                    r.prefix.str() + " (Azure allows one per prefix)");
        const bool appliance = r.next_hop == UserRoute::NextHop::kVirtualAppliance;
        if (appliance && !r.next_hop_ip)
          error(r.where, path + ": next_hop_ip is required for next_hop_type VirtualAppliance");
        if (!appliance && r.next_hop_ip)
          error(r.next_hop_ip_where, path +
                                         ".next_hop_ip: only a VirtualAppliance route takes one "
                                         "(this one is " +
                                         std::string(next_hop_type_name(r.next_hop)) + ")");
      }
    }
    for (const Vnet& vnet : lab_.vnets)
      for (const Subnet& subnet : vnet.subnets) {
        if (subnet.route_table.empty()) continue;
        const std::string path = (vnet.on_premises ? "site." : "vnet.") + vnet.name + ".subnets." +
                                 subnet.name + ".route_table";
        const RouteTable* table = lab_.find_route_table(subnet.route_table);
        if (!table) {
          error(subnet.route_table_where,
                path + ": no route table named '" + subnet.route_table + "'");
          continue;
        }
        if (vnet.on_premises) {
          error(subnet.route_table_where,
                path + ": route tables are Azure's; a site routes by its own device");
          continue;
        }
        if (subnet.name == kGatewaySubnet && !table->bgp_route_propagation)
          error(subnet.route_table_where,
                path + ": route table '" + table->name +
                    "' turns bgp_route_propagation off, which Azure does not allow on the "
                    "GatewaySubnet (the gateway would stop working)");
        check_routes_for(vnet, subnet, *table);
      }
  }

  // What a table's routes need from each subnet it is associated with.
  void check_routes_for(const Vnet& vnet, const Subnet& subnet, const RouteTable& table) {
    const bool has_gateway = lab_.gateway_serving(vnet) != nullptr;
    for (size_t i = 0; i < table.routes.size(); ++i) {
      const UserRoute& r = table.routes[i];
      const std::string path = "route_table." + table.name + ".routes[" + std::to_string(i) + "]";
      const std::string used_by = " (subnet " + vnet.name + "/" + subnet.name + " uses this table)";
      if (r.next_hop == UserRoute::NextHop::kVirtualNetworkGateway && !has_gateway)
        error(r.next_hop_where, path + ".next_hop_type: VirtualNetworkGateway, but VNet '" +
                                    vnet.name + "' has no gateway, its own or a remote one" +
                                    used_by);
      if (r.next_hop != UserRoute::NextHop::kVirtualAppliance || !r.next_hop_ip) continue;
      // The appliance's NIC: in the subnet's VNet or one peered with it.
      bool reachable = false;
      for (const Prefix& space : vnet.address_space) reachable |= space.contains(*r.next_hop_ip);
      for (const Peering& p : lab_.peerings)
        for (int s = 0; s < 2; ++s)
          if (p.sides[s].vnet == vnet.name && p.sides[s].allow_virtual_network_access)
            if (const Vnet* peer = lab_.find_vnet(p.sides[1 - s].vnet))
              for (const Prefix& space : peer->address_space)
                reachable |= space.contains(*r.next_hop_ip);
      if (!reachable)
        error(r.next_hop_ip_where, path + ".next_hop_ip: " + r.next_hop_ip->str() +
                                       " is in neither VNet '" + vnet.name +
                                       "' nor a VNet peered with it" + used_by);
    }
  }

  void check_expectations() {
    for (size_t i = 0; i < lab_.expectations.rules.size(); ++i) {
      const ExpectRule& rule = lab_.expectations.rules[i];
      std::string path = "expect.rule[" + std::to_string(i) + "]";
      for (const std::string& vm : rule.from)
        if (!lab_.find_vm(vm)) error(rule.from_where, path + ".from: no VM named '" + vm + "'");
      for (const std::string& vm : rule.to)
        if (!lab_.find_vm(vm) && !Ipv4::parse(vm))
          error(rule.to_where, path + ".to: '" + vm + "' is neither a VM nor an IPv4 address");
      if (!rule.reachable && rule.hops)
        error(rule.where, path + ": hops make no sense for an unreachable pair");
    }
  }

  const Lab& lab_;
  std::vector<Diagnostic> found_;
};

}  // namespace

std::vector<Diagnostic> validate_lab(const Lab& lab) {
  return Validator(lab).run();
}

}  // namespace hublab
