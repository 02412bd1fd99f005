#include "orchestrator/import/lab_from_azure.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "orchestrator/import/toml_text.h"

namespace hublab {

namespace {

using nlohmann::json;
namespace tt = toml_text;

// What hublab emulates, read below.
const std::set<std::string> kRead = {
    "microsoft.network/virtualnetworks",
    "microsoft.network/virtualnetworks/subnets",
    "microsoft.network/virtualnetworks/virtualnetworkpeerings",
    "microsoft.network/networkinterfaces",
    "microsoft.network/routetables",
    "microsoft.network/routetables/routes",
    "microsoft.network/networksecuritygroups",
    "microsoft.network/networksecuritygroups/securityrules",
    "microsoft.network/applicationsecuritygroups",
    "microsoft.network/virtualnetworkgateways",
    "microsoft.network/localnetworkgateways",
    "microsoft.network/connections",
    "microsoft.network/expressroutecircuits",
    "microsoft.network/expressroutecircuits/peerings",
    "microsoft.network/virtualhubs",
    "microsoft.network/virtualhubs/ipconfigurations",
    "microsoft.network/virtualhubs/bgpconnections",
    "microsoft.network/publicipaddresses",  // a gateway's public IP
    "microsoft.compute/virtualmachines",    // the VMs' names come from their NICs
};

// What Azure has and hublab does not emulate: listed, left out.
const std::set<std::string> kKnownNotEmulated = {
    "microsoft.network/azurefirewalls",
    "microsoft.network/firewallpolicies",
    "microsoft.network/bastionhosts",
    "microsoft.network/privateendpoints",
    "microsoft.network/privatelinkservices",
    "microsoft.network/applicationgateways",
    "microsoft.network/loadbalancers",
    "microsoft.network/natgateways",
    "microsoft.network/networkwatchers",
    "microsoft.network/ddosprotectionplans",
    "microsoft.network/privatednszones",
    "microsoft.network/dnszones",
    "microsoft.network/virtualwans",
    "microsoft.network/vpnsites",
    "microsoft.network/vpngateways",
    "microsoft.network/p2svpngateways",
    "microsoft.network/expressroutegateways",
    "microsoft.network/dnsresolvers",
    "microsoft.compute/disks",
    "microsoft.network/networkwatchers/flowlogs",
};

const std::set<std::string> kEmulatedTags = {"virtualnetwork", "internet", "azureloadbalancer"};

const json& props(const json& object) {
  return object.contains("properties") && object["properties"].is_object() ? object["properties"]
                                                                           : object;
}
std::string text(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}
bool flag(const json& j, const char* key, bool otherwise = false) {
  return j.contains(key) && j[key].is_boolean() ? j[key].get<bool>() : otherwise;
}
std::string ref(const json& j, const char* key) {
  return j.contains(key) && j[key].is_object() ? text(j[key], "id") : "";
}
std::vector<std::string> texts(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array())
    for (const json& v : j[key])
      if (v.is_string() && !v.get<std::string>().empty()) out.push_back(v.get<std::string>());
  return out;
}
std::optional<long> number(const json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  if (j[key].is_number_integer()) return j[key].get<long>();
  if (j[key].is_string()) {
    const std::string s = j[key].get<std::string>();
    if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) return std::stol(s);
  }
  return std::nullopt;
}
const json& array(const json& j, const char* key) {
  static const json empty = json::array();
  return j.contains(key) && j[key].is_array() ? j[key] : empty;
}

std::string lab_name_from(std::string name) {
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '-';
  while (!name.empty() && !std::isalnum(static_cast<unsigned char>(name[0]))) name.erase(0, 1);
  if (name.size() > 40) name.resize(40);
  return name.empty() ? "imported" : name;
}

std::string resource_group_of(const AzureResource& r) {
  if (!r.resource_group.empty()) return r.resource_group;
  const std::string marker = "/resourcegroups/";
  const size_t at = ascii_lower(r.id).find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + marker.size();
  return r.id.substr(start, r.id.find('/', start) - start);
}

