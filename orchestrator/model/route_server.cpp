// Route Server in the model (docs/azure-rules.md, Route Server), from the
// lab file alone. A Route Server serves its own VNet and every peer that
// uses it ("Use the remote virtual network's gateway or Route Server", with
// the hub's side allowing it). Each NVA of its bgp connections that runs
// (a fault may stop it) and advertises no more than 4,000 routes (beyond,
// its session is dropped) offers what it advertises, AS path its own ASN; a
// path holding 65515 is dropped. Of the offers for one prefix the shortest
// AS path wins, and every NVA that offers that length shares it (ECMP): one
// row each, source and next hop type "Virtual network gateway", next hop IP
// the NVA's. A route as long as or longer than a space the Route Server
// serves is not taken at all ("Route injection in spokes"); inside another
// peering's space, the system route wins and the row is Invalid. Both instances carry the same
// routes: one down changes no row; both down, none is programmed.

#include "orchestrator/lab/route_server.h"

#include <algorithm>
#include <set>

#include "orchestrator/model/control_plane.h"

namespace hublab {

namespace {

const Vm* vm_with(const Lab& lab, const std::string& vnet, Ipv4 address) {
  for (const Vm& vm : lab.vms)
    if (vm.vnet == vnet && lab.vm_address(vm) == address) return &vm;
  return nullptr;
}

}  // namespace

void ControlPlane::learn_route_servers() {
  for (const RouteServer& server : lab_.route_servers) {
    route_server_of_[server.vnet] = &server;
    for (const Peering& p : lab_.peerings)
      for (int s = 0; s < 2; ++s)
        if (p.sides[s].vnet == server.vnet && p.sides[s].allow_gateway_transit &&
            p.sides[1 - s].use_remote_gateways)
          route_server_of_.emplace(p.sides[1 - s].vnet, &server);
    // The spaces it serves: its VNet's and its spokes'.
    std::vector<Prefix> served;
    for (const auto& [vnet, serving] : route_server_of_)
      if (serving == &server)
        for (const Prefix& space : lab_.find_vnet(vnet)->address_space) served.push_back(space);
    std::vector<Learned>& programmed = programmed_[server.name];
    if (server.instance_down[0] && server.instance_down[1]) continue;
    std::vector<Learned> offers;
    for (const BgpConnection& c : server.bgp_connections) {
      const Vm* nva = vm_with(lab_, server.vnet, c.peer_ip);
      if (!nva || !nva->bgp || nva->bgp_down || nva->bgp->asn != c.peer_asn) continue;
      // More than 4,000 routes from one peer: Route Server drops the session
      // ("Route Server limits"), so nothing of the NVA's is programmed.
      const std::set<Prefix> advertised(nva->bgp->advertise.begin(), nva->bgp->advertise.end());
      if (advertised.size() > static_cast<size_t>(kRouteServerRouteLimit)) continue;
      for (const Prefix& p : nva->bgp->advertise)
        offers.push_back({.prefix = p,
                          .as_path = {nva->bgp->asn},
                          .neighbor = server.name,
                          .next_hop_ip = c.peer_ip.str(),
                          .nva = nva->name});
    }
    std::erase_if(offers, [&](const Learned& l) {
      return std::count(l.as_path.begin(), l.as_path.end(), kRouteServerAsn) > 0 ||
             std::any_of(served.begin(), served.end(),
                         [&](const Prefix& space) { return space.contains(l.prefix); });
    });
    for (const Learned& offer : offers) {
      size_t best = offer.as_path.size();
      for (const Learned& other : offers)
        if (other.prefix == offer.prefix) best = std::min(best, other.as_path.size());
      if (offer.as_path.size() == best) programmed.push_back(offer);
    }
    // Each prefix's NVAs in address order, as the live lab lists them.
    std::stable_sort(programmed.begin(), programmed.end(), [](const Learned& a, const Learned& b) {
      if (a.prefix != b.prefix) return a.prefix < b.prefix;
      return Ipv4::parse(a.next_hop_ip)->value < Ipv4::parse(b.next_hop_ip)->value;
    });
  }
}

const RouteServer* ControlPlane::route_server_used_by(const std::string& vnet) const {
  auto found = route_server_of_.find(vnet);
  return found == route_server_of_.end() ? nullptr : found->second;
}

const std::vector<ControlPlane::Learned>& ControlPlane::programmed_by(
    const RouteServer& server) const {
  static const std::vector<Learned> none;
  auto found = programmed_.find(server.name);
  return found == programmed_.end() ? none : found->second;
}

std::vector<ControlPlane::SubnetRoute> ControlPlane::route_server_rows(
    const std::string& vnet, const std::vector<Prefix>& system) const {
  std::vector<SubnetRoute> rows;
  const RouteServer* server = route_server_used_by(vnet);
  if (!server) return rows;
  for (const Learned& l : programmed_by(*server)) {
    bool shielded = false;
    for (const Prefix& space : system)
      shielded |= space.contains(l.prefix.network) && space.length <= l.prefix.length;
    rows.push_back({.row = {kGatewayHop, shielded ? "Invalid" : "Active", l.prefix, kGatewayHop,
                            l.next_hop_ip, ""},
                    .as_path = l.as_path,
                    .nva = l.nva});
  }
  return rows;
}

}  // namespace hublab
