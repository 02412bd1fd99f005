#include "orchestrator/model/path_walk.h"

namespace hublab {

namespace {

constexpr const char* kVirtualNetwork = ControlPlane::kVirtualNetwork;
constexpr const char* kVnetPeering = ControlPlane::kVnetPeering;
constexpr const char* kGatewayHop = ControlPlane::kGatewayHop;
constexpr int kVxlanPort = 4789;  // IANA's, Linux's with dstport set

// The packet as the NSGs see it, or null when none is asked.
const Flow* flow_of(const PathPrediction& path) {
  return path.flow ? &*path.flow : nullptr;
}

std::string as_path_text(const std::vector<uint32_t>& path) {
  std::string text;
  for (uint32_t asn : path) text += (text.empty() ? "" : " ") + std::to_string(asn);
  return text;
}

}  // namespace

const Vm* PathWalk::vm_at(Ipv4 address, const std::string& vnet) const {
  for (const Vm& vm : lab_.vms)
    if (vm.vnet == vnet && lab_.vm_address(vm) == address) return &vm;
  return nullptr;
}

const Vm* PathWalk::vm_at(Ipv4 address) const {
  for (const Vm& vm : lab_.vms)
    if (lab_.vm_address(vm) == address) return &vm;
  return nullptr;
}

std::string PathWalk::forwarded_refusal(const std::string& vnet, const std::string& subnet,
                                        Ipv4 source, const std::string& into) const {
  if (subnet == kGatewaySubnet) return "";  // gateway transit, not forwarded traffic
  for (const Prefix& space : lab_.find_vnet(vnet)->address_space)
    if (space.contains(source)) return "";  // a VM of the VNet sent it
  for (const Peering& p : lab_.peerings)
    for (int s = 0; s < 2; ++s)
      if (p.sides[s].vnet == into && p.sides[1 - s].vnet == vnet &&
          !p.sides[s].allow_forwarded_traffic)
        return "forwarded traffic from " + vnet + " (source " + source.str() +
               ") is not allowed into " + into +
               " (its side of the peering does not set allow_forwarded_traffic)";
  return "";
}

void PathWalk::follow(const std::string& vnet, const std::string& subnet, Ipv4 source,
                      Ipv4 destination, PathPrediction& path,
                      std::set<std::string>& visited) const {
  const std::string where = vnet + "/" + subnet;
  if (!visited.insert(where).second) {
    path.outcome = "a routing loop: the packet is back in " + where;
    return;
  }
  const ControlPlane::SubnetRoute* chosen = nullptr;
  const std::vector<ControlPlane::SubnetRoute>& routes = control_.routes_of(vnet, subnet);
  for (const ControlPlane::SubnetRoute& r : routes)  // longest prefix among the active routes
    if (r.row.state == "Active" && r.row.prefix.contains(destination) &&
        (!chosen || r.row.prefix.length > chosen->row.prefix.length))
      chosen = &r;
  ModelStep step{.where = where,
                 .vnet = vnet,
                 .subnet = subnet,
                 .route = chosen->row.prefix.str() + " " + chosen->row.next_hop_type,
                 .chosen = chosen->row};
  if (!chosen->nva.empty()) {
    step.route = chosen->row.prefix.str() + " from Route Server " +
                 control_.route_server_used_by(vnet)->name + ": NVA " + chosen->nva + " (" +
                 chosen->row.next_hop_ip + ", AS path " + as_path_text(chosen->as_path) + ")";
  }
  if (chosen->user)
    step.route = "user route " + chosen->user->name + ": " + chosen->row.prefix.str() + " " +
                 chosen->row.next_hop_type +
                 (chosen->row.next_hop_ip.empty() ? "" : " " + chosen->row.next_hop_ip);
  for (const ControlPlane::SubnetRoute& r : routes) {
    if (&r == chosen || !r.row.prefix.contains(destination)) continue;
    // The same route over another edge router of a circuit: the two share
    // the traffic (ECMP), neither beats the other.
    if (r.row.state == "Active" && r.row.prefix == chosen->row.prefix &&
        r.row.next_hop_type == kGatewayHop && chosen->row.next_hop_type == kGatewayHop) {
      step.route += " (ECMP with " + r.row.next_hop_ip + ")";
      continue;
    }
    step.beaten.push_back(r.row);
  }
  // A coexisting VPN gateway learned the same prefix: not programmed, but
  // worth saying why the circuit carries it ([X]).
  if (!chosen->gateway.empty() && lab_.find_gateway(chosen->gateway)->expressroute())
    if (const Gateway* vpn = control_.gateway_used_by(vnet, Gateway::Type::kVpn))
      for (const ControlPlane::Learned& l : control_.learned_by(vpn->name))
        if (l.prefix == chosen->row.prefix) {
          step.route += "; ExpressRoute preferred over " + vpn->name + "'s VPN route";
          break;
        }
  path.steps.push_back(step);
  const Vm* target = vm_at(destination);
  auto deliver_in = [&](const std::string& into) { deliver(into, destination, path); };
  // To a gateway: in another VNet (a hub's, over the peering), what an
  // appliance forwards needs that VNet's consent too.
  auto to_gateway = [&](const std::string& gateway) {
    const std::string& gateway_vnet = lab_.find_gateway(gateway)->vnet;
    if (gateway_vnet != vnet) {
      path.outcome = forwarded_refusal(vnet, subnet, source, gateway_vnet);
      if (!path.outcome.empty()) return;
    }
    follow_gateway(gateway, source, destination, path, visited);
  };
  // Into a peered VNet: what an appliance forwards needs the receiving
  // side's allow_forwarded_traffic ([P] "Allow forwarded traffic").
  auto deliver_over_peering = [&](const std::string& into) {
    path.outcome = forwarded_refusal(vnet, subnet, source, into);
    if (path.outcome.empty()) deliver_in(into);
  };
  if (chosen->user) {
    const UserRoute& u = *chosen->user;
    switch (u.next_hop) {
      case UserRoute::NextHop::kVirtualAppliance:
        return via_appliance(vnet, subnet, *u.next_hop_ip, u.name, source, destination, path,
                             visited);
      case UserRoute::NextHop::kVirtualNetworkGateway:
        // A VPN gateway: a user route cannot name an ExpressRoute gateway.
        if (const Gateway* gateway = control_.gateway_used_by(vnet, Gateway::Type::kVpn))
          return to_gateway(gateway->name);
        path.outcome =
            "user route " + u.name + " sends it to a VPN gateway " + vnet + " does not have";
        return;
      case UserRoute::NextHop::kVnetLocal:
        for (const Prefix& space : lab_.find_vnet(vnet)->address_space)
          if (space.contains(destination)) return deliver_in(vnet);
        path.outcome = "user route " + u.name + " keeps it in " + vnet + ", which does not hold " +
                       destination.str() + ": dropped";
        return;
      case UserRoute::NextHop::kInternet:
        path.outcome = "user route " + u.name +
                       " sends it to the Internet: the lab has no "
                       "internet egress";
        return;
      case UserRoute::NextHop::kNone:
        path.outcome = "user route " + u.name + " (None) drops it";
        return;
    }
  }
  const std::string& type = chosen->row.next_hop_type;
  if (type == kVirtualNetwork) return deliver_in(vnet);
  if (type == kVnetPeering) return deliver_over_peering(chosen->peer_vnet);
  // A Route Server's route: its next hop is the NVA, as a virtual
  // appliance's would be.
  if (!chosen->nva.empty())
    return via_appliance(vnet, subnet, *Ipv4::parse(chosen->row.next_hop_ip), chosen->nva, source,
                         destination, path, visited);
  if (type == kGatewayHop) return to_gateway(chosen->gateway);
  path.outcome = type == "None" ? "None route " + chosen->row.prefix.str() + " in " + where +
                                      ": dropped without an error"
                                : "Internet route " + chosen->row.prefix.str() + " in " + where +
                                      ": the lab has no internet egress";
  // The commonest surprise: the destination is a peer of a peer.
  if (target)
    for (const ControlPlane::SubnetRoute& r : routes)
      if (r.row.next_hop_type == kVnetPeering)
        for (const Peering& p : lab_.peerings)
          for (int s = 0; s < 2; ++s)
            if (p.sides[s].vnet == r.peer_vnet && p.sides[1 - s].vnet == target->vnet &&
                p.sides[s].allow_virtual_network_access) {
              path.outcome += "; peering is not transitive (" + vnet + " - " + r.peer_vnet + " - " +
                              target->vnet + ") and no user-defined route sends it through " +
                              r.peer_vnet;
              return;
            }
}

// A VirtualAppliance next hop: the packet reaches the appliance's NIC, in
// this VNet or a peered one, its destination unchanged; the appliance
// forwards it only with IP forwarding on its NIC ([R] "Virtual appliance").
void PathWalk::via_appliance(const std::string& vnet, const std::string& subnet, Ipv4 appliance,
                             const std::string& route, Ipv4 source, Ipv4 destination,
                             PathPrediction& path, std::set<std::string>& visited) const {
  // The NIC holding the address in this VNet, or else in a VNet it reaches
  // over a peering (VNets that are not peered may reuse addresses).
  const Vm* nva = vm_at(appliance, vnet);
  for (const Peering& p : lab_.peerings)
    for (int s = 0; s < 2 && !nva; ++s)
      if (p.sides[s].vnet == vnet && p.sides[s].allow_virtual_network_access)
        nva = vm_at(appliance, p.sides[1 - s].vnet);
  if (!nva) {
    path.outcome = "user route " + route + ": no VM holds " + appliance.str() + " in " + vnet +
                   " or a VNet it reaches, dropped";
    return;
  }
  if (nva->vnet != vnet) {
    path.outcome = forwarded_refusal(vnet, subnet, source, nva->vnet);
    if (!path.outcome.empty()) return;
  }
  at_appliance(*nva, appliance.str(), flow_of(path), source, destination, path, visited);
}

void PathWalk::deliver(const std::string& vnet, Ipv4 destination, PathPrediction& path) const {
  const Vm* there = vm_at(destination, vnet);
  if (there && !nsgs_pass(*there, SecurityRule::Direction::kInbound, flow_of(path), path)) return;
  path.delivered = there;
  path.outcome =
      there ? "delivered to " + there->name : "no VM has " + destination.str() + " in " + vnet;
}

bool PathWalk::nsgs_pass(const Vm& vm, SecurityRule::Direction direction, const Flow* flow,
                         PathPrediction& path) const {
  if (!flow) return true;
  if (flow->reply && path.stateful_nics.count(vm.name)) return true;
  const NsgVerdict verdict = nsgs_.at_nic(vm, direction, *flow);
  for (const NsgDecision& d : verdict.decisions)
    path.steps.push_back({.where = "NSG " + d.nsg + " (" + d.associated + ")",
                          .route = std::string(direction_name(direction)) + " rule " +
                                   d.rule->name + " (" + std::to_string(d.rule->priority) +
                                   "): " + (d.rule->allow ? "Allow" : "Deny")});
  if (verdict.allowed) {
    path.nics.insert(vm.name);  // it keeps the flow's state for the reply
    return true;
  }
  path.outcome = verdict.text();
  return false;
}

// At an appliance's NIC (or its end of an overlay, `reached_at`): for it,
// or forwarded, by its own routes when it learned the destination from
// another NVA over an overlay (RS12), else through Azure's fabric by its
// subnet's routes.
void PathWalk::at_appliance(const Vm& nva, const std::string& reached_at, const Flow* arriving,
                            Ipv4 source, Ipv4 destination, PathPrediction& path,
                            std::set<std::string>& visited) const {
  // The NSGs of its NIC see what it receives, and what it forwards (MS
  // Learn: an NVA's NIC is filtered as any other).
  if (!nsgs_pass(nva, SecurityRule::Direction::kInbound, arriving, path)) return;
  if (lab_.vm_address(nva) == destination) {
    path.delivered = true;
    path.outcome = "delivered to " + nva.name;
    return;
  }
  if (!nva.ip_forwarding) {
    path.outcome = nva.name +
                   " has IP forwarding off on its NIC: Azure drops what it would "
                   "forward";
    return;
  }
  if (!visited.insert("appliance " + nva.name).second) {
    path.outcome = "a routing loop: the packet is back at " + nva.name;
    return;
  }
  ++path.appliances;
  if (over_overlay(nva, "appliance " + nva.name + " (" + reached_at + ")", source, destination,
                   path, visited))
    return;
  path.steps.push_back({.where = "appliance " + nva.name + " (" + reached_at + ")",
                        .route = "forwards it, IP forwarding on"});
  if (!nsgs_pass(nva, SecurityRule::Direction::kOutbound, flow_of(path), path)) return;
  follow(nva.vnet, nva.subnet, source, destination, path, visited);
}

bool PathWalk::over_overlay(const Vm& nva, const std::string& where, Ipv4 source, Ipv4 destination,
                            PathPrediction& path, std::set<std::string>& visited) const {
  const ControlPlane::NvaRoute* route = control_.overlay_route(nva, destination);
  if (!route) return false;
  const Vm& far = *lab_.find_vm(route->peer);
  std::string far_address;
  uint32_t vni = 0;
  for (const Vxlan& vxlan : lab_.vxlans)
    for (int e = 0; e < 2; ++e)
      if (vxlan.ends[e].vm == nva.name && vxlan.ends[1 - e].vm == far.name) {
        far_address = vxlan.ends[1 - e].address.str();
        vni = vxlan.vni;
      }
  path.steps.push_back({.where = where,
                        .route = route->prefix.str() + " BGP from NVA " + far.name + " (" +
                                 far_address + ", AS path " + as_path_text(route->as_path) +
                                 "): over VXLAN " + std::to_string(vni)});
  // The NSGs see the VXLAN packet, from NIC to NIC, not the one inside.
  std::optional<Flow> outer;
  if (path.flow)
    outer = Flow{.protocol = ProbeProtocol::kUdp,
                 .source = lab_.vm_address(nva),
                 .destination = lab_.vm_address(far),
                 .destination_port = kVxlanPort};
  if (!nsgs_pass(nva, SecurityRule::Direction::kOutbound, outer ? &*outer : nullptr, path))
    return true;
  at_appliance(far, far_address, outer ? &*outer : nullptr, source, destination, path, visited);
  return true;
}

void PathWalk::follow_gateway(std::string at, Ipv4 source, Ipv4 destination, PathPrediction& path,
                              std::set<std::string>& visited) const {
  // Across gateways: each passes the packet on by its BGP (or static)
  // routes, or delivers it into its VNet and the VNets that use it, by the
  // routes of its GatewaySubnet (user routes there included).
  std::set<std::string> gateways;
  while (gateways.insert(at).second) {
    const Gateway& gateway = *lab_.find_gateway(at);
    for (const std::string& reached : control_.vnets_reached_by(gateway))
      for (const Prefix& space : lab_.find_vnet(reached)->address_space)
        if (space.contains(destination)) {
          path.steps.push_back({.where = "gateway " + at,
                                .route = space.str() + " of " + reached,
                                .gateway = at,
                                .prefix = space});
          // A route table on the GatewaySubnet may send it elsewhere first
          // (through an appliance, say); without one it goes straight in.
          const Subnet* gateway_subnet = lab_.find_vnet(gateway.vnet)->find_subnet(kGatewaySubnet);
          if (!gateway.on_premises && gateway_subnet && !gateway_subnet->route_table.empty())
            return follow(gateway.vnet, kGatewaySubnet, source, destination, path, visited);
          return deliver(reached, destination, path);
        }
    const ControlPlane::Learned* best = nullptr;
    for (const ControlPlane::Learned& l : control_.learned_by(at))
      if (l.prefix.contains(destination) && (!best || l.prefix.length > best->prefix.length))
        best = &l;
    if (!best) {
      path.outcome = "gateway " + at + " has no route to " + destination.str();
      return;
    }
    // From the VNet's Route Server (branch-to-branch): into the VNet, by
    // the GatewaySubnet's routes (the NVA's route, or a user route there).
    if (!best->nva.empty()) {
      path.steps.push_back({.where = "gateway " + at,
                            .route = best->prefix.str() + " from Route Server " + best->neighbor +
                                     " (branch-to-branch; NVA " + best->nva + ", AS path " +
                                     as_path_text(best->as_path) + ")",
                            .gateway = at,
                            .prefix = best->prefix,
                            .bgp = true,
                            .as_path = as_path_text(best->as_path)});
      return follow(gateway.vnet, kGatewaySubnet, source, destination, path, visited);
    }
    if (!best->connection.empty() && lab_.find_connection(best->connection)->held_down) {
      path.outcome = "static route " + best->prefix.str() + " at gateway " + at + ": connection " +
                     best->connection + " is down (a fault), the packet drops";
      return;
    }
    if (!best->edge.empty()) {
      // Over a circuit: through one of its edge routers, to the gateway
      // that advertised the prefix; the edge is a hop that never answers.
      path.steps.push_back({.where = "gateway " + at,
                            .route = best->prefix.str() + " BGP from " + best->edge + " (" +
                                     best->next_hop_ip + ", AS path " +
                                     as_path_text(best->as_path) + ")",
                            .gateway = at,
                            .prefix = best->prefix,
                            .bgp = true,
                            .as_path = as_path_text(best->as_path)});
      path.steps.push_back({.where = "edge router " + best->edge,
                            .route = best->prefix.str() + " to " + best->neighbor +
                                     " (Microsoft's edge: a hop that answers no traceroute)"});
      ++path.silent_hops;
      at = best->neighbor;
      continue;
    }
    path.steps.push_back({.where = "gateway " + at,
                          .route = best->connection.empty()
                                       ? best->prefix.str() + " BGP from " + best->neighbor +
                                             " (AS path " + as_path_text(best->as_path) + ")"
                                       : best->prefix.str() + " static, connection " +
                                             best->connection + " to " + best->neighbor +
                                             " (no BGP: the far VNet's space)",
                          .gateway = at,
                          .prefix = best->prefix,
                          .bgp = best->connection.empty(),
                          .as_path = as_path_text(best->as_path)});
    at = best->neighbor;
  }
  path.outcome = "a routing loop between gateways";
}

PathPrediction PathWalk::path(const Vm& from, Ipv4 destination, std::optional<Flow> flow,
                              const std::set<std::string>& stateful_nics) const {
  PathPrediction path;
  if (flow) {
    flow->source = lab_.vm_address(from);
    flow->destination = destination;
  }
  path.flow = flow;
  path.stateful_nics = stateful_nics;
  std::set<std::string> visited;
  // What an NVA sends over an overlay leaves its NIC as the VXLAN packet
  // (over_overlay judges that); anything else as it is.
  const bool overlaid = from.bgp && control_.overlay_route(from, destination);
  if (!overlaid &&
      !nsgs_pass(from, SecurityRule::Direction::kOutbound, flow ? &*flow : nullptr, path))
    return path;
  // An NVA's own routes first: what it learned over an overlay leaves by it.
  if (from.bgp && over_overlay(from, from.name, lab_.vm_address(from), destination, path, visited))
    return path;
  follow(from.vnet, from.subnet, lab_.vm_address(from), destination, path, visited);
  return path;
}

}  // namespace hublab