class Importer {
 public:
  Importer(const AzureInventory& inventory, const std::vector<std::string>& files)
      : inventory_(inventory), files_(files) {}

  ImportedLab run(const std::string& name) {
    check_types();
    ImportedLab lab;
    lab.name = name;
    if (lab.name.empty())
      for (const AzureResource& r : inventory_.resources())
        if (lab.name.empty()) lab.name = lab_name_from(resource_group_of(r));
    if (lab.name.empty()) lab.name = "imported";
    vnets();
    route_tables();
    nsgs();
    route_server_peers();
    vms();
    peerings();
    gateways();
    sites();
    circuits();
    connections();
    route_servers();
    std::ostringstream out;
    out << "# Imported by `hublab import` from ";
    for (size_t i = 0; i < files_.size(); ++i) out << (i ? ", " : "") << files_[i];
    out << "\n# (" << inventory_.resources().size()
        << " Azure resources). Each section's comment is its Azure resource ID.\n";
    if (left_out_.empty()) {
      out << "# Everything in them that shapes routing and filtering is emulated.\n";
    } else {
      out << "# Not emulated, left out:\n";
      for (const std::string& line : left_out_) out << "#   - " << line << "\n";
    }
    out << "\n[lab]\nname = " << tt::string(lab.name) << "\n";
    for (const std::ostringstream* section :
         {&vnets_, &sites_, &vms_, &peerings_, &gateways_, &connections_, &circuits_,
          &route_tables_, &nsgs_, &route_servers_})
      out << section->str();
    lab.text = out.str();
    lab.left_out = left_out_;
    return lab;
  }

 private:
  void check_types() {
    for (const AzureResource& r : inventory_.resources()) {
      if (kRead.count(r.type)) continue;
      if (kKnownNotEmulated.count(r.type) ||
          kKnownNotEmulated.count(r.type.substr(0, r.type.rfind('/')))) {
        left_out_.push_back(r.type_as_written + " " + r.name + " (" + r.id + ")");
        continue;
      }
      throw ImportError(r.file + ": " + r.name + ": unknown resource type '" + r.type_as_written +
                        "' (hublab import reads Microsoft.Network/virtualNetworks, "
                        "networkInterfaces, routeTables, "
                        "networkSecurityGroups, virtualNetworkGateways, connections, "
                        "localNetworkGateways, expressRouteCircuits, virtualHubs (Route Server))");
    }
  }

  // The resource an ID names, which the input must hold.
  const AzureResource& require(const std::string& id, const AzureResource& by, const char* what) {
    const AzureResource* found = inventory_.find(id);
    if (!found)
      throw ImportError(by.file + ": " + by.name + " references " + what + " " + id +
                        ", which is in no file given");
    return *found;
  }

  // A subnet ID's VNet (which the input must hold) and the subnet's name.
  std::pair<std::string, std::string> subnet_of(const std::string& id, const AzureResource& by) {
    const AzureResource& vnet = require(parent_of_id(id), by, "the virtual network");
    return {vnet.name, name_of_id(id)};
  }

  // Child objects: those the parent lists, and those given as resources of their own.
  std::vector<json> children(const AzureResource& parent, const char* key,
                             const std::string& type) {
    std::vector<json> out;
    std::set<std::string> seen;
    for (const json& child : array(parent.properties, key)) {
      seen.insert(ascii_lower(text(child, "id")));
      out.push_back(child);
    }
    for (const AzureResource* r : inventory_.of_type(type))
      if (ascii_lower(parent_of_id(r->id)) == ascii_lower(parent.id) &&
          !seen.count(ascii_lower(r->id)))
        out.push_back(json{{"id", r->id}, {"name", r->name}, {"properties", r->properties}});
    return out;
  }

