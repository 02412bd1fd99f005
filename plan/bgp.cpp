#include "plan/bgp.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "lab/naming.h"
#include "plan/fabric.h"

namespace hublab {

namespace {

// BIRD names: letters, digits and '_'.
std::string bird_name(const std::string& prefix, const std::string& name) {
  std::string out = prefix;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string prefix_set(const std::vector<Prefix>& prefixes, const char* suffix) {
  std::string text;
  for (const Prefix& p : prefixes) text += (text.empty() ? "" : ", ") + p.str() + suffix;
  return "[ " + text + " ]";
}

std::string session_options(const BirdTimers& timers) {
  return "  hold time " + std::to_string(timers.hold_seconds) + ";\n  keepalive time " +
         std::to_string(timers.keepalive_seconds) +
         ";\n  connect delay time 0;\n  connect retry time 1;\n  error wait time 1, 5;\n";
}

std::string header(const std::string& what, Ipv4 router_id) {
  return "# Written by hublab: " + what + ".\nrouter id " + router_id.str() +
         ";\nlog \"/run/bird.log\" { info, remote, warning, error, auth, fatal, bug };\n"
         "protocol device { scan time 10; }\n\n";
}

struct BgpLink {
  const Connection* connection;
  const Gateway* remote;
};

class BgpPlanner {
 public:
  BgpPlanner(const Lab& lab, const BirdTimers& timers) : lab_(lab), timers_(timers) {
    for (const Connection& c : lab.connections) {
      if (!c.enable_bgp) continue;
      for (int side = 0; side < 2; ++side)
        links_[c.gateways[side]].push_back({&c, lab.find_gateway(c.gateways[1 - side])});
    }
  }

  std::vector<BirdNode> run() {
    std::vector<BirdNode> nodes;
    for (const Gateway& gateway : lab_.gateways) {
      if (!links_.count(gateway.name)) continue;
      nodes.push_back(plan_gateway(gateway));
      for (const Vnet* vnet : lab_.vnets_served_by(gateway))
        nodes.push_back(plan_vnet_router(gateway, *vnet));
    }
    return nodes;
  }

 private:
  // Every prefix a gateway learns: what the gateways it reaches over BGP
  // advertise, passed on from gateway to gateway (transit).
  std::vector<Prefix> learned_by(const Gateway& gateway) {
    std::vector<Prefix> learned;
    std::set<std::string> seen = {gateway.name};
    std::vector<const Gateway*> queue = {&gateway};
    while (!queue.empty()) {
      const Gateway* at = queue.back();
      queue.pop_back();
      for (const BgpLink& link : links_[at->name]) {
        if (!seen.insert(link.remote->name).second) continue;
        for (const Prefix& p : advertised_by(lab_, *link.remote)) learned.push_back(p);
        queue.push_back(link.remote);
      }
    }
    std::sort(learned.begin(), learned.end());
    learned.erase(std::unique(learned.begin(), learned.end()), learned.end());
    return learned;
  }

  BirdNode plan_gateway(const Gateway& gateway) {
    BirdNode node;
    node.node = gateway.name;
    node.netns = naming::namespace_name(lab_.name, gateway.name);
    node.is_gateway = true;
    Ipv4 local = lab_.bgp_peer_ip(gateway);
    std::vector<Prefix> peer_ips;
    for (const BgpLink& link : links_[gateway.name])
      peer_ips.push_back(Prefix{lab_.bgp_peer_ip(*link.remote), 32});

    std::ostringstream c;
    c << header(
        "BGP speaker of VPN gateway " + gateway.name + ", ASN " + std::to_string(gateway.asn),
        local);
    c << "# The tunnel peers' BGP peer IPs lie beyond ipsec0; BGP next hops resolve\n"
         "# through this table.\n"
         "ipv4 table tunnels;\n"
         "protocol static tunnel_peers {\n  ipv4 { table tunnels; };\n";
    for (const Prefix& p : peer_ips) c << "  route " << p.str() << " via \"ipsec0\";\n";
    c << "}\n\n# What this gateway advertises of its own (Azure rule 3).\n"
         "protocol static advertised {\n  ipv4;\n";
    for (const Prefix& p : advertised_by(lab_, gateway))
      c << "  route " << p.str() << " blackhole;\n";
    c << "}\n\n# Learned routes into the gateway's kernel; the peers' /32s stay hublab's\n"
         "# own device routes into ipsec0.\n"
         "protocol kernel {\n  ipv4 { import none; export where source = RTS_BGP && net !~ "
      << prefix_set(peer_ips, "") << "; };\n  metric " << kBgpRouteMetric << ";\n}\n";

    for (const BgpLink& link : links_[gateway.name]) {
      std::string name = bird_name("conn_", link.connection->name);
      node.sessions.push_back(name);
      c << "\nprotocol bgp " << name << " {\n  description \"connection " << link.connection->name
        << " to " << link.remote->name << "\";\n  local " << local.str() << " as " << gateway.asn
        << ";\n  neighbor " << lab_.bgp_peer_ip(*link.remote).str() << " as " << link.remote->asn
        << ";\n  multihop 2;\n"
        << session_options(timers_)
        << "  ipv4 {\n    import all;\n"
           "    # Its own prefixes, and what other peers taught it (transit).\n"
           "    export where proto = \"advertised\" || source = RTS_BGP;\n"
           "    gateway recursive;\n    igp table tunnels;\n  };\n}\n";
    }
    for (const Vnet* vnet : lab_.vnets_served_by(gateway)) {
      if (vnet->name != gateway.vnet) continue;  // spokes hear it through their hub's router
      std::string name = bird_name("vnet_", vnet->name);
      node.sessions.push_back(name);
      Ipv4 router = vnet->find_subnet(kGatewaySubnet)->prefix.gateway();
      c << "\nprotocol bgp " << name << " {\n  description \"VNet router of " << vnet->name
        << "\";\n  local " << local.str() << " as " << gateway.asn << ";\n  neighbor "
        << router.str() << " as " << gateway.asn << ";\n  direct;\n"
        << session_options(timers_)
        << "  ipv4 {\n    import none;\n    export where source = RTS_BGP;\n    next hop self;\n"
           "  };\n}\n";
    }
    node.config = c.str();
    node.expected = learned_by(gateway);
    node.kernel_tables = {kMainTable};
    for (const Prefix& p : node.expected)
      if (std::find(peer_ips.begin(), peer_ips.end(), p) == peer_ips.end())
        node.installed.push_back(p);
    return node;
  }

  // The address spaces whose system routes win over BGP in this VNet: its
  // own and its peers' (rule 5's exception).
  std::vector<Prefix> protected_spaces(const Vnet& vnet) {
    std::vector<Prefix> spaces = vnet.address_space;
    for (const Peering& p : lab_.peerings)
      for (int s = 0; s < 2; ++s)
        if (p.sides[s].vnet == vnet.name)
          for (const Prefix& space : lab_.find_vnet(p.sides[1 - s].vnet)->address_space)
            spaces.push_back(space);
    return spaces;
  }

  BirdNode plan_vnet_router(const Gateway& gateway, const Vnet& vnet) {
    BirdNode node;
    node.node = vnet.name;
    node.netns = naming::namespace_name(lab_.name, vnet.name);
    bool is_hub = vnet.name == gateway.vnet;
    std::vector<Prefix> shielded = protected_spaces(vnet);

    std::ostringstream c;
    c << header("route distribution of VNet " + vnet.name +
                    (is_hub ? "" : " (spoke of " + gateway.vnet + ")") + ", gateway " +
                    gateway.name,
                vnet.subnets.front().prefix.gateway());
    c << "# What BGP routes reach this VNet's kernel tables. The VNet's own and its\n"
         "# peerings' system routes win even over more specific BGP routes (Azure\n"
         "# rule 5): BGP routes inside them stay in BIRD (Invalid in effective routes)\n"
         "# and are still reflected to spokes, but are not installed here.\n"
         "filter kernel_routes {\n  if source != RTS_BGP then reject;\n  if net ~ "
      << prefix_set(shielded, "+") << " then reject;\n  accept;\n}\n";

    if (is_hub) {
      std::string name = bird_name("gateway_", gateway.name);
      node.sessions.push_back(name);
      Ipv4 local = vnet.find_subnet(kGatewaySubnet)->prefix.gateway();
      c << "\nprotocol bgp " << name << " {\n  description \"VPN gateway " << gateway.name
        << "\";\n  local " << local.str() << " as " << gateway.asn << ";\n  neighbor "
        << lab_.bgp_peer_ip(gateway).str() << " as " << gateway.asn << ";\n  direct;\n"
        << session_options(timers_) << "  ipv4 { import all; export none; };\n}\n";
      for (size_t i = 0; i < lab_.peerings.size(); ++i) {
        const Peering& p = lab_.peerings[i];
        for (int s = 0; s < 2; ++s) {
          const PeeringSide& hub = p.sides[s];
          const PeeringSide& spoke = p.sides[1 - s];
          if (hub.vnet != vnet.name || !hub.allow_gateway_transit || !spoke.use_remote_gateways)
            continue;
          std::string spoke_name = bird_name("spoke_", spoke.vnet);
          node.sessions.push_back(spoke_name);
          c << "\n# Reflects the gateway's routes to a spoke that uses this hub's gateway.\n"
            << "protocol bgp " << spoke_name << " {\n  local " << peering_link_address(i, s).str()
            << " as " << gateway.asn << ";\n  neighbor " << peering_link_address(i, 1 - s).str()
            << " as " << gateway.asn << ";\n  direct;\n  rr client;\n"
            << session_options(timers_)
            << "  ipv4 { import none; export where source = RTS_BGP; next hop self; };\n}\n";
        }
      }
    } else {
      for (size_t i = 0; i < lab_.peerings.size(); ++i) {
        const Peering& p = lab_.peerings[i];
        for (int s = 0; s < 2; ++s) {
          if (p.sides[s].vnet != vnet.name || p.sides[1 - s].vnet != gateway.vnet) continue;
          std::string name = bird_name("hub_", gateway.vnet);
          node.sessions.push_back(name);
          c << "\nprotocol bgp " << name << " {\n  description \"hub " << gateway.vnet
            << ", whose gateway this VNet uses\";\n  local " << peering_link_address(i, s).str()
            << " as " << gateway.asn << ";\n  neighbor " << peering_link_address(i, 1 - s).str()
            << " as " << gateway.asn << ";\n  direct;\n"
            << session_options(timers_) << "  ipv4 { import all; export none; };\n}\n";
        }
      }
    }
    // One kernel table per subnet, plus main for traffic passing through. BIRD
    // syncs one kernel table per BIRD table, so each gets a table of its own
    // fed by a pipe from master4.
    auto kernel_table = [&](const std::string& name, uint32_t number, const std::string& what) {
      c << "\n# " << what << "\nipv4 table " << name << ";\nprotocol pipe pipe_" << name
        << " {\n  table master4;\n  peer table " << name
        << ";\n  import none;\n  export filter kernel_routes;\n}\nprotocol kernel kernel_" << name
        << " {\n  ipv4 { table " << name << "; import none; export all; };\n  kernel table "
        << number << ";\n  metric " << kBgpRouteMetric << ";\n}\n";
    };
    kernel_table("main", kMainTable, "The main table: traffic passing through this router.");
    for (size_t i = 0; i < vnet.subnets.size(); ++i)
      kernel_table(bird_name("subnet_", vnet.subnets[i].name), subnet_table(i),
                   "Subnet " + vnet.subnets[i].name + ".");
    node.config = c.str();
    node.expected = learned_by(gateway);  // refused ones too: BIRD keeps them
    node.kernel_tables = {kMainTable};
    for (size_t i = 0; i < vnet.subnets.size(); ++i) node.kernel_tables.push_back(subnet_table(i));
    for (const Prefix& p : node.expected) {
      bool refused = false;
      for (const Prefix& space : shielded) refused |= space.contains(p);
      if (!refused) node.installed.push_back(p);
    }
    return node;
  }

  const Lab& lab_;
  BirdTimers timers_;
  std::map<std::string, std::vector<BgpLink>> links_;
};

}  // namespace

std::vector<Prefix> advertised_by(const Lab& lab, const Gateway& gateway) {
  std::vector<Prefix> prefixes;
  for (const Vnet* vnet : lab.vnets_served_by(gateway))
    for (const Prefix& space : vnet->address_space) prefixes.push_back(space);
  prefixes.push_back(Prefix{lab.bgp_peer_ip(gateway), 32});
  return prefixes;
}

std::vector<BirdNode> plan_bgp(const Lab& lab, const BirdTimers& timers) {
  return BgpPlanner(lab, timers).run();
}

}  // namespace hublab
