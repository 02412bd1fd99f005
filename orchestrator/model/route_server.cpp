// Route Server in the model (docs/azure-rules.md, Route Server), from the
// lab file alone. A Route Server serves its own VNet and every peer that
// uses it ("Use the remote virtual network's gateway or Route Server", with
// the hub's side allowing it). Each NVA of its bgp connections that runs
// (a fault may stop it) and advertises no more than 4,000 routes (beyond,
// its session is dropped) offers its best routes, AS path its own ASN in
// front; a path holding 65515 is dropped. Of the offers for one prefix the
// shortest AS path wins, and every NVA that offers that length shares it
// (ECMP): one row each, source and next hop type "Virtual network gateway",
// next hop IP the NVA's. A route as long as or longer than a space the
// Route Server serves is not taken at all ("Route injection in spokes");
// inside another peering's space, the system route wins and the row is
// Invalid. Both instances carry the same routes: one down changes no row;
// both down, none is programmed.
//
// NVAs peered over an overlay (RS12, "Multi-region networking with Route
// Server") make it a path vector, run here to a fixed point as BGP would:
// an NVA holds what it advertises, its Route Servers' spaces (AS path
// 65515) and what they took from other NVAs, and what its peers hold
// (their ASN in front); it refuses a path holding its own ASN, and keeps
// its own routes first, then the shortest path. Towards its Route Server
// `as_override` puts its own ASN where 65515 stood. An NVA passes no route
// back to where it came from (FRR's and BIRD's rule).

#include "orchestrator/lab/route_server.h"

#include <algorithm>
#include <set>

#include "orchestrator/lab/vxlan.h"
#include "orchestrator/model/control_plane.h"