  void vnets() {
    for (const AzureResource* v : inventory_.of_type("microsoft.network/virtualnetworks")) {
      const json& p = v->properties;
      std::vector<std::string> space =
          texts(p.value("addressSpace", json::object()), "addressPrefixes");
      vnets_ << "\n# " << v->id << "\n[vnet." << tt::key(v->name)
             << "]\naddress_space = " << tt::strings(space) << "\nsubnets = { ";
      bool first = true;
      for (const json& subnet :
           children(*v, "subnets", "microsoft.network/virtualnetworks/subnets")) {
        const json& s = props(subnet);
        const std::string name = text(subnet, "name");
        std::vector<std::string> prefixes = texts(s, "addressPrefixes");
        if (prefixes.empty() && !text(s, "addressPrefix").empty())
          prefixes.push_back(text(s, "addressPrefix"));
        if (prefixes.empty())
          throw ImportError(v->file + ": " + v->name + "/" + name + ": no addressPrefix");
        if (prefixes.size() > 1)
          left_out_.push_back("subnet " + v->name + "/" + name + ": prefixes after " + prefixes[0]);
        std::string route_table, nsg;
        if (!ref(s, "routeTable").empty())
          route_table = require(ref(s, "routeTable"), *v, "the route table").name;
        if (!ref(s, "networkSecurityGroup").empty()) {
          nsg = require(ref(s, "networkSecurityGroup"), *v, "the network security group").name;
          if (name == "GatewaySubnet" || name == "RouteServerSubnet") {
            left_out_.push_back("NSG " + nsg + " on " + v->name + "/" + name +
                                " (Azure does not support it there)");
            nsg.clear();
          }
        }
        vnets_ << (first ? "" : ", ") << tt::key(name) << " = ";
        first = false;
        if (route_table.empty() && nsg.empty()) {
          vnets_ << tt::string(prefixes[0]);
          continue;
        }
        vnets_ << "{ prefix = " << tt::string(prefixes[0]);
        if (!route_table.empty()) vnets_ << ", route_table = " << tt::string(route_table);
        if (!nsg.empty()) vnets_ << ", nsg = " << tt::string(nsg);
        vnets_ << " }";
      }
      vnets_ << " }\n";
    }
  }

  void route_tables() {
    for (const AzureResource* t : inventory_.of_type("microsoft.network/routetables")) {
      route_tables_ << "\n# " << t->id << "\n[route_table." << tt::key(t->name) << "]\n";
      if (flag(t->properties, "disableBgpRoutePropagation"))
        route_tables_ << "bgp_route_propagation = false\n";
      route_tables_ << "routes = [\n";
      for (const json& route : children(*t, "routes", "microsoft.network/routetables/routes")) {
        const json& r = props(route);
        const std::string prefix = text(r, "addressPrefix");
        if (prefix.find('/') == std::string::npos) {
          left_out_.push_back("route " + t->name + "/" + text(route, "name") + " to service tag " +
                              prefix + " (the lab has no Azure services)");
          continue;
        }
        route_tables_ << "  { name = " << tt::string(text(route, "name"))
                      << ", address_prefix = " << tt::string(prefix)
                      << ", next_hop_type = " << tt::string(text(r, "nextHopType"));
        if (!text(r, "nextHopIpAddress").empty())
          route_tables_ << ", next_hop_ip = " << tt::string(text(r, "nextHopIpAddress"));
        route_tables_ << " },\n";
      }
      route_tables_ << "]\n";
    }
  }

