#include "orchestrator/lab/gateways.h"

#include <map>
#include <optional>

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

// A site's BGP peer IP: in its address space, or an APIPA address of the
// range Azure allows for BGP (169.254.21.0-169.254.22.255).
void check_site_device(Findings& findings, const Gateway& device, const Vnet& site,
                       const std::string& path) {
  if (!device.bgp_peer_ip) return;
  const Ipv4 ip = *device.bgp_peer_ip;
  bool inside = false;
  for (const Prefix& space : site.address_space) inside |= space.contains(ip);
  // Not one CIDR block: 169.254.21.0/24 and 169.254.22.0/24.
  const bool apipa = ip.value >= Ipv4::parse("169.254.21.0")->value &&
                     ip.value <= Ipv4::parse("169.254.22.255")->value;
  if (!inside && !apipa)
    findings.error(device.bgp_peer_ip_where,
                   path + ".bgp_peer_ip: " + ip.str() + " is neither in the site's address space " +
                       address_spaces_text(site) +
                       " nor an APIPA address Azure accepts (169.254.21.0-169.254.22.255)");
}

}  // namespace

void read_gateway_fields(Fields& f, Gateway& gateway) {
  if (auto asn = f.integer_in("asn", 1, 4294967295LL, false, [](int64_t v) {
        return "ASN " + std::to_string(v) + " is out of range 1-4294967295";
      }))
    gateway.asn = static_cast<uint32_t>(*asn);
  gateway.asn_where = f.where("asn");
  gateway.bgp_peer_ip = f.address("bgp_peer_ip");
  gateway.bgp_peer_ip_where = f.where("bgp_peer_ip");
  gateway.public_ip = f.address("public_ip");
  gateway.public_ip_where = f.where("public_ip");
}

void read_gateway(Fields& f, const std::string& name, Lab& lab) {
  Gateway gateway;
  gateway.name = name;
  gateway.where = f.where();
  gateway.vnet = f.string("vnet", true).value_or("");
  gateway.vnet_where = f.where("vnet");
  gateway.active_active = f.boolean("active_active").value_or(false);
  if (auto type = f.string("type", false)) {
    gateway.type_where = f.where("type");
    if (*type == "ExpressRoute")
      gateway.type = Gateway::Type::kExpressRoute;
    else if (*type != "Vpn")
      f.field_error("type", "'" + *type + "' is no gateway type: \"Vpn\" or \"ExpressRoute\"");
  }
  if (auto allow = f.boolean("allow_remote_vnet_traffic")) {
    gateway.allow_remote_vnet_traffic = *allow;
    gateway.allow_remote_vnet_traffic_where = f.where("allow_remote_vnet_traffic");
  }
  read_gateway_fields(f, gateway);
  lab.gateways.push_back(std::move(gateway));
}

