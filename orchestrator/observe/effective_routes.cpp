#include "orchestrator/observe/effective_routes.h"

#include <linux/rtnetlink.h>

#include <algorithm>
#include <map>
#include <set>

#include "drivers/bird/bird_client.h"
#include "drivers/bird/bird_daemon.h"
#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/observe/expressroute.h"
#include "orchestrator/observe/route_server.h"
#include "orchestrator/plan/addressing.h"
#include "orchestrator/plan/route_server.h"
#include "orchestrator/plan/route_source.h"
#include "orchestrator/plan/system_routes.h"

namespace hublab {

namespace {

constexpr uint8_t kBirdProtocol = 12;  // RTPROT_BIRD

// BGP routes by prefix as this router's BIRD has them, each with the public
// IP of the remote gateway that sent it (by the first AS of its path).
struct BirdView {
  std::map<Prefix, std::string> next_hop_ip;
  // Behind an active-active gateway: for each prefix, the private IPs of the
  // instances that offer it to the hub's router, in instance order.
  std::map<Prefix, std::vector<std::string>> instances;
  // What reached the VNet over a circuit (its best route's path from 12076):
  // a coexisting VPN gateway's route to the same prefix is not programmed.
  std::set<Prefix> over_circuit;
};

std::string public_ip_of_as(const Lab& lab, const std::string& as_path) {
  uint32_t first = static_cast<uint32_t>(std::strtoul(as_path.c_str(), nullptr, 10));
  for (const Gateway& g : lab.gateways)
    if (g.asn == first && !g.expressroute()) return lab.public_ip(g).str();
  return "";
}

bool runs_bird(LabState& state, const std::string& node) {
  for (const LabState::DaemonRecord& d : state.daemons())
    if (d.kind == "bird" && d.node == node && daemon_alive(d.id)) return true;
  return false;
}

std::vector<bird::Route> bird_routes(LabState& state, const std::string& node) {
  return bird::Client::connect(
             bird::BirdFiles{state.daemon_dir("bird", node)}.control_socket(),
             bird::Timeouts{std::chrono::milliseconds(500), std::chrono::milliseconds(2000)})
      .routes("master4");
}

// What came over a circuit: its AS path starts with the edge's 12076.
bool over_a_circuit(const bird::Route& route) {
  auto path = route.attribute("BGP.as_path");
  return path && std::strtoul(path->c_str(), nullptr, 10) == kMicrosoftEdgeAsn;
}

// Behind an ExpressRoute gateway: a row for each edge router it routes a
// prefix to, for what reached the VNet over the circuit (with a VPN
// gateway beside it, the VNet's router says which of the two won).
void read_circuit_rows(LabState& state, const std::vector<bird::Route>& own, const Gateway& gateway,
                       BirdView& view) {
  if (!runs_bird(state, gateway.name)) return;
  for (const bird::Route& route : own)
    if (route.primary && over_a_circuit(route))
      if (auto prefix = Prefix::parse(route.prefix)) view.over_circuit.insert(*prefix);
  for (auto& [prefix, edges] : circuit_next_hops(bird_routes(state, gateway.name)))
    if (view.over_circuit.count(prefix)) view.instances[prefix] = edges;
}

// The hub router of an active-active gateway hears each instance over a
// session of its own, with the instance's address as next hop. `own` are
// the VNet's router's routes: the hub's, when the VNet is the hub.
void read_instances(LabState& state, const Lab& lab, const std::string& vnet,
                    const std::vector<bird::Route>& own, BirdView& view) {
  const Vnet& v = *lab.find_vnet(vnet);
  // A Route Server's routes: a row per NVA, as its VNet's router has them.
  if (const RouteServer* server = route_server_serving(lab, v))
    if (runs_bird(state, server->vnet))
      for (auto& [prefix, nvas] :
           nva_next_hops(lab, server->vnet == vnet ? own : bird_routes(state, server->vnet)))
        view.instances[prefix] = nvas;
  if (const Gateway* er = lab.gateway_serving(v, Gateway::Type::kExpressRoute))
    read_circuit_rows(state, own, *er, view);
  const Gateway* serving = lab.gateway_serving(v, Gateway::Type::kVpn);
  if (!serving || !serving->active_active) return;
  const std::vector<bird::Route> routes =
      serving->vnet == vnet ? own : bird_routes(state, serving->vnet);
  for (const Gateway* instance : lab.instances(*serving)) {
    const std::string ip = lab.bgp_peer_ip(*instance).str();
    for (const bird::Route& route : routes) {
      auto prefix = Prefix::parse(route.prefix);
      if (!prefix || !route.attribute("BGP.as_path") || view.over_circuit.count(*prefix)) continue;
      for (const bird::NextHop& hop : route.next_hops)
        if (hop.gateway == ip) view.instances[*prefix].push_back(ip);
    }
  }
}

BirdView read_bird(LabState& state, const Lab& lab, const std::string& vnet) {
  BirdView view;
  if (!runs_bird(state, vnet)) return view;
  const std::vector<bird::Route> routes = bird_routes(state, vnet);
  for (const bird::Route& route : routes) {
    auto path = route.attribute("BGP.as_path");
    auto prefix = Prefix::parse(route.prefix);
    // Its best route's: another may be a VPN's, beaten by ExpressRoute.
    if (path && prefix && (route.primary || !view.next_hop_ip.count(*prefix)))
      view.next_hop_ip[*prefix] = public_ip_of_as(lab, *path);
  }
  read_instances(state, lab, vnet, routes, view);
  return view;
}

// A static gateway route's next hop IP, as for BGP routes: the public IP of
// the far gateway of the connection (without BGP) that holds the prefix.
std::string static_next_hop_ip(const Lab& lab, const LabPlan& plan, const Vnet& vnet,
                               const Prefix& prefix) {
  if (const Gateway* gateway = lab.gateway_serving(vnet, Gateway::Type::kVpn))
    for (const StaticGatewayRoute& r : plan.static_gateway_routes)
      if (r.gateway == gateway->name && r.prefix == prefix)
        return lab.public_ip(*lab.find_gateway(r.far_gateway)).str();
  return "";
}

// As the model lists them: the VNet, peerings, gateway routes, user
// routes, the default routes.
int order_of(const EffectiveRoute& r) {
  if (r.source == "User") return 3;
  if (r.next_hop_type == "Virtual network") return 0;
  if (r.next_hop_type == "VNet peering") return 1;
  if (r.next_hop_type == "Virtual network gateway") return 2;
  return 4;
}

}  // namespace

std::vector<EffectiveRoute> read_effective_routes(LabState& state, const Lab& lab,
                                                  const LabPlan& plan, const Vm& vm) {
  return read_subnet_routes(state, lab, plan, vm.vnet, vm.subnet);
}

std::vector<EffectiveRoute> read_subnet_routes(LabState& state, const Lab& lab, const LabPlan& plan,
                                               const std::string& vnet_name,
                                               const std::string& subnet_name) {
  const Vnet& vnet = *lab.find_vnet(vnet_name);
  size_t subnet = 0;
  while (vnet.subnets[subnet].name != subnet_name) ++subnet;
  std::vector<RouteSocket::KernelRoute> kernel;
  {
    NetworkNamespace netns = NetworkNamespace::open(naming::namespace_name(lab.name, vnet.name));
    ThreadInNamespace inside(netns.fd());
    kernel = RouteSocket().routes(subnet_table(subnet));
  }
  const RouteTable* table = lab.route_table_of(vnet.subnets[subnet]);
  // Propagation off: BIRD's routes do not reach this subnet, by design.
  BirdView bird =
      table && !table->bgp_route_propagation ? BirdView{} : read_bird(state, lab, vnet.name);

  std::vector<EffectiveRoute> rows;
  std::set<Prefix> learned;
  for (const auto& k : kernel)
    if (k.protocol == kBirdProtocol || route_source_of(k.protocol) == RouteSource::kGatewayStatic)
      learned.insert(k.destination);
  for (const auto& k : kernel) {
    EffectiveRoute r{.source = "Default", .state = "Active", .prefix = k.destination};
    if (k.protocol == kBirdProtocol) {
      r.source = "Virtual network gateway";
      r.next_hop_type = "Virtual network gateway";
      r.next_hop_ip = bird.next_hop_ip[k.destination];
      auto instances = bird.instances.find(k.destination);
      if (instances == bird.instances.end()) {
        rows.push_back(r);
        continue;
      }
      for (const std::string& ip : instances->second) {
        r.next_hop_ip = ip;
        rows.push_back(r);
      }
      continue;
    }
    // The kernel route says what it stands for (plan/fabric.h).
    switch (route_source_of(k.protocol).value_or(RouteSource::kFabric)) {
      case RouteSource::kVirtualNetwork:
        r.next_hop_type = "Virtual network";
        break;
      case RouteSource::kVnetPeering:
        r.next_hop_type = "VNet peering";
        break;
      case RouteSource::kNone:
      case RouteSource::kInternet:
        r.next_hop_type = route_source_of(k.protocol) == RouteSource::kNone ? "None" : "Internet";
        // A BGP route of the same prefix wins over a default system route.
        if (learned.count(k.destination)) r.state = "Invalid";
        break;
      case RouteSource::kGatewayStatic:
        if (bird.over_circuit.count(k.destination)) continue;  // the circuit's route is used
        r.source = "Virtual network gateway";
        r.next_hop_type = "Virtual network gateway";
        r.next_hop_ip = static_next_hop_ip(lab, plan, vnet, k.destination);
        break;
      case RouteSource::kUser: {
        // One row per user route: the blackhole behind a route to an
        // appliance across a peering stands in while the peering is down.
        bool shown = false;
        for (const EffectiveRoute& row : rows)
          shown |= row.source == "User" && row.prefix == k.destination;
        if (shown) continue;
        r.source = "User";
        if (table)
          for (const UserRoute& u : table->routes)
            if (u.prefix == k.destination) {
              r.next_hop_type = next_hop_display_name(u.next_hop);
              r.next_hop_ip = u.next_hop_ip ? u.next_hop_ip->str() : "";
              r.udr_name = u.name;
            }
        break;
      }
      case RouteSource::kVmDefault:
      case RouteSource::kFabric:
        continue;  // plumbing of the emulation, no Azure route
    }
    rows.push_back(r);
  }
  // Of equal prefixes a user route wins: what it beats shows Invalid.
  if (table)
    for (EffectiveRoute& r : rows)
      if (r.source != "User")
        for (const UserRoute& u : table->routes)
          if (u.prefix == r.prefix) r.state = "Invalid";
  // What BGP offered but the VNet's own or peering routes outrank (rule 5):
  // BIRD has it, the kernel table does not.
  for (const auto& [prefix, ip] : bird.next_hop_ip) {
    if (learned.count(prefix)) continue;
    auto instances = bird.instances.find(prefix);
    for (const std::string& hop :
         instances == bird.instances.end() ? std::vector<std::string>{ip} : instances->second)
      rows.push_back(
          {"Virtual network gateway", "Invalid", prefix, "Virtual network gateway", hop, ""});
  }
  const auto& defaults = default_system_routes();
  auto default_index = [&](const Prefix& p) {
    for (size_t i = 0; i < defaults.size(); ++i)
      if (*Prefix::parse(defaults[i].prefix) == p) return i;
    return defaults.size();
  };
  // As Azure lists them: the VNet, peerings, gateway routes (BGP peer IPs
  // first), then the default routes in their usual order.
  std::stable_sort(rows.begin(), rows.end(), [&](const EffectiveRoute& a, const EffectiveRoute& b) {
    if (order_of(a) != order_of(b)) return order_of(a) < order_of(b);
    if (order_of(a) == 4) return default_index(a.prefix) < default_index(b.prefix);
    if (order_of(a) == 2 && (a.prefix.length == 32) != (b.prefix.length == 32))
      return a.prefix.length == 32;
    return a.prefix < b.prefix;
  });
  return rows;
}

}  // namespace hublab