  // An NSG rule's side: prefixes (plural when az gives them), or groups.
  bool rule_side(const json& r, const std::string& side, const AzureResource& nsg, std::string& out,
                 std::string& unemulated) {
    const std::string singular = side + "AddressPrefix", plural = side + "AddressPrefixes";
    std::vector<std::string> prefixes = texts(r, plural.c_str());
    std::vector<std::string> groups;
    for (const json& g : array(r, (side + "ApplicationSecurityGroups").c_str()))
      groups.push_back(require(text(g, "id"), nsg, "the application security group").name);
    const std::string key = side == "source" ? "source" : "destination";
    if (!groups.empty()) {
      out += ", " + key + "_application_security_groups = " + tt::strings(groups);
      for (const std::string& g : groups) groups_.insert(g);
      return true;
    }
    if (prefixes.empty() && !text(r, singular.c_str()).empty())
      prefixes.push_back(text(r, singular.c_str()));
    for (const std::string& p : prefixes)
      if (p != "*" && p.find_first_not_of("0123456789./") != std::string::npos &&
          !kEmulatedTags.count(ascii_lower(p)))
        unemulated = p;
    if (prefixes.size() == 1)
      out += ", " + key + "_address_prefix = " + tt::string(prefixes[0]);
    else
      out += ", " + key + "_address_prefixes = " + tt::strings(prefixes);
    return unemulated.empty();
  }

  std::string ports(const json& r, const std::string& side) {
    const std::string key = side == "source" ? "source" : "destination";
    std::vector<std::string> ranges = texts(r, (side + "PortRanges").c_str());
    if (ranges.empty()) ranges.push_back(text(r, (side + "PortRange").c_str()));
    if (ranges.size() == 1) return ", " + key + "_port_range = " + tt::string(ranges[0]);
    return ", " + key + "_port_ranges = " + tt::strings(ranges);
  }

  void nsgs() {
    for (const AzureResource* n : inventory_.of_type("microsoft.network/networksecuritygroups")) {
      nsgs_ << "\n# " << n->id << "\n[nsg." << tt::key(n->name) << "]\nrules = [\n";
      for (const json& rule :
           children(*n, "securityRules", "microsoft.network/networksecuritygroups/securityrules")) {
        const json& r = props(rule);
        std::string line = "  { name = " + tt::string(text(rule, "name")) +
                           ", priority = " + std::to_string(number(r, "priority").value_or(0)) +
                           ", direction = " + tt::string(text(r, "direction")) +
                           ", access = " + tt::string(text(r, "access")) +
                           ", protocol = " + tt::string(text(r, "protocol"));
        std::string unemulated;
        const bool source = rule_side(r, "source", *n, line, unemulated);
        const bool destination = rule_side(r, "destination", *n, line, unemulated);
        if (!source || !destination) {
          left_out_.push_back("rule " + n->name + "/" + text(rule, "name") + " on service tag " +
                              unemulated + " (the lab has no Azure services: it matches nothing)");
          continue;
        }
        const std::string protocol = ascii_lower(text(r, "protocol"));
        if (protocol == "tcp" || protocol == "udp" || protocol == "*")
          line += ports(r, "source") + ports(r, "destination");
        if (!text(r, "description").empty())
          line += ", description = " + tt::string(text(r, "description"));
        nsgs_ << line << " },\n";
      }
      nsgs_ << "]\n";
    }
  }