void validate_gateways(const Lab& lab, Findings& findings) {
  std::map<std::string, std::string> vnet_owner, public_owner;
  for (const Gateway& gateway : lab.gateways) {
    std::string path = gateway.on_premises ? "site." + gateway.name
                       : gateway.instance_of.empty()
                           ? "gateway." + gateway.name
                           : "gateway." + gateway.instance_of + " (instance 1)";
    if (gateway.asn != 0 && gateway.instance_of.empty())
      if (auto why = reserved_asn(gateway.asn, !gateway.on_premises))
        findings.error(gateway.asn_where.line ? gateway.asn_where : gateway.where,
                       path + ".asn: ASN " + std::to_string(gateway.asn) + " " + *why);
    // Gateways' and sites' devices' public IPs share the emulated internet.
    Ipv4 ip = lab.public_ip(gateway);
    auto [owner, unique] = public_owner.emplace(ip.str(), path);
    if (!unique)
      findings.error(gateway.public_ip_where.line ? gateway.public_ip_where : gateway.where,
                     path + ".public_ip: " + ip.str() + " is already used by " + owner->second);
    if (gateway.public_ip) {
      for (const Vnet& v : lab.vnets)
        for (const Prefix& space : v.address_space)
          if (space.contains(ip))
            findings.error(gateway.public_ip_where,
                           path + ".public_ip: " + ip.str() + " lies in the address space of " +
                               (v.on_premises ? "site '" : "VNet '") + v.name + "'");
    }
    if (gateway.vnet.empty()) continue;
    const Vnet* vnet = lab.find_vnet(gateway.vnet);
    if (!gateway.instance_of.empty()) {
      // Its gateway's checks cover its VNet; only its BGP peer IP is its own.
      if (!vnet || vnet->on_premises || !vnet->find_subnet(kGatewaySubnet)) continue;
      const Gateway& first = lab.primary(gateway);
      if (lab.bgp_peer_ip(first) == lab.bgp_peer_ip(gateway))
        findings.error(first.bgp_peer_ip_where,
                       "gateway." + first.name + ".bgp_peer_ip: " + lab.bgp_peer_ip(first).str() +
                           " is the address instance 1 of this active-active "
                           "gateway takes (the one below the last usable)");
      continue;
    }
    if (!vnet) {
      findings.error(gateway.vnet_where, path + ".vnet: no VNet named '" + gateway.vnet + "'");
      continue;
    }
    if (vnet->on_premises && !gateway.on_premises) {
      findings.error(gateway.vnet_where,
                     path + ".vnet: '" + gateway.vnet +
                         "' is an on-premises site: its VPN device is the site itself");
      continue;
    }
    if (gateway.on_premises) {
      check_site_device(findings, gateway, *vnet, path);
      continue;
    }
    // One gateway of each type: a VPN and an ExpressRoute gateway coexist
    // ("Configure ExpressRoute and site-to-site coexisting connections").
    const char* kind = gateway.expressroute() ? "an ExpressRoute" : "a VPN";
    auto [it, fresh] =
        vnet_owner.emplace(gateway.vnet + (gateway.expressroute() ? "/er" : "/vpn"), gateway.name);
    if (!fresh)
      findings.error(gateway.vnet_where, path + ".vnet: VNet '" + gateway.vnet + "' already has " +
                                             kind + " gateway, '" + it->second +
                                             "' (one of each type at most)");
    const Subnet* subnet = vnet->find_subnet(kGatewaySubnet);
    if (!subnet) {
      findings.error(gateway.vnet_where,
                     path + ".vnet: VNet '" + gateway.vnet + "' has no subnet named GatewaySubnet");
      continue;
    }
    const Gateway* other = lab.gateway_of(
        gateway.vnet, gateway.expressroute() ? Gateway::Type::kVpn : Gateway::Type::kExpressRoute);
    if (other && gateway.expressroute()) {
      if (subnet->prefix.length > 27)
        findings.error(subnet->where, "vnet." + gateway.vnet +
                                          ".subnets.GatewaySubnet: " + subnet->prefix.str() +
                                          " holds VPN gateway '" + other->name +
                                          "' and ExpressRoute gateway '" + gateway.name +
                                          "': coexisting gateways need a /27 or "
                                          "larger");
      for (const Gateway* instance : lab.instances(*other))
        if (lab.bgp_peer_ip(*instance) == lab.bgp_peer_ip(gateway))
          findings.error(gateway.bgp_peer_ip_where.line ? gateway.bgp_peer_ip_where : gateway.where,
                         path + ".bgp_peer_ip: " + lab.bgp_peer_ip(gateway).str() +
                             " is the address of VPN gateway '" + instance->name +
                             "' in the same GatewaySubnet");
    }
    if (gateway.bgp_peer_ip) {
      Ipv4 ip = *gateway.bgp_peer_ip;
      if (!subnet->prefix.contains(ip) || subnet->prefix.is_azure_reserved(ip))
        findings.error(gateway.bgp_peer_ip_where, path + ".bgp_peer_ip: " + ip.str() +
                                                      " is not a usable address of GatewaySubnet " +
                                                      subnet->prefix.str());
    }
  }
}

}  // namespace hublab