namespace hublab {

namespace {

const Vm* vm_with(const Lab& lab, const std::string& vnet, Ipv4 address) {
  for (const Vm& vm : lab.vms)
    if (vm.vnet == vnet && lab.vm_address(vm) == address) return &vm;
  return nullptr;
}

bool holds(const std::vector<uint32_t>& path, uint32_t asn) {
  return std::find(path.begin(), path.end(), asn) != path.end();
}

// An NVA its Route Server hears: it runs, its ASN is the connection's, and
// it stays within the route limit (beyond, Route Server drops the session,
// "Route Server limits", and neither side hears the other).
const Vm* heard_nva(const Lab& lab, const RouteServer& server, const BgpConnection& c) {
  const Vm* nva = vm_with(lab, server.vnet, c.peer_ip);
  if (!nva || !nva->bgp || nva->bgp_down || nva->bgp->asn != c.peer_asn) return nullptr;
  const std::set<Prefix> advertised(nva->bgp->advertise.begin(), nva->bgp->advertise.end());
  if (advertised.size() > static_cast<size_t>(kRouteServerRouteLimit)) return nullptr;
  return nva;
}

bool server_up(const RouteServer& server) {
  return !(server.instance_down[0] && server.instance_down[1]);
}

}  // namespace

std::vector<ControlPlane::Learned> ControlPlane::program(const RouteServer& server) const {
  // The spaces it serves: its VNet's and its spokes'.
  std::vector<Prefix> served;
  for (const auto& [vnet, serving] : route_server_of_)
    if (serving == &server)
      for (const Prefix& space : lab_.find_vnet(vnet)->address_space) served.push_back(space);
  std::vector<Learned> programmed;
  if (!server_up(server)) return programmed;
  std::vector<Learned> offers;
  for (const BgpConnection& c : server.bgp_connections) {
    const Vm* nva = heard_nva(lab_, server, c);
    if (!nva) continue;
    auto routes = nva_routes_.find(nva->name);
    if (routes == nva_routes_.end()) continue;
    for (const NvaRoute& r : routes->second) {
      // Not back to the Route Server it came from. (FRR does pass what one
      // instance gave it to the other; without as-override BIRD drops it,
      // with it the path is longer than the original: neither changes what
      // is programmed.)
      if (r.route_server == server.name) continue;
      std::vector<uint32_t> path = {nva->bgp->asn};
      for (uint32_t asn : r.as_path)
        path.push_back(nva->bgp->as_override && asn == kRouteServerAsn ? nva->bgp->asn : asn);
      offers.push_back({.prefix = r.prefix,
                        .as_path = path,
                        .neighbor = server.name,
                        .next_hop_ip = c.peer_ip.str(),
                        .nva = nva->name});
    }
  }
  std::erase_if(offers, [&](const Learned& l) {
    return holds(l.as_path, kRouteServerAsn) ||
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
  return programmed;
}

std::vector<ControlPlane::NvaRoute> ControlPlane::best_routes_of(const Vm& nva) const {
  std::vector<NvaRoute> candidates;
  for (const Prefix& p : nva.bgp->advertise) candidates.push_back({.prefix = p});
  const size_t own = candidates.size();
  for (const RouteServer& server : lab_.route_servers) {
    if (!server_up(server)) continue;
    for (const BgpConnection& c : server.bgp_connections) {
      if (heard_nva(lab_, server, c) != &nva) continue;
      // Its VNet's and its spokes' spaces, and what its other NVAs gave it.
      for (const auto& [vnet, serving] : route_server_of_)
        if (serving == &server)
          for (const Prefix& space : lab_.find_vnet(vnet)->address_space)
            candidates.push_back(
                {.prefix = space, .as_path = {kRouteServerAsn}, .route_server = server.name});
      auto programmed = programmed_.find(server.name);
      if (programmed != programmed_.end())
        for (const Learned& l : programmed->second) {
          if (l.nva == nva.name) continue;
          std::vector<uint32_t> path = {kRouteServerAsn};
          path.insert(path.end(), l.as_path.begin(), l.as_path.end());
          candidates.push_back({.prefix = l.prefix, .as_path = path, .route_server = server.name});
        }
      // Branch-to-branch: what the VNet's gateways learned, passed on as
      // they hold it (iBGP inside Azure), 65515 in front.
      if (server.branch_to_branch)
        for (const Gateway* gateway : gateways_used_by(server.vnet))
          for (const Gateway* instance : lab_.instances(*gateway))
            for (const Learned& l : learned_by(instance->name)) {
              if (!l.nva.empty()) continue;  // the Route Server's own, given to the gateway
              std::vector<uint32_t> path = {kRouteServerAsn};
              path.insert(path.end(), l.as_path.begin(), l.as_path.end());
              candidates.push_back(
                  {.prefix = l.prefix, .as_path = path, .route_server = server.name});
            }
    }
  }
  for (const NvaPeer& peer : nva.bgp->peers) {
    const OverlayPeer over = overlay_peer(lab_, nva.name, peer.peer_ip);
    const Vm* far = over.far ? lab_.find_vm(over.far->vm) : nullptr;
    if (!far || !far->bgp || far->bgp_down) continue;
    auto routes = nva_routes_.find(far->name);
    if (routes == nva_routes_.end()) continue;
    for (const NvaRoute& r : routes->second) {
      if (r.peer == nva.name) continue;  // not back where it came from
      std::vector<uint32_t> path = {far->bgp->asn};
      path.insert(path.end(), r.as_path.begin(), r.as_path.end());
      candidates.push_back({.prefix = r.prefix, .as_path = path, .peer = far->name});
    }
  }
  std::vector<NvaRoute> best;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const NvaRoute& c = candidates[i];
    if (i >= own && holds(c.as_path, nva.bgp->asn)) continue;
    auto same = std::find_if(best.begin(), best.end(),
                             [&](const NvaRoute& b) { return b.prefix == c.prefix; });
    if (same == best.end())
      best.push_back(c);
    else if (c.as_path.size() < same->as_path.size())
      *same = c;  // its own (empty path) first, then the shortest; ties: the first heard
  }
  std::sort(best.begin(), best.end(),
            [](const NvaRoute& a, const NvaRoute& b) { return a.prefix < b.prefix; });
  return best;
}

void ControlPlane::learn_route_servers() {
  for (const RouteServer& server : lab_.route_servers) {
    route_server_of_[server.vnet] = &server;
    for (const Peering& p : lab_.peerings)
      for (int s = 0; s < 2; ++s)
        if (p.sides[s].vnet == server.vnet && p.sides[s].allow_gateway_transit &&
            p.sides[1 - s].use_remote_gateways)
          route_server_of_.emplace(p.sides[1 - s].vnet, &server);
    programmed_[server.name];
  }
  // To a fixed point: every round each NVA picks from what its neighbours
  // held after the last, as BGP would. A path that would hold the
  // receiver's own ASN is refused, so routes cannot circle for ever (with
  // as-override a path may hold an NVA's ASN twice, but never 65515 where
  // a Route Server takes it); the bound is a guard. Branch-to-branch then
  // gives the gateways what the Route Servers program, which their circuits
  // and tunnels may carry to other gateways and Route Servers: again, until
  // nothing changes.
  const size_t bound = 2 * lab_.vms.size() + 2;
  for (size_t pass = 0; pass <= bound; ++pass) {
    for (size_t round = 0; round <= bound; ++round) {
      bool changed = false;
      std::map<std::string, std::vector<NvaRoute>> next;
      for (const Vm& vm : lab_.vms)
        if (vm.bgp && !vm.bgp_down) next[vm.name] = best_routes_of(vm);
      changed |= next != nva_routes_;
      nva_routes_ = std::move(next);
      for (const RouteServer& server : lab_.route_servers) {
        std::vector<Learned> programmed = program(server);
        auto same = [](const Learned& a, const Learned& b) {
          return a.prefix == b.prefix && a.as_path == b.as_path && a.nva == b.nva;
        };
        std::vector<Learned>& now = programmed_[server.name];
        changed |= !std::equal(programmed.begin(), programmed.end(), now.begin(), now.end(), same);
        now = std::move(programmed);
      }
      if (!changed) break;
    }
    if (!learn_branch_to_branch()) break;
  }
}

// Branch-to-branch ("Azure Route Server FAQ": off by default; on, the Route
// Server and the VNet's gateways exchange routes): each gateway of the
// Route Server's VNet learns what the Route Server programs, AS path as
// the NVAs gave it (no ASN added inside Azure: the real deployments' iBGP,
// fabferri/az-pattern hub-spoke-er-rs-101), unless it holds the prefix
// already from elsewhere; then passes it on over its connections and
// circuits as what it learned.
bool ControlPlane::no_worse_than_route_server(const Learned& other,
                                              const Learned& from_route_server) {
  return !other.connection.empty() || other.weight > 0 ||
         other.as_path.size() <= from_route_server.as_path.size();
}

bool ControlPlane::learn_branch_to_branch() {
  bool any = false;
  for (const RouteServer& server : lab_.route_servers) {
    if (!server.branch_to_branch || !server_up(server)) continue;
    for (const Gateway* gateway : gateways_used_by(server.vnet)) {
      if (gateway->vnet != server.vnet) continue;
      for (const Gateway* instance : lab_.instances(*gateway)) {
        std::vector<Learned>& rib = learned_[instance->name];
        for (const Learned& l : programmed_by(server)) {
          // What the gateway holds already (from elsewhere, or this
          // route from an earlier pass) stays if it is no worse.
          auto better = [&](const Learned& held) {
            return held.prefix == l.prefix &&
                   (held.nva == l.nva || no_worse_than_route_server(held, l));
          };
          if (std::any_of(rib.begin(), rib.end(), better)) continue;
          std::erase_if(rib, [&](const Learned& held) { return held.prefix == l.prefix; });
          rib.push_back({.prefix = l.prefix,
                         .as_path = l.as_path,
                         .neighbor = server.name,
                         .next_hop_ip = l.next_hop_ip,
                         .nva = l.nva});
          any = true;
        }
      }
    }
  }
  if (!any) return false;
  learn_bgp();
  learn_expressroute();
  return true;
}

const ControlPlane::NvaRoute* ControlPlane::overlay_route(const Vm& nva, Ipv4 destination) const {
  auto routes = nva_routes_.find(nva.name);
  if (routes == nva_routes_.end()) return nullptr;
  const NvaRoute* chosen = nullptr;
  for (const NvaRoute& r : routes->second)
    if (r.prefix.contains(destination) && (!chosen || r.prefix.length > chosen->prefix.length))
      chosen = &r;
  if (!chosen || chosen->peer.empty()) return nullptr;
  // Its own subnet, and the far ends' NICs (the overlay's underlay), are
  // reached over its NIC whatever BGP says.
  const Subnet& subnet = *lab_.find_vnet(nva.vnet)->find_subnet(nva.subnet);
  if (subnet.prefix.contains(destination) && subnet.prefix.length >= chosen->prefix.length)
    return nullptr;
  for (const Vxlan& vxlan : lab_.vxlans)
    for (int e = 0; e < 2; ++e)
      if (vxlan.ends[e].vm == nva.name)
        if (const Vm* far = lab_.find_vm(vxlan.ends[1 - e].vm);
            far && lab_.vm_address(*far) == destination)
          return nullptr;
  return chosen;
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