  void vms() {
    std::set<std::string> named;
    for (const AzureResource* nic : inventory_.of_type("microsoft.network/networkinterfaces")) {
      const json& p = nic->properties;
      const std::string vm_id = ref(p, "virtualMachine");
      if (vm_id.empty()) {
        left_out_.push_back("NIC " + nic->name + ": attached to no VM" +
                            (ref(p, "privateEndpoint").empty() ? "" : " (a private endpoint's)"));
        continue;
      }
      const std::string vm = name_of_id(vm_id);
      if (named.count(vm)) {
        left_out_.push_back("NIC " + nic->name + ": " + vm + "'s second NIC (a lab VM has one)");
        continue;
      }
      const json& configurations = array(p, "ipConfigurations");
      if (configurations.empty())
        throw ImportError(nic->file + ": " + nic->name + ": no ipConfigurations");
      const json& ip = props(configurations[0]);
      auto [vnet, subnet] = subnet_of(ref(ip, "subnet"), *nic);
      named.insert(vm);
      vms_ << "\n# " << nic->id << "\n# VM " << vm_id << "\n[vm." << tt::key(vm)
           << "]\nvnet = " << tt::string(vnet) << "\nsubnet = " << tt::string(subnet) << "\n";
      if (!text(ip, "privateIPAddress").empty())
        vms_ << "address = " << tt::string(text(ip, "privateIPAddress")) << "\n";
      if (flag(p, "enableIPForwarding")) vms_ << "ip_forwarding = true\n";
      if (!ref(p, "networkSecurityGroup").empty())
        vms_
            << "nsg = "
            << tt::string(
                   require(ref(p, "networkSecurityGroup"), *nic, "the network security group").name)
            << "\n";
      std::vector<std::string> groups;
      for (const json& g : array(ip, "applicationSecurityGroups")) {
        groups.push_back(require(text(g, "id"), *nic, "the application security group").name);
        groups_.insert(groups.back());
      }
      if (!groups.empty()) vms_ << "application_security_groups = " << tt::strings(groups) << "\n";
      // A Route Server's peer: an NVA speaking BGP. What it advertises is
      // in its own configuration, which Azure's JSON does not hold.
      if (auto asn = peer_asn_by_address_.find(text(ip, "privateIPAddress"));
          asn != peer_asn_by_address_.end())
        vms_ << "bgp = { asn = " << asn->second << " }\n";
      if (configurations.size() > 1)
        left_out_.push_back("NIC " + nic->name + ": IP configurations after the first");
      vm_addresses_.insert(text(ip, "privateIPAddress"));
    }
    for (const std::string& g : groups_) vms_ << "\n[asg." << tt::key(g) << "]\n";
  }

  struct PeeringSide {
    const AzureResource* vnet;
    json flags;
    std::string name, state;
  };

  void peerings() {
    std::map<std::pair<std::string, std::string>, std::vector<PeeringSide>> pairs;
    for (const AzureResource* v : inventory_.of_type("microsoft.network/virtualnetworks"))
      for (const json& peering :
           children(*v, "virtualNetworkPeerings",
                    "microsoft.network/virtualnetworks/virtualnetworkpeerings")) {
        const json& p = props(peering);
        const AzureResource& remote =
            require(ref(p, "remoteVirtualNetwork"), *v, "the remote virtual network");
        auto key = std::minmax(v->name, remote.name);
        pairs[{key.first, key.second}].push_back(
            {v, p, text(peering, "name"), text(p, "peeringState")});
      }
    for (const auto& [key, sides] : pairs) {
      auto connected = [](const PeeringSide& s) {
        return s.state.empty() || s.state == "Connected";
      };
      if (sides.size() != 2 || !connected(sides[0]) || !connected(sides[1])) {
        left_out_.push_back("peering " + key.first + " - " + key.second + " (" +
                            (sides.size() != 2 ? "one side only" : "not Connected") +
                            ": Azure carries no traffic over it)");
        continue;
      }
      peerings_ << "\n# " << sides[0].vnet->id << "/virtualNetworkPeerings/" << sides[0].name
                << "\n# " << sides[1].vnet->id << "/virtualNetworkPeerings/" << sides[1].name
                << "\n[[peering]]\n";
      for (const PeeringSide& side : sides) {
        std::vector<std::string> set;
        if (!flag(side.flags, "allowVirtualNetworkAccess", true))
          set.push_back("allow_virtual_network_access = false");
        if (flag(side.flags, "allowForwardedTraffic"))
          set.push_back("allow_forwarded_traffic = true");
        if (flag(side.flags, "allowGatewayTransit")) set.push_back("allow_gateway_transit = true");
        if (flag(side.flags, "useRemoteGateways")) set.push_back("use_remote_gateways = true");
        peerings_ << tt::key(side.vnet->name) << " = {";
        for (size_t i = 0; i < set.size(); ++i) peerings_ << (i ? ", " : " ") << set[i];
        peerings_ << (set.empty() ? "}" : " }") << "\n";
      }
    }
  }

  std::string public_ip_of(const json& configuration) {
    const std::string id = ref(props(configuration), "publicIPAddress");
    const AzureResource* ip = id.empty() ? nullptr : inventory_.find(id);
    return ip ? text(ip->properties, "ipAddress") : "";
  }

