#include "orchestrator/plan/route_server.h"

#include <algorithm>
#include <set>

#include "orchestrator/lab/naming.h"
#include "orchestrator/lab/route_server.h"
#include "orchestrator/lab/vxlan.h"
#include "orchestrator/plan/addressing.h"
#include "orchestrator/plan/expressroute.h"

namespace hublab {

namespace {

const Subnet& route_server_subnet(const Lab& lab, const RouteServer& server) {
  return *lab.find_vnet(server.vnet)->find_subnet(kRouteServerSubnet);
}

// The VNet router's address in RouteServerSubnet: both instances' iBGP
// neighbor, and their way to everything else.
Ipv4 vnet_router_address(const Lab& lab, const RouteServer& server) {
  return route_server_subnet(lab, server).prefix.gateway();
}

void sort_unique(std::vector<Prefix>& prefixes) {
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
}

std::vector<Prefix> served_spaces(const Lab& lab, const RouteServer& server);

// An NVA that advertises more routes than a Route Server takes from a peer:
// its sessions are disabled on the first update (BIRD's receive limit, as
// Azure drops them), so it brings nothing.
bool over_route_limit(const Vm& nva) {
  std::vector<Prefix> advertised = nva.bgp->advertise;
  sort_unique(advertised);
  return advertised.size() > static_cast<size_t>(kRouteServerRouteLimit);
}

// An NVA whose routes the Route Server takes: it runs, and within the limit.
bool brings_routes(const Vm* nva) {
  return nva && nva->bgp && !nva->bgp_down && !over_route_limit(*nva);
}

// What an NVA offers its Route Servers, as a set of prefixes: what it
// advertises, and what its overlay peers bring it, theirs and their peers'
// further on (every NVA it reaches over running overlay sessions): what
// they advertise, and, with as_override, the spaces their Route Servers
// serve (without it, those paths hold 65515 and a Route Server drops them).
std::vector<Prefix> offered_by(const Lab& lab, const Vm& nva) {
  std::vector<Prefix> offered = nva.bgp->advertise;
  std::set<std::string> reached = {nva.name};
  std::vector<const Vm*> frontier = {&nva};
  while (!frontier.empty()) {
    const Vm* at = frontier.back();
    frontier.pop_back();
    for (const NvaPeer& peer : at->bgp->peers) {
      const OverlayPeer over = overlay_peer(lab, at->name, peer.peer_ip);
      const Vm* far = over.far ? lab.find_vm(over.far->vm) : nullptr;
      if (!far || !far->bgp || far->bgp_down || !reached.insert(far->name).second) continue;
      frontier.push_back(far);
      offered.insert(offered.end(), far->bgp->advertise.begin(), far->bgp->advertise.end());
      if (!nva.bgp->as_override) continue;
      // What the far NVA's Route Server gives it, 65515 in front: the
      // spaces it serves, its other NVAs' prefixes (not ours: BGP drops a
      // path through our own ASN), and with branch-to-branch what its
      // ExpressRoute gateways' circuits bring.
      for (const RouteServer& server : lab.route_servers) {
        if (server.instance_down[0] && server.instance_down[1]) continue;
        bool serves_far = false;
        for (const BgpConnection& c : server.bgp_connections)
          serves_far |= nva_of(lab, server, c) == far;
        if (!serves_far) continue;
        const std::vector<Prefix> spaces = served_spaces(lab, server);
        offered.insert(offered.end(), spaces.begin(), spaces.end());
        for (const BgpConnection& c : server.bgp_connections)
          if (const Vm* other = nva_of(lab, server, c);
              other != far && brings_routes(other) && other->bgp->asn != nva.bgp->asn)
            offered.insert(offered.end(), other->bgp->advertise.begin(),
                           other->bgp->advertise.end());
        if (branch_to_branch_server(lab, server.vnet))
          for (const Gateway& gateway : lab.gateways)
            if (gateway.vnet == server.vnet && gateway.expressroute()) {
              const std::vector<Prefix> brought = learned_over_circuits(lab, gateway);
              offered.insert(offered.end(), brought.begin(), brought.end());
            }
      }
    }
  }
  sort_unique(offered);
  return offered;
}

// Each NVA's prefixes that Route Server takes, a prefix once per NVA that
// offers it: the paths an instance passes on. None inside a space it
// serves ("Route injection in spokes": it does not advertise a route of the
// same or a longer prefix than a virtual network's address space).
std::vector<Prefix> paths_from_nvas(const Lab& lab, const RouteServer& server) {
  const std::vector<Prefix> served = served_spaces(lab, server);
  std::vector<Prefix> paths;
  for (const BgpConnection& c : server.bgp_connections)
    if (const Vm* nva = nva_of(lab, server, c); brings_routes(nva))
      for (const Prefix& p : offered_by(lab, *nva))
        if (std::none_of(served.begin(), served.end(),
                         [&](const Prefix& space) { return space.contains(p); }))
          paths.push_back(p);
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<Prefix> served_spaces(const Lab& lab, const RouteServer& server) {
  std::vector<Prefix> served;
  for (const Vnet* vnet : vnets_served_by(lab, server))
    for (const Prefix& space : vnet->address_space) served.push_back(space);
  return served;
}

}  // namespace

void plan_route_server_nodes(FabricPlanner& fabric, const RouteServer& server) {
  const Subnet& subnet = route_server_subnet(fabric.lab, server);
  for (int i = 0; i < 2; ++i) {
    const std::string node = route_server_instance(server, i);
    fabric.add_namespace(node, NodeRole::kRouteServer);
    const std::string netns = fabric.netns_of(node);
    fabric.plan.sysctls.push_back({netns, "net/ipv4/ip_forward", "0"});
    const InterfaceRef nic = fabric.attach_to_subnet(
        netns, naming::gateway_lan(), naming::route_server_port(i), server.vnet, subnet,
        route_server_instance_ip(fabric.lab, server, i));
    fabric.plan.routes.push_back({.netns = netns,
                                  .table = kMainTable,
                                  .destination = Prefix{},
                                  .via = subnet.prefix.gateway(),
                                  .ifindex = nic.ifindex,
                                  .source = RouteSource::kVmDefault});
  }
}

std::vector<const Vnet*> vnets_served_by(const Lab& lab, const RouteServer& server) {
  std::vector<const Vnet*> vnets = {lab.find_vnet(server.vnet)};
  for (const Peering& p : lab.peerings)
    for (int s = 0; s < 2; ++s) {
      const PeeringSide &hub = p.sides[s], &spoke = p.sides[1 - s];
      if (hub.vnet == server.vnet && hub.allow_gateway_transit && spoke.use_remote_gateways)
        vnets.push_back(lab.find_vnet(spoke.vnet));
    }
  return vnets;
}

const RouteServer* route_server_serving(const Lab& lab, const Vnet& vnet) {
  for (const RouteServer& server : lab.route_servers)
    for (const Vnet* served : vnets_served_by(lab, server))
      if (served == &vnet) return &server;
  return nullptr;
}

std::vector<Prefix> advertised_by_nvas(const Lab& lab, const RouteServer& server) {
  std::vector<Prefix> prefixes = paths_from_nvas(lab, server);
  sort_unique(prefixes);
  return prefixes;
}

const RouteServer* branch_to_branch_server(const Lab& lab, const std::string& vnet) {
  const RouteServer* server = lab.route_server_in(vnet);
  if (!server || !server->branch_to_branch) return nullptr;
  if (server->instance_down[0] && server->instance_down[1]) return nullptr;
  return server;
}

std::vector<Prefix> branch_routes(const Lab& lab, const Gateway& gateway) {
  if (gateway.on_premises) return {};
  const RouteServer* server = branch_to_branch_server(lab, gateway.vnet);
  return server ? advertised_by_nvas(lab, *server) : std::vector<Prefix>{};
}

std::vector<BgpRouter> plan_route_server_instances(const Lab& lab, const RouteServer& server) {
  std::vector<BgpRouter> routers;
  const std::vector<Prefix> served = served_spaces(lab, server);
  for (int i = 0; i < 2; ++i) {
    if (server.instance_down[i]) continue;
    const Ipv4 local = route_server_instance_ip(lab, server, i);
    BgpRouter router{.node = route_server_instance(server, i),
                     .netns = naming::namespace_name(lab.name, route_server_instance(server, i)),
                     .kind = BgpRouter::Kind::kRouteServer,
                     .role = "Route Server " + server.name + ", instance " + std::to_string(i) +
                             ", ASN " + std::to_string(kRouteServerAsn),
                     .router_id = local,
                     .advertised = served,
                     .shielded = served};
    for (const BgpConnection& c : server.bgp_connections) {
      const Vm* nva = nva_of(lab, server, c);
      router.tunnel_peers.push_back({Prefix{c.peer_ip, 32}, vnet_router_address(lab, server)});
      BgpSession session{.kind = BgpSession::Kind::kToNva,
                         .name = bird_protocol_name("nva_", c.name),
                         .description = "bgp connection " + c.name + " to NVA " +
                                        (nva ? nva->name : c.peer_ip.str()),
                         .local = local,
                         .local_as = kRouteServerAsn,
                         .neighbor = c.peer_ip,
                         .neighbor_as = c.peer_asn};
      // A stopped NVA's session cannot be Established, nor one over the
      // route limit stay so: the lab waits for the others only.
      if (!brings_routes(nva)) session.optional = true;
      router.sessions.push_back(session);
    }
    router.sessions.push_back({.kind = BgpSession::Kind::kToVnetRouter,
                               .name = bird_protocol_name("vnet_", server.vnet),
                               .description = "VNet router of " + server.vnet,
                               .local = local,
                               .local_as = kRouteServerAsn,
                               .neighbor = vnet_router_address(lab, server),
                               .neighbor_as = kRouteServerAsn,
                               .branch_to_branch = server.branch_to_branch});
    router.expected = advertised_by_nvas(lab, server);
    routers.push_back(std::move(router));
  }
  return routers;
}

std::vector<BgpSession> route_server_sessions(const Lab& lab, const RouteServer& server) {
  std::vector<BgpSession> sessions;
  for (int i = 0; i < 2; ++i) {
    if (server.instance_down[i]) continue;
    sessions.push_back(
        {.kind = BgpSession::Kind::kFromRouteServer,
         .name = bird_protocol_name("route_server_", route_server_instance(server, i)),
         .description = "Route Server " + server.name + ", instance " + std::to_string(i),
         .local = vnet_router_address(lab, server),
         .local_as = kRouteServerAsn,
         .neighbor = route_server_instance_ip(lab, server, i),
         .neighbor_as = kRouteServerAsn,
         .expected_from = paths_from_nvas(lab, server),
         .branch_to_branch = server.branch_to_branch});
  }
  return sessions;
}

std::string hublab_frr_config(const Lab& lab, const Vm& vm) {
  const Subnet& subnet = *lab.find_vnet(vm.vnet)->find_subnet(vm.subnet);
  const std::string address = lab.vm_address(vm).str();
  std::string c = "! Written by hublab: FRRouting of NVA " + vm.name + ", ASN " +
                  std::to_string(vm.bgp->asn) + ".\nfrr defaults traditional\nhostname " + vm.name +
                  "\nno ipv6 forwarding\n!\n"
                  "! What it advertises is in its RIB (network needs it): towards Azure's\n"
                  "! fabric, which routes by destination.\n";
  for (const Prefix& p : vm.bgp->advertise)
    c += "ip route " + p.str() + " " + subnet.prefix.gateway().str() + "\n";
  // Its Route Servers' subnets, as the designs' frr.conf route them: FRR
  // opens a multihop session only to a peer it has a route to (a default
  // route does not count).
  for (const RouteServer& server : lab.route_servers)
    for (const BgpConnection& connection : server.bgp_connections)
      if (nva_of(lab, server, connection) == &vm)
        c += "ip route " +
             lab.find_vnet(server.vnet)->find_subnet(kRouteServerSubnet)->prefix.str() + " " +
             subnet.prefix.gateway().str() + "\n";
  if (!vm.bgp->peers.empty())
    // Its own packets (and ICMP errors: a trace's hop) from its NIC's
    // address, not the overlay's, which nothing beyond the overlay routes.
    // Before `router bgp`: zebra reads this file too, and its `exit` would
    // leave zebra's configuration mode.
    c += "!\nroute-map hublab-source permit 10\n set src " + address +
         "\nexit\nip protocol bgp route-map hublab-source\n";
  c += "!\nrouter bgp " + std::to_string(vm.bgp->asn) + "\n bgp router-id " + address +
       "\n no bgp ebgp-requires-policy\n no bgp network import-check\n"
       // FRR holds a new peer's first update back for a second to group
       // peers (its coalesce time): a lab converges that much sooner.
       " coalesce-time 100\n";
  std::vector<std::string> neighbors;
  for (const RouteServer& server : lab.route_servers)
    for (const BgpConnection& connection : server.bgp_connections)
      if (nva_of(lab, server, connection) == &vm)
        for (int i = 0; i < 2; ++i)
          neighbors.push_back(route_server_instance_ip(lab, server, i).str());
  for (const std::string& n : neighbors)
    c += " neighbor " + n + " remote-as " + std::to_string(kRouteServerAsn) + "\n neighbor " + n +
         " ebgp-multihop 255\n neighbor " + n + " timers connect 1\n";
  // Other NVAs, over the overlay: single-hop eBGP on its connected subnet.
  for (const NvaPeer& peer : vm.bgp->peers)
    c += " neighbor " + peer.peer_ip.str() + " remote-as " + std::to_string(peer.peer_asn) +
         "\n neighbor " + peer.peer_ip.str() + " timers connect 1\n";
  c += " !\n address-family ipv4 unicast\n";
  for (const Prefix& p : vm.bgp->advertise) c += "  network " + p.str() + "\n";
  // 65515 out of what it passes its Route Servers, which drop a path that
  // holds their own ASN ("Multi-region networking with Route Server").
  if (vm.bgp->as_override)
    for (const std::string& n : neighbors) c += "  neighbor " + n + " as-override\n";
  c += " exit-address-family\nexit\n";
  return c;
}

std::vector<NvaSpec> plan_nvas(const Lab& lab, const FrrConfigs& configs) {
  std::vector<NvaSpec> nvas;
  for (const Vm& vm : lab.vms) {
    if (!vm.bgp) continue;
    NvaSpec nva{.vm = vm.name,
                .netns = naming::namespace_name(lab.name, vm.name),
                .asn = vm.bgp->asn,
                .address = lab.vm_address(vm)};
    auto own = configs.find(vm.name);
    if (own != configs.end()) {
      nva.config_source = vm.bgp->frr_config;
      nva.config = own->second;
    } else {
      nva.config_source = "hublab";
      nva.config = hublab_frr_config(lab, vm);
    }
    nvas.push_back(std::move(nva));
  }
  return nvas;
}

}  // namespace hublab
