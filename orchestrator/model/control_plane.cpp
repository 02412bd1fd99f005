#include "orchestrator/model/control_plane.h"

#include <algorithm>

namespace hublab {

namespace {

// Rule 6: the routes every subnet has, in the order Azure lists them.
struct DefaultRoute {
  const char* prefix;
  const char* next_hop_type;
};
constexpr DefaultRoute kDefaults[] = {{"0.0.0.0/0", "Internet"},
                                      {"10.0.0.0/8", "None"},
                                      {"172.16.0.0/12", "None"},
                                      {"192.168.0.0/16", "None"},
                                      {"100.64.0.0/10", "None"}};

bool overlaps(const Prefix& a, const Prefix& b) {
  return a.contains(b.network) || b.contains(a.network);
}

}  // namespace

ControlPlane::ControlPlane(const Lab& lab) : lab_(lab) {
  // Which gateway each VNet uses, and which VNets each gateway serves: asked
  // at every step of every path, so decided once.
  for (const Vnet& vnet : lab_.vnets) {
    std::vector<const Gateway*> used = find_gateways_used_by(vnet.name);
    for (const Gateway* gateway : used) reached_by_[gateway->name].push_back(vnet.name);
    used_by_[vnet.name] = std::move(used);
  }
  learn_static();
  learn_bgp();
  learn_expressroute();
  learn_route_servers();
}

// A VNet-to-VNet connection without BGP routes exactly the two connected
// VNets' address spaces to each other, filled in by Azure ("Configure a
// VNet-to-VNet VPN connection": the local network gateway "is automatically
// created and populated"); no transit, no spokes behind the far gateway
// ("Without BGP, routing is limited to the two connected virtual networks").
void ControlPlane::learn_static() {
  for (const Connection& c : lab_.connections) {
    if (c.enable_bgp) continue;
    for (int s = 0; s < 2; ++s) {
      const Gateway& near = *lab_.find_gateway(c.gateways[s]);
      const Gateway& far = *lab_.find_gateway(c.gateways[1 - s]);
      // An on-premises device routes what its admin configures: every VNet
      // the Azure gateway serves (a site-to-site connection without BGP).
      std::vector<std::string> far_vnets = {far.vnet};
      if (near.on_premises) far_vnets = vnets_reached_by(far);
      for (const std::string& vnet : far_vnets)
        for (const Prefix& space : lab_.find_vnet(vnet)->address_space)
          learned_[near.name].push_back({space, {}, far.name, c.name});
    }
  }
}

// A VNet uses its own gateways, or else those of the one peer whose
// peering it marked use_remote_gateways, when that side allows gateway
// transit (rule 4; [P] "Gateway transit"): a VPN and an ExpressRoute
// gateway may coexist there ([X]).
const std::vector<const Gateway*>& ControlPlane::gateways_used_by(const std::string& vnet) const {
  static const std::vector<const Gateway*> none;
  auto found = used_by_.find(vnet);
  return found == used_by_.end() ? none : found->second;
}

const Gateway* ControlPlane::gateway_used_by(const std::string& vnet, Gateway::Type type) const {
  for (const Gateway* gateway : gateways_used_by(vnet))
    if (gateway->type == type) return gateway;
  return nullptr;
}

std::vector<const Gateway*> ControlPlane::find_gateways_used_by(const std::string& vnet) const {
  auto gateways_in = [&](const std::string& name) {
    std::vector<const Gateway*> found;
    for (const Gateway& gateway : lab_.gateways)
      if (gateway.vnet == name && gateway.instance_of.empty()) found.push_back(&gateway);
    std::stable_partition(found.begin(), found.end(),
                          [](const Gateway* g) { return !g->expressroute(); });
    return found;
  };
  std::vector<const Gateway*> own = gateways_in(vnet);
  if (!own.empty()) return own;
  for (const Peering& peering : lab_.peerings)
    for (int s = 0; s < 2; ++s) {
      const PeeringSide &local = peering.sides[s], &remote = peering.sides[1 - s];
      if (local.vnet != vnet || !local.use_remote_gateways || !remote.allow_gateway_transit)
        continue;
      std::vector<const Gateway*> remote_gateways = gateways_in(remote.vnet);
      if (!remote_gateways.empty()) return remote_gateways;
    }
  return {};
}

const std::vector<ControlPlane::Learned>& ControlPlane::learned_by(
    const std::string& gateway) const {
  static const std::vector<Learned> none;
  auto found = learned_.find(gateway);
  return found == learned_.end() ? none : found->second;
}

const std::vector<std::string>& ControlPlane::vnets_reached_by(const Gateway& gateway) const {
  static const std::vector<std::string> none;
  auto found = reached_by_.find(lab_.primary(gateway).name);
  return found == reached_by_.end() ? none : found->second;
}

// Rule 3: the address spaces of the VNets that use the gateway, its BGP
// peer IP as a /32, and the prefixes of its local network gateways: for a
// VNet-to-VNet connection without BGP, the far VNet's address space.
std::vector<Prefix> ControlPlane::advertised_by(const Gateway& gateway) const {
  std::vector<Prefix> prefixes;
  for (const std::string& vnet : vnets_reached_by(gateway))
    for (const Prefix& space : lab_.find_vnet(vnet)->address_space) prefixes.push_back(space);
  prefixes.push_back(Prefix{lab_.bgp_peer_ip(gateway), 32});
  auto found = learned_.find(gateway.name);
  if (found != learned_.end())
    for (const Learned& l : found->second)
      if (!l.connection.empty()) prefixes.push_back(l.prefix);
  return prefixes;
}

// Path-vector BGP between the gateways of BGP connections, to a fixed point:
// each gateway sends its own prefixes and what it learned (transit, rule 4),
// but not what overlaps its own VNet (rule 9); a receiver drops a path that
// holds its own ASN (loop prevention) and keeps the shortest AS path.
void ControlPlane::learn_bgp() {
  std::map<std::string, std::vector<const Gateway*>> neighbors;
  for (const Connection& c : lab_.connections) {
    if (!c.enable_bgp) continue;
    neighbors[c.gateways[0]].push_back(lab_.find_gateway(c.gateways[1]));
    neighbors[c.gateways[1]].push_back(lab_.find_gateway(c.gateways[0]));
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (const Gateway& receiver : lab_.gateways) {
      const std::vector<Prefix>& own_space = lab_.find_vnet(receiver.vnet)->address_space;
      for (const Gateway* sender : neighbors[receiver.name]) {
        std::vector<Learned> offers;
        const std::vector<Prefix> configured =
            sender->on_premises ? brought_by_circuits(*sender, false) : std::vector<Prefix>{};
        const std::vector<Prefix> brought =
            sender->on_premises ? brought_by_circuits(*sender, true) : std::vector<Prefix>{};
        auto among = [](const std::vector<Prefix>& set, const Prefix& p) {
          return std::find(set.begin(), set.end(), p) != set.end();
        };
        for (const Prefix& p : advertised_by(*sender))
          if (!among(configured, p)) offers.push_back({p, {sender->asn}, sender->name});
        for (const Learned& l : learned_[sender->name]) {
          if (!l.connection.empty()) continue;     // offered above, as its own
          if (among(brought, l.prefix)) continue;  // the circuit's route is the site's best
          bool overlaps_sender = false;
          for (const Prefix& space : lab_.find_vnet(sender->vnet)->address_space)
            overlaps_sender |= overlaps(space, l.prefix);
          if (overlaps_sender) continue;
          Learned offer{l.prefix, {sender->asn}, sender->name};
          offer.as_path.insert(offer.as_path.end(), l.as_path.begin(), l.as_path.end());
          offers.push_back(offer);
        }
        for (const Learned& offer : offers) {
          if (std::count(offer.as_path.begin(), offer.as_path.end(), receiver.asn)) continue;
          if (std::count(own_space.begin(), own_space.end(), offer.prefix)) continue;
          auto& rib = learned_[receiver.name];
          auto held = std::find_if(rib.begin(), rib.end(),
                                   [&](const Learned& l) { return l.prefix == offer.prefix; });
          if (held == rib.end()) {
            rib.push_back(offer);
            changed = true;
          } else if (offer.as_path.size() < held->as_path.size()) {
            *held = offer;
            changed = true;
          }
        }
      }
    }
  }
}

const std::vector<ControlPlane::SubnetRoute>& ControlPlane::routes_of(
    const std::string& vnet_name, const std::string& subnet_name) const {
  // A path asks for a subnet's routes at each step, a check for every pair:
  // each subnet's are worked out once.
  std::lock_guard<std::mutex> lock(routes_mutex_);
  auto [it, added] = routes_.try_emplace({vnet_name, subnet_name});
  if (added) it->second = compute_routes_of(vnet_name, subnet_name);
  return it->second;
}

std::vector<ControlPlane::SubnetRoute> ControlPlane::compute_routes_of(
    const std::string& vnet_name, const std::string& subnet_name) const {
  const Vnet& vnet = *lab_.find_vnet(vnet_name);
  const Subnet* subnet = vnet.find_subnet(subnet_name);
  const RouteTable* table = subnet ? lab_.route_table_of(*subnet) : nullptr;
  std::vector<SubnetRoute> vnet_rows, peering_rows, gateway_rows, user_rows, default_rows;
  std::vector<Prefix> system;  // rule 5's exception: these beat any BGP route inside them
  for (const Prefix& space : vnet.address_space) {
    vnet_rows.push_back({.row = {"Default", "Active", space, kVirtualNetwork, "", ""}});
    system.push_back(space);
  }
  for (const Peering& peering : lab_.peerings)
    for (int s = 0; s < 2; ++s) {
      const PeeringSide &local = peering.sides[s], &remote = peering.sides[1 - s];
      if (local.vnet != vnet_name || !local.allow_virtual_network_access) continue;
      for (const Prefix& space : lab_.find_vnet(remote.vnet)->address_space) {
        peering_rows.push_back(
            {.row = {"Default", "Active", space, kVnetPeering, "", ""}, .peer_vnet = remote.vnet});
        system.push_back(space);
      }
    }
  // "Propagate gateway routes" off: no route from the gateway at all.
  std::vector<const Gateway*> gateways = gateways_used_by(vnet_name);
  if (table && !table->bgp_route_propagation) gateways.clear();
  // A VPN and an ExpressRoute gateway for the same prefix: ExpressRoute's
  // routes are used ([X]); the VPN gateway's are not programmed.
  std::vector<Prefix> over_expressroute;
  for (const Gateway* gateway : gateways)
    if (gateway->expressroute())
      for (const Learned& l : learned_by(gateway->name))
        if (l.nva.empty()) over_expressroute.push_back(l.prefix);  // not what it took from RS
  for (const Gateway* gateway : gateways) {
    // An active-active gateway shows each prefix once per instance that
    // holds it, next hop that instance's private IP ("About active-active
    // gateways"); an active-standby one, once, next hop the public IP of the
    // gateway it came from (the seed's deployment; instance 0's when that
    // gateway is active-active).
    for (const Gateway* instance : lab_.instances(*gateway)) {
      auto found = learned_.find(instance->name);
      if (found == learned_.end()) continue;
      for (const Learned& l : found->second) {
        // What the gateway took from the Route Server (branch-to-branch):
        // the VNet has it from the Route Server itself.
        if (!l.nva.empty()) continue;
        if (!gateway->expressroute() &&
            std::count(over_expressroute.begin(), over_expressroute.end(), l.prefix))
          continue;
        bool shielded = false;
        for (const Prefix& space : system)
          shielded |= space.contains(l.prefix.network) && space.length <= l.prefix.length;
        const Gateway& from = lab_.primary(*lab_.find_gateway(l.neighbor));
        // Over a circuit: the edge router it came through, one row per edge.
        const std::string next_hop = !l.next_hop_ip.empty()   ? l.next_hop_ip
                                     : gateway->active_active ? lab_.bgp_peer_ip(*instance).str()
                                                              : lab_.public_ip(from).str();
        gateway_rows.push_back({.row = {kGatewayHop, shielded ? "Invalid" : "Active", l.prefix,
                                        kGatewayHop, next_hop, ""},
                                .gateway = instance->name,
                                .as_path = l.as_path});
      }
    }
  }
  // A Route Server's routes are programmed like a gateway's, and "Propagate
  // gateway routes" off keeps them out too. Beside an ExpressRoute gateway
  // that brings the same prefix, ExpressRoute's is programmed ("Route
  // injection in spokes": "Azure will prefer and program the routes learned
  // from ExpressRoute"; routing preference's default, RS14).
  if (!table || table->bgp_route_propagation)
    for (SubnetRoute& r : route_server_rows(vnet_name, system))
      if (!std::count(over_expressroute.begin(), over_expressroute.end(), r.row.prefix))
        gateway_rows.push_back(r);
  for (const DefaultRoute& d : kDefaults) {
    Prefix prefix = *Prefix::parse(d.prefix);
    bool overridden = false;  // a BGP route of the same prefix wins (rule 5)
    for (const SubnetRoute& g : gateway_rows)
      overridden |= g.row.state == "Active" && g.row.prefix == prefix;
    default_rows.push_back(
        {.row = {"Default", overridden ? "Invalid" : "Active", prefix, d.next_hop_type, "", ""}});
  }
  // User-defined routes: of equal prefixes, user beats BGP beats system
  // ([R] "How Azure selects a route"); what they beat shows Invalid.
  if (table)
    for (const UserRoute& u : table->routes) {
      user_rows.push_back({.row = {"User", "Active", u.prefix, next_hop_display_name(u.next_hop),
                                   u.next_hop_ip ? u.next_hop_ip->str() : "", u.name},
                           .user = &u});
      for (auto* group : {&vnet_rows, &peering_rows, &gateway_rows, &default_rows})
        for (SubnetRoute& r : *group)
          if (r.row.prefix == u.prefix) r.row.state = "Invalid";
    }
  // As Azure lists them: the VNet, peerings, gateway routes (BGP peer IPs
  // first), then the default routes in their usual order.
  auto by_prefix = [](const SubnetRoute& a, const SubnetRoute& b) {
    return a.row.prefix < b.row.prefix;
  };
  std::stable_sort(vnet_rows.begin(), vnet_rows.end(), by_prefix);
  std::stable_sort(peering_rows.begin(), peering_rows.end(), by_prefix);
  std::stable_sort(gateway_rows.begin(), gateway_rows.end(),
                   [](const SubnetRoute& a, const SubnetRoute& b) {
                     if ((a.row.prefix.length == 32) != (b.row.prefix.length == 32))
                       return a.row.prefix.length == 32;
                     return a.row.prefix < b.row.prefix;
                   });
  std::stable_sort(user_rows.begin(), user_rows.end(), by_prefix);
  std::vector<SubnetRoute> rows = vnet_rows;
  for (auto* group : {&peering_rows, &gateway_rows, &user_rows, &default_rows})
    rows.insert(rows.end(), group->begin(), group->end());
  return rows;
}

}  // namespace hublab