  void gateways() {
    for (const AzureResource* g : inventory_.of_type("microsoft.network/virtualnetworkgateways")) {
      const json& p = g->properties;
      const std::string type = text(p, "gatewayType");
      if (ascii_lower(text(p, "vpnType")) == "policybased") {
        left_out_.push_back("gateway " + g->name + ": policy-based VPN");
        left_out_ids_.insert(ascii_lower(g->id));
        continue;
      }
      const json& configurations = array(p, "ipConfigurations");
      if (configurations.empty())
        throw ImportError(g->file + ": " + g->name + ": no ipConfigurations");
      auto [vnet, subnet] = subnet_of(ref(props(configurations[0]), "subnet"), *g);
      gateways_ << "\n# " << g->id << "\n[gateway." << tt::key(g->name)
                << "]\nvnet = " << tt::string(vnet) << "\n";
      if (ascii_lower(type) == "expressroute") {
        gateways_ << "type = \"ExpressRoute\"\n";
        if (flag(p, "allowRemoteVnetTraffic")) gateways_ << "allow_remote_vnet_traffic = true\n";
        continue;
      }
      const json bgp = p.value("bgpSettings", json::object());
      if (auto asn = number(bgp, "asn"); asn && *asn != 65515)
        gateways_ << "asn = " << *asn << "\n";
      const bool active_active = flag(p, "activeActive");
      const std::string peer = text(bgp, "bgpPeeringAddress");
      if (!peer.empty() && !active_active)
        gateways_ << "bgp_peer_ip = " << tt::string(peer.substr(0, peer.find(','))) << "\n";
      if (!public_ip_of(configurations[0]).empty())
        gateways_ << "public_ip = " << tt::string(public_ip_of(configurations[0])) << "\n";
      if (active_active) {
        gateways_ << "active_active = true\n";
        left_out_.push_back("gateway " + g->name + ": its instances' BGP IPs (Azure: " + peer +
                            ") and the second's public IP are hublab's defaults");
      }
      if (p.contains("vpnClientConfiguration") && !p["vpnClientConfiguration"].is_null())
        left_out_.push_back("gateway " + g->name + ": point-to-site configuration");
    }
  }

  void sites() {
    for (const AzureResource* l : inventory_.of_type("microsoft.network/localnetworkgateways")) {
      const json& p = l->properties;
      const std::vector<std::string> space =
          texts(p.value("localNetworkAddressSpace", json::object()), "addressPrefixes");
      sites_ << "\n# " << l->id << "\n[site." << tt::key(l->name)
             << "]\naddress_space = " << tt::strings(space)
             << "\n# Azure knows the site's address space, not its LANs: each prefix is one here.\n"
             << "subnets = { ";
      for (size_t i = 0; i < space.size(); ++i)
        sites_ << (i ? ", " : "") << "lan" << (i ? std::to_string(i + 1) : "") << " = "
               << tt::string(space[i]);
      sites_ << " }\n";
      const json bgp = p.value("bgpSettings", json::object());
      if (auto asn = number(bgp, "asn")) sites_ << "asn = " << *asn << "\n";
      if (!text(bgp, "bgpPeeringAddress").empty())
        sites_ << "bgp_peer_ip = " << tt::string(text(bgp, "bgpPeeringAddress")) << "\n";
      if (!text(p, "gatewayIpAddress").empty())
        sites_ << "public_ip = " << tt::string(text(p, "gatewayIpAddress")) << "\n";
    }
  }

  void circuits() {
    for (const AzureResource* c : inventory_.of_type("microsoft.network/expressroutecircuits")) {
      const json* private_peering = nullptr;
      std::vector<json> peerings =
          children(*c, "peerings", "microsoft.network/expressroutecircuits/peerings");
      for (const json& peering : peerings) {
        const json& p = props(peering);
        if (text(p, "peeringType") == "AzurePrivatePeering")
          private_peering = &p;
        else
          left_out_.push_back("circuit " + c->name + ": " + text(p, "peeringType"));
      }
      if (!private_peering) {
        left_out_.push_back("circuit " + c->name + ": no private peering");
        left_out_ids_.insert(ascii_lower(c->id));
        continue;
      }
      const json& p = *private_peering;
      circuits_ << "\n# " << c->id << "\n[circuit." << tt::key(c->name) << "]\n";
      auto asn = number(p, "peerASN");
      if (!asn) asn = number(p, "peerAsn");
      if (asn) circuits_ << "peer_asn = " << *asn << "\n";
      if (auto vlan = number(p, "vlanId")) circuits_ << "vlan = " << *vlan << "\n";
      circuits_ << "primary_subnet = " << tt::string(text(p, "primaryPeerAddressPrefix"))
                << "\nsecondary_subnet = " << tt::string(text(p, "secondaryPeerAddressPrefix"))
                << "\n";
      const json provider = c->properties.value("serviceProviderProperties", json::object());
      if (auto mbps = number(provider, "bandwidthInMbps"))
        circuits_ << "bandwidth = \"" << *mbps << " Mbps\"\n";
      if (!array(c->properties, "authorizations").empty())
        left_out_.push_back("circuit " + c->name +
                            ": authorizations (their keys are secrets: add them by key_file)");
    }
  }

  void connections() {
    std::map<std::pair<std::string, std::string>, std::vector<const AzureResource*>> vnet_to_vnet;
    for (const AzureResource* c : inventory_.of_type("microsoft.network/connections")) {
      const json& p = c->properties;
      const std::string type = text(p, "connectionType");
      const std::string first = ref(p, "virtualNetworkGateway1");
      if (left_out_ids_.count(ascii_lower(first))) {
        left_out_.push_back("connection " + c->name + " (its gateway is left out)");
        continue;
      }
      const AzureResource& gateway = require(first, *c, "the gateway");
      if (!array(p, "ipsecPolicies").empty())
        left_out_.push_back("connection " + c->name +
                            ": its custom IPsec policy (hublab proposes Azure's defaults)");
      if (type == "Vnet2Vnet") {
        const AzureResource& other = require(ref(p, "virtualNetworkGateway2"), *c, "the gateway");
        auto key = std::minmax(gateway.name, other.name);
        vnet_to_vnet[{key.first, key.second}].push_back(c);
      } else if (type == "IPsec") {
        const AzureResource& site =
            require(ref(p, "localNetworkGateway2"), *c, "the local network gateway");
        connections_ << "\n# " << c->id << "\n[connection." << tt::key(c->name)
                     << "]\ngateways = " << tt::strings({gateway.name, site.name}) << "\n";
        if (flag(p, "enableBgp")) connections_ << "enable_bgp = true\n";
        connections_
            << "# az never prints the shared key: hublab makes one (or add shared_key_file)\n";
      } else if (type == "ExpressRoute") {
        const std::string circuit_id = ref(p, "peer");
        if (left_out_ids_.count(ascii_lower(circuit_id))) {
          left_out_.push_back("connection " + c->name + " (its circuit is left out)");
          continue;
        }
        const AzureResource& circuit = require(circuit_id, *c, "the ExpressRoute circuit");
        connections_ << "\n# " << c->id << "\n[connection." << tt::key(c->name)
                     << "]\ngateway = " << tt::string(gateway.name)
                     << "\ncircuit = " << tt::string(circuit.name) << "\n";
        if (auto weight = number(p, "routingWeight"); weight && *weight)
          connections_ << "routing_weight = " << *weight << "\n";
      } else {
        left_out_.push_back("connection " + c->name + ": type " + type);
      }
    }
    // Azure keeps a VNet-to-VNet connection on each side; it runs once both exist.
    for (const auto& [key, sides] : vnet_to_vnet) {
      if (sides.size() < 2) {
        left_out_.push_back("connection " + sides[0]->name +
                            " (no connection back from the other gateway: Azure connects "
                            "VNet-to-VNet only with both)");
        continue;
      }
      const bool bgp =
          flag(sides[0]->properties, "enableBgp") && flag(sides[1]->properties, "enableBgp");
      connections_ << "\n# " << sides[0]->id << "\n# " << sides[1]->id << "\n[connection."
                   << tt::key(sides[0]->name)
                   << "]\ngateways = " << tt::strings({key.first, key.second}) << "\n";
      if (bgp) connections_ << "enable_bgp = true\n";
      connections_
          << "# az never prints the shared key: hublab makes one (or add shared_key_file)\n";
    }
  }

  void route_server_peers() {
    for (const AzureResource* b :
         inventory_.of_type("microsoft.network/virtualhubs/bgpconnections"))
      if (auto asn = number(b->properties, "peerAsn"))
        peer_asn_by_address_[text(b->properties, "peerIp")] = *asn;
    for (const AzureResource* h : inventory_.of_type("microsoft.network/virtualhubs"))
      for (const json& b : array(h->properties, "bgpConnections"))
        if (auto asn = number(props(b), "peerAsn"))
          peer_asn_by_address_[text(props(b), "peerIp")] = *asn;
  }

  void route_servers() {
    for (const AzureResource* h : inventory_.of_type("microsoft.network/virtualhubs")) {
      const json& p = h->properties;
      if (!ref(p, "virtualWan").empty()) {
        left_out_.push_back("Virtual WAN hub " + h->name);
        continue;
      }
      std::string vnet;
      for (const json& c :
           children(*h, "ipConfigurations", "microsoft.network/virtualhubs/ipconfigurations"))
        if (!ref(props(c), "subnet").empty()) vnet = subnet_of(ref(props(c), "subnet"), *h).first;
      if (vnet.empty())
        throw ImportError(h->file + ": " + h->name +
                          ": no subnet in its ipConfigurations (add `az network routeserver "
                          "show` or its ipConfigurations)");
      route_servers_ << "\n# " << h->id << "\n[route_server." << tt::key(h->name)
                     << "]\nvnet = " << tt::string(vnet) << "\n";
      if (flag(p, "allowBranchToBranchTraffic")) route_servers_ << "branch_to_branch = true\n";
      std::vector<std::string> peers;
      for (const json& b :
           children(*h, "bgpConnections", "microsoft.network/virtualhubs/bgpconnections")) {
        const json& q = props(b);
        if (!vm_addresses_.count(text(q, "peerIp"))) {
          left_out_.push_back("Route Server " + h->name + "'s peer " + text(b, "name") + " at " +
                              text(q, "peerIp") + " (no VM of the input has that address)");
          continue;
        }
        peers.push_back("{ name = " + tt::string(text(b, "name")) +
                        ", peer_ip = " + tt::string(text(q, "peerIp")) +
                        ", peer_asn = " + std::to_string(number(q, "peerAsn").value_or(0)) + " }");
      }
      if (!peers.empty()) {
        route_servers_ << "bgp_connections = [";
        for (size_t i = 0; i < peers.size(); ++i) route_servers_ << (i ? ", " : "") << peers[i];
        route_servers_ << "]\n";
      }
    }
  }

  const AzureInventory& inventory_;
  const std::vector<std::string>& files_;
  std::vector<std::string> left_out_;
  std::set<std::string> left_out_ids_;
  std::set<std::string> groups_;
  std::set<std::string> vm_addresses_;  // the imported VMs', for the Route Servers' peers
  std::map<std::string, long> peer_asn_by_address_;
  std::ostringstream vnets_, sites_, vms_, peerings_, gateways_, connections_, circuits_,
      route_tables_, nsgs_, route_servers_;
};

}  // namespace

ImportedLab lab_from_azure(const AzureInventory& inventory, const std::vector<std::string>& files,
                           const std::string& name) {
  return Importer(inventory, files).run(name);
}

}  // namespace hublab
