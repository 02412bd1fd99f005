#include "orchestrator/plan/fabric.h"

#include <map>
#include <tuple>

#include "orchestrator/lab/naming.h"

namespace hublab {

const std::vector<DefaultSystemRoute>& default_system_routes() {
  // 0.0.0.0/0 is "Internet" in Azure. Until the lab has an internet
  // namespace to egress to, it drops like the None routes do.
  static const std::vector<DefaultSystemRoute> routes = {
      {"0.0.0.0/0", RouteSource::kInternet}, {"10.0.0.0/8", RouteSource::kNone},
      {"172.16.0.0/12", RouteSource::kNone}, {"192.168.0.0/16", RouteSource::kNone},
      {"100.64.0.0/10", RouteSource::kNone},
  };
  return routes;
}

namespace {

constexpr uint8_t kFirstRouteProtocol = 200;
constexpr RouteSource kSources[] = {RouteSource::kVirtualNetwork, RouteSource::kVnetPeering,
                                    RouteSource::kNone,           RouteSource::kInternet,
                                    RouteSource::kVmDefault,      RouteSource::kFabric,
                                    RouteSource::kGatewayStatic,  RouteSource::kUser};

}  // namespace

uint8_t kernel_protocol_of(RouteSource source) {
  for (size_t i = 0; i < std::size(kSources); ++i)
    if (kSources[i] == source) return static_cast<uint8_t>(kFirstRouteProtocol + i);
  return kFirstRouteProtocol + std::size(kSources) - 1;
}

std::optional<RouteSource> route_source_of(uint8_t kernel_protocol) {
  size_t i = static_cast<size_t>(kernel_protocol) - kFirstRouteProtocol;
  if (kernel_protocol < kFirstRouteProtocol || i >= std::size(kSources)) return std::nullopt;
  return kSources[i];
}

std::vector<StaticGatewayRoute> static_gateway_routes(const Lab& lab, const Gateway& gateway) {
  std::vector<StaticGatewayRoute> routes;
  for (size_t i = 0; i < lab.connections.size(); ++i) {
    const Connection& c = lab.connections[i];
    if (c.enable_bgp) continue;
    for (int side = 0; side < 2; ++side)
      if (c.gateways[side] == gateway.name) {
        const Gateway& far = *lab.find_gateway(c.gateways[1 - side]);
        // Azure's hidden local network gateway holds the far VNet's space; a
        // site's device is configured, as its admin would, with every VNet
        // the Azure gateway serves.
        if (gateway.on_premises)
          for (const Vnet* vnet : lab.vnets_served_by(far))
            for (const Prefix& space : vnet->address_space) routes.push_back({i, far.name, space});
        else
          for (const Prefix& space : lab.find_vnet(far.vnet)->address_space)
            routes.push_back({i, far.name, space});
      }
  }
  return routes;
}

namespace {

class Planner {
 public:
  explicit Planner(const Lab& lab) : lab_(lab) {}

  FabricPlan run() {
    for (const Vnet& vnet : lab_.vnets) add_vnet_router(vnet);
    for (const Vm& vm : lab_.vms) add_vm(vm);
    for (size_t i = 0; i < lab_.peerings.size(); ++i) add_peering(i);
    for (const Vnet& vnet : lab_.vnets) add_appliance_links(vnet);
    if (!lab_.gateways.empty()) add_internet();
    for (const Gateway& gateway : lab_.gateways) add_gateway(gateway);
    for (size_t i = 0; i < lab_.connections.size(); ++i)
      for (int side = 0; side < 2; ++side) add_connection_end(i, side);
    for (const Vnet& vnet : lab_.vnets) add_subnet_routes(vnet);
    for (const Vnet& vnet : lab_.vnets) add_forwarded_traffic_guard(vnet);
    for (const Gateway& gateway : lab_.gateways) add_static_gateway_routes(gateway);
    return std::move(plan_);
  }

 private:
  InterfaceRef new_interface(const std::string& netns, const std::string& name) {
    int& last = last_ifindex_[netns];
    if (last == 0) last = 1;  // lo
    return {netns, name, ++last, MacAddress::local(++last_mac_)};
  }

  // `on` reaches `address`, held by `owner`, without asking ARP.
  void neighbor(const InterfaceRef& on, Ipv4 address, const InterfaceRef& owner) {
    plan_.neighbors.push_back({on, address, *owner.mac});
  }
  // Two ends of a link (or a NIC and its subnet's bridge), each the other's neighbor.
  void neighbors(const InterfaceRef& a, Ipv4 a_address, const InterfaceRef& b, Ipv4 b_address) {
    neighbor(a, b_address, b);
    neighbor(b, a_address, a);
  }

  std::string router_netns(const std::string& vnet) const {
    return naming::namespace_name(lab_.name, vnet);
  }

  void add_namespace(const std::string& node, NodeRole role) {
    std::string netns = naming::namespace_name(lab_.name, node);
    plan_.namespaces.push_back({netns, node, role});
    // No IPv6 in the lab: it spares each interface DAD and router
    // solicitations, and Azure's routes here are IPv4.
    plan_.sysctls.push_back({netns, "net/ipv6/conf/all/disable_ipv6", "1"});
    plan_.sysctls.push_back({netns, "net/ipv6/conf/default/disable_ipv6", "1"});
    // Linux rate-limits ICMP errors (a burst of 6, then 1/s per host): a check
    // of many pairs, or a UDP trace, would see answers go missing.
    plan_.sysctls.push_back({netns, "net/ipv4/icmp_ratemask", "0"});
    if (role != NodeRole::kVm) {
      plan_.sysctls.push_back({netns, "net/ipv4/ip_forward", "1"});
      // Replies to a peered VNet leave by another table than the request came
      // in by; strict reverse-path filtering would drop them.
      plan_.sysctls.push_back({netns, "net/ipv4/conf/all/rp_filter", "0"});
      plan_.sysctls.push_back({netns, "net/ipv4/conf/default/rp_filter", "0"});
    }
  }

  // A VNet's router; or a site's, which is also its VPN device and routes
  // by its main table alone: on premises, no Azure rule applies.
  void add_vnet_router(const Vnet& vnet) {
    add_namespace(vnet.name, vnet.on_premises ? NodeRole::kSite : NodeRole::kVnetRouter);
    std::string netns = router_netns(vnet.name);
    for (size_t i = 0; i < vnet.subnets.size(); ++i) {
      const Subnet& subnet = vnet.subnets[i];
      InterfaceRef bridge = new_interface(netns, naming::subnet_bridge(i));
      plan_.bridges.push_back({bridge, subnet.name});
      plan_.addresses.push_back({bridge, subnet.prefix.gateway(), subnet.prefix.length});
      if (!vnet.on_premises)
        plan_.rules.push_back({.netns = netns,
                               .iif = bridge.name,
                               .table = subnet_table(i),
                               .priority = subnet_rule_priority(i)});
      bridges_[{vnet.name, subnet.name}] = bridge;
    }
    if (!vnet.on_premises)
      plan_.rules.push_back(
          {.netns = netns, .iif = "lo", .table = kRouterOwnTable, .priority = kRouterOwnTable});
    if (!lab_.hops_visible) hide_hops(vnet, netns);
  }

  void hide_hops(const Vnet& vnet, const std::string& netns) {
    TtlBoostSpec boost{netns, {}};
    for (size_t i = 0; i < vnet.subnets.size(); ++i)
      if (vnet.subnets[i].name != kGatewaySubnet)  // gateways are fabric, not VMs
        boost.interfaces.push_back(naming::subnet_bridge(i));
    if (!boost.interfaces.empty()) plan_.ttl_boosts.push_back(boost);
  }

  void add_vm(const Vm& vm) {
    add_namespace(vm.name, NodeRole::kVm);
    std::string netns = naming::namespace_name(lab_.name, vm.name);
    // Azure's NIC setting: an appliance forwards only with it; any other VM
    // drops what is not for it, whatever the host's default.
    plan_.sysctls.push_back({netns, "net/ipv4/ip_forward", vm.ip_forwarding ? "1" : "0"});
    const Subnet& subnet = *lab_.find_vnet(vm.vnet)->find_subnet(vm.subnet);
    const InterfaceRef& bridge = bridges_.at({vm.vnet, vm.subnet});
    InterfaceRef nic = new_interface(netns, naming::vm_nic());
    InterfaceRef port = new_interface(bridge.netns, naming::vm_port(vm.name));
    plan_.veths.push_back({port, nic, bridge.ifindex});
    plan_.addresses.push_back({nic, lab_.vm_address(vm), subnet.prefix.length});
    neighbors(nic, lab_.vm_address(vm), bridge, subnet.prefix.gateway());
    // VMs of one subnet reach each other directly.
    auto& neighbors_here = nics_[{vm.vnet, vm.subnet}];
    for (const auto& [other, address] : neighbors_here)
      neighbors(nic, lab_.vm_address(vm), other, address);
    neighbors_here.emplace_back(nic, lab_.vm_address(vm));
    plan_.routes.push_back({.netns = netns,
                            .table = kMainTable,
                            .destination = Prefix{},
                            .via = subnet.prefix.gateway(),
                            .ifindex = nic.ifindex,
                            .source = RouteSource::kVmDefault});
  }

  void add_peering(size_t index) {
    const Peering& peering = lab_.peerings[index];
    InterfaceRef ends[2];
    for (int s = 0; s < 2; ++s)
      ends[s] = new_interface(router_netns(peering.sides[s].vnet),
                              naming::peering_port(peering.sides[1 - s].vnet));
    plan_.veths.push_back({ends[0], ends[1], 0, index});
    neighbors(ends[0], peering_link_address(index, 0), ends[1], peering_link_address(index, 1));
    for (int s = 0; s < 2; ++s) {
      plan_.addresses.push_back({ends[s], peering_link_address(index, s), 31});
      peers_[peering.sides[s].vnet].push_back(
          {.vnet = peering.sides[1 - s].vnet,
           .port = ends[s].name,
           .ifindex = ends[s].ifindex,
           .next_hop = peering_link_address(index, 1 - s),
           .access_allowed = peering.sides[s].allow_virtual_network_access,
           .forwarded_allowed = peering.sides[1 - s].allow_forwarded_traffic,
           .peering = index});
    }
  }

  // The VM a subnet's route names as appliance: in the subnet's VNet, else
  // in a VNet it reaches over a peering (VNets that are not peered may
  // reuse addresses).
  const Vm* appliance_for(const Vnet& vnet, Ipv4 address) {
    auto in = [&](const std::string& name) -> const Vm* {
      for (const Vm& vm : lab_.vms)
        if (vm.vnet == name && lab_.vm_address(vm) == address) return &vm;
      return nullptr;
    };
    if (const Vm* own = in(vnet.name)) return own;
    for (const PeerLink& peer : peers_[vnet.name])
      if (peer.access_allowed)
        if (const Vm* remote = in(peer.vnet)) return remote;
    return nullptr;
  }

  // A subnet's user routes to appliances in a peered VNet: a link of its
  // own to that VNet's router (one per subnet and appliance VNet), whose
  // table there delivers to the appliance each route names. The peering's
  // own link cannot carry them: on it the far router would see a packet for
  // a spoke, not which appliance the subnet's route chose.
  void add_appliance_links(const Vnet& vnet) {
    if (vnet.on_premises) return;
    for (size_t i = 0; i < vnet.subnets.size(); ++i) {
      const RouteTable* table = lab_.route_table_of(vnet.subnets[i]);
      if (!table) continue;
      // appliance VNet -> its routes, each with the appliance it names
      std::map<std::string, std::vector<std::pair<const UserRoute*, const Vm*>>> by_vnet;
      for (const UserRoute& u : table->routes)
        if (u.next_hop == UserRoute::NextHop::kVirtualAppliance)
          if (const Vm* nva = appliance_for(vnet, *u.next_hop_ip); nva && nva->vnet != vnet.name)
            by_vnet[nva->vnet].emplace_back(&u, nva);
      for (const auto& [far_vnet, routes] : by_vnet) {
        const PeerLink* peer = nullptr;
        for (const PeerLink& p : peers_[vnet.name])
          if (p.vnet == far_vnet && p.access_allowed) peer = &p;
        if (!peer) continue;  // refused by the validator
        const size_t k = appliance_links_count_++;
        InterfaceRef near = new_interface(router_netns(vnet.name), naming::appliance_port(k));
        InterfaceRef far = new_interface(router_netns(far_vnet), naming::appliance_port(k));
        plan_.veths.push_back({near, far, 0, peer->peering});
        plan_.addresses.push_back({near, appliance_link_address(k, 0), 31});
        plan_.addresses.push_back({far, appliance_link_address(k, 1), 31});
        neighbors(near, appliance_link_address(k, 0), far, appliance_link_address(k, 1));
        appliance_links_[{vnet.name, i, far_vnet}] = {.vnet = far_vnet,
                                                      .port = near.name,
                                                      .ifindex = near.ifindex,
                                                      .next_hop = appliance_link_address(k, 1),
                                                      .access_allowed = true,
                                                      .forwarded_allowed = peer->forwarded_allowed,
                                                      .peering = peer->peering};
        plan_.rules.push_back({.netns = far.netns,
                               .iif = far.name,
                               .table = appliance_link_table(k),
                               .priority = appliance_link_table(k)});
        for (const auto& [u, nva] : routes) {
          plan_.routes.push_back({.netns = far.netns,
                                  .table = appliance_link_table(k),
                                  .destination = u->prefix,
                                  .via = *u->next_hop_ip,
                                  .ifindex = bridges_.at({far_vnet, nva->subnet}).ifindex,
                                  .source = RouteSource::kFabric});
        }
        drop_the_rest(far.netns, appliance_link_table(k), RouteSource::kFabric);
      }
    }
  }

  // Rule 8: what an appliance forwards into a peered VNet needs that VNet's
  // allow_forwarded_traffic. Only a VM with IP forwarding sends what it did
  // not originate, so only a VNet holding one needs the guard; what a
  // gateway delivers (from the GatewaySubnet) is gateway transit, not
  // forwarded traffic.
  void add_forwarded_traffic_guard(const Vnet& vnet) {
    if (vnet.on_premises) return;
    bool forwards = false;
    for (const Vm& vm : lab_.vms) forwards |= vm.vnet == vnet.name && vm.ip_forwarding;
    if (!forwards) return;
    ForwardedTrafficGuardSpec guard{router_netns(vnet.name), {}, {}, vnet.address_space};
    for (const PeerLink& peer : peers_[vnet.name])
      if (!peer.forwarded_allowed) guard.to_interfaces.push_back(peer.port);
    for (const auto& [key, link] : appliance_links_)
      if (std::get<0>(key) == vnet.name && !link.forwarded_allowed)
        guard.to_interfaces.push_back(link.port);
    if (guard.to_interfaces.empty()) return;
    for (size_t i = 0; i < vnet.subnets.size(); ++i)
      if (vnet.subnets[i].name != kGatewaySubnet)
        guard.from_interfaces.push_back(naming::subnet_bridge(i));
    plan_.forwarded_traffic_guards.push_back(std::move(guard));
  }

  void add_internet() { add_namespace(naming::internet_node(), NodeRole::kInternet); }

  // A gateway instance: its LAN side in the GatewaySubnet holds the BGP peer
  // IP; each of its connections has an end of its own (add_connection_end).
  void add_gateway(const Gateway& gateway) {
    if (gateway.on_premises) return add_site_device(gateway);
    add_namespace(gateway.name, NodeRole::kGateway);
    std::string netns = naming::namespace_name(lab_.name, gateway.name);
    const Subnet& subnet = *lab_.find_vnet(gateway.vnet)->find_subnet(kGatewaySubnet);
    const InterfaceRef& bridge = bridges_.at({gateway.vnet, subnet.name});

    InterfaceRef lan = new_interface(netns, naming::gateway_lan());
    InterfaceRef port = new_interface(bridge.netns, naming::gateway_port(gateway.name));
    plan_.veths.push_back({port, lan, bridge.ifindex});
    plan_.addresses.push_back({lan, lab_.bgp_peer_ip(gateway), subnet.prefix.length});
    neighbors(lan, lab_.bgp_peer_ip(gateway), bridge, subnet.prefix.gateway());
    // Its own VNet, and the spokes that use it as their remote gateway,
    // through the VNet router.
    for (const Vnet* vnet : lab_.vnets_served_by(gateway))
      for (const Prefix& space : vnet->address_space)
        plan_.routes.push_back({.netns = netns,
                                .table = kMainTable,
                                .destination = space,
                                .via = subnet.prefix.gateway(),
                                .ifindex = lan.ifindex,
                                .source = vnet->name == gateway.vnet ? RouteSource::kVirtualNetwork
                                                                     : RouteSource::kVnetPeering});
    // What it has no route for drops without an error, as in Azure.
    drop_the_rest(netns, kMainTable, RouteSource::kNone);
  }

  // A site's VPN device is its router: it needs only its BGP peer IP, when
  // that is not one of its subnets' router addresses (an APIPA one, say).
  void add_site_device(const Gateway& device) {
    const Vnet& site = *lab_.find_vnet(device.vnet);
    const Ipv4 peer_ip = lab_.bgp_peer_ip(device);
    for (const Subnet& subnet : site.subnets)
      if (subnet.prefix.gateway() == peer_ip) return;
    plan_.addresses.push_back({InterfaceRef{router_netns(site.name), "lo", 1}, peer_ip, 32});
  }

  // One end of a connection: a namespace of its own whose charon alone
  // holds the connection (kernel-libipsec makes one ipsec0 per charon, and
  // with 0.0.0.0/0 selectors one charon could not tell two connections'
  // traffic apart). Its gateway routes the far gateway's BGP peer IP to it;
  // it sends what comes from the gateway into ipsec0 and what leaves ipsec0
  // back to the gateway; its WAN side holds the gateway's public IP.
  void add_connection_end(size_t index, int side) {
    const Connection& connection = lab_.connections[index];
    const Gateway& gateway = *lab_.find_gateway(connection.gateways[side]);
    const Gateway& far = *lab_.find_gateway(connection.gateways[1 - side]);
    add_namespace(naming::tunnel_end(connection.name, gateway.name), NodeRole::kTunnelEnd);
    const std::string netns =
        naming::namespace_name(lab_.name, naming::tunnel_end(connection.name, gateway.name));
    const std::string gateway_netns = naming::namespace_name(lab_.name, gateway.name);
    const std::string internet = naming::namespace_name(lab_.name, naming::internet_node());

    InterfaceRef to_tunnel = new_interface(gateway_netns, naming::gateway_tunnel_port(index));
    tunnel_ports_[{gateway.name, index}] = to_tunnel.ifindex;
    InterfaceRef to_gateway = new_interface(netns, naming::tunnel_gateway_side());
    plan_.veths.push_back({to_tunnel, to_gateway, 0});
    const Ipv4 gateway_end = tunnel_link_address(index, side, 0);
    const Ipv4 tunnel_end = tunnel_link_address(index, side, 1);
    plan_.addresses.push_back({to_tunnel, gateway_end, 31});
    plan_.addresses.push_back({to_gateway, tunnel_end, 31});
    neighbors(to_tunnel, gateway_end, to_gateway, tunnel_end);
    plan_.routes.push_back({.netns = gateway_netns,
                            .table = kMainTable,
                            .destination = Prefix{lab_.bgp_peer_ip(far), 32},
                            .via = tunnel_end,
                            .ifindex = to_tunnel.ifindex,
                            .source = RouteSource::kFabric,
                            // From BGP peer IP to BGP peer IP, not from the link's.
                            .source_address = lab_.bgp_peer_ip(gateway)});

    InterfaceRef wan = new_interface(netns, naming::tunnel_wan());
    InterfaceRef uplink = new_interface(internet, naming::internet_tunnel_port(index, side));
    plan_.veths.push_back({uplink, wan, 0});
    const Ipv4 public_ip = lab_.public_ip(gateway);
    plan_.addresses.push_back({wan, public_ip, 32});
    plan_.addresses.push_back({uplink, internet_next_hop(), 32});
    neighbors(wan, public_ip, uplink, internet_next_hop());
    // Its own packets: IKE and ESP to the address it dials, through the
    // internet; anything else (ICMP errors) to its gateway.
    const Ipv4 dialed = connection.sides[side].peer_ip.value_or(lab_.public_ip(far));
    plan_.routes.push_back({.netns = netns,
                            .table = kMainTable,
                            .destination = Prefix{dialed, 32},
                            .via = internet_next_hop(),
                            .ifindex = wan.ifindex,
                            .source = RouteSource::kFabric,
                            .onlink = true});
    plan_.routes.push_back({.netns = netns,
                            .table = kMainTable,
                            .destination = Prefix{},
                            .via = gateway_end,
                            .ifindex = to_gateway.ifindex,
                            .source = RouteSource::kFabric});
    // From the gateway: into ipsec0 (apply/tunnels adds that route once
    // charon has made the device), else dropped.
    plan_.rules.push_back({.netns = netns,
                           .iif = naming::tunnel_gateway_side(),
                           .table = kTunnelTable,
                           .priority = kTunnelTable});
    drop_the_rest(netns, kTunnelTable, RouteSource::kFabric);
    // In the internet namespace, this end receives what the far end sends
    // to the gateway's public IP.
    const uint32_t table = internet_tunnel_table(index, side);
    plan_.rules.push_back({.netns = internet,
                           .from = Prefix{lab_.public_ip(far), 32},
                           .to = Prefix{public_ip, 32},
                           .table = table,
                           .priority = table});
    plan_.routes.push_back({.netns = internet,
                            .table = table,
                            .destination = Prefix{public_ip, 32},
                            .ifindex = uplink.ifindex,
                            .source = RouteSource::kFabric});
  }

  // Connections without BGP: the gateway routes the far VNet's space into
  // the connection's end, and every VNet it serves routes it to the gateway
  // (the spokes through their hub), in front of the default system routes
  // as BGP routes are, but never inside the VNet's own or its peers' spaces
  // (rule 5's exception).
  void add_static_gateway_routes(const Gateway& gateway) {
    const std::vector<StaticGatewayRoute> routes = static_gateway_routes(lab_, gateway);
    if (routes.empty()) return;
    const std::string gateway_netns = naming::namespace_name(lab_.name, gateway.name);
    const Vnet& hub = *lab_.find_vnet(gateway.vnet);
    // A site's device is its router: the route into the connection is all.
    const std::vector<const Vnet*> served =
        gateway.on_premises ? std::vector<const Vnet*>{} : lab_.vnets_served_by(gateway);
    for (const StaticGatewayRoute& r : routes) {
      const int side = lab_.connections[r.connection].gateways[0] == gateway.name ? 0 : 1;
      plan_.routes.push_back({.netns = gateway_netns,
                              .table = kMainTable,
                              .destination = r.prefix,
                              .via = tunnel_link_address(r.connection, side, 1),
                              .ifindex = tunnel_ports_.at({gateway.name, r.connection}),
                              .source = RouteSource::kGatewayStatic});
    }
    for (const Vnet* vnet : served) {
      std::vector<Prefix> shielded = vnet->address_space;
      for (const PeerLink& peer : peers_[vnet->name])
        for (const Prefix& space : lab_.find_vnet(peer.vnet)->address_space)
          shielded.push_back(space);
      // Toward the gateway: from the hub, its LAN address in the
      // GatewaySubnet; from a spoke, the hub's end of their peering.
      Ipv4 via = lab_.bgp_peer_ip(gateway);
      int ifindex = bridges_.at({hub.name, kGatewaySubnet}).ifindex;
      for (const PeerLink& peer : peers_[vnet->name])
        if (vnet != &hub && peer.vnet == hub.name) {
          via = peer.next_hop;
          ifindex = peer.ifindex;
        }
      std::vector<uint32_t> tables = {kMainTable};
      for (size_t i = 0; i < vnet->subnets.size(); ++i) {
        const RouteTable* table = lab_.route_table_of(vnet->subnets[i]);
        if (!table || table->bgp_route_propagation) tables.push_back(subnet_table(i));
      }
      for (const StaticGatewayRoute& r : routes) {
        bool inside = false;
        for (const Prefix& space : shielded) inside |= space.contains(r.prefix.network);
        if (inside) continue;
        for (uint32_t table : tables)
          plan_.routes.push_back({.netns = router_netns(vnet->name),
                                  .table = table,
                                  .destination = r.prefix,
                                  .via = via,
                                  .ifindex = ifindex,
                                  .source = RouteSource::kGatewayStatic,
                                  .metric = kStaticGatewayRouteMetric});
      }
    }
  }

  // A subnet's route table in its kernel table, in front of BGP (user >
  // BGP > system at equal prefixes; the kernel's longest match does the
  // rest).
  template <typename AddRoute>
  void add_user_routes(const Vnet& vnet, size_t subnet, const RouteTable& table,
                       const AddRoute& route) {
    for (const UserRoute& u : table.routes) {
      switch (u.next_hop) {
        case UserRoute::NextHop::kVirtualAppliance: {
          const Vm* nva = appliance_for(vnet, *u.next_hop_ip);
          if (!nva) {
            route(u.prefix, RouteSpec::Kind::kBlackhole, std::nullopt, 0, RouteSource::kUser,
                  kUserRouteMetric);
            break;
          }
          if (nva->vnet == vnet.name) {  // the appliance's NIC, on its subnet's bridge
            const InterfaceRef& bridge = bridges_.at({vnet.name, nva->subnet});
            route(u.prefix, RouteSpec::Kind::kUnicast, *u.next_hop_ip, bridge.ifindex,
                  RouteSource::kUser, kUserRouteMetric);
            break;
          }
          // In a peered VNet: over the subnet's appliance link. While the
          // link is down (the peering faulted), Azure keeps the route and
          // the appliance is out of reach: a stand-in right behind it drops.
          const PeerLink& link = appliance_links_.at({vnet.name, subnet, nva->vnet});
          route(u.prefix, RouteSpec::Kind::kUnicast, link.next_hop, link.ifindex,
                RouteSource::kUser, kUserRouteMetric);
          route(u.prefix, RouteSpec::Kind::kBlackhole, std::nullopt, 0, RouteSource::kUser,
                kUserRouteMetric + 1);
          break;
        }
        case UserRoute::NextHop::kVirtualNetworkGateway: {
          const Gateway* gateway = lab_.gateway_serving(vnet);
          if (!gateway) break;  // refused by the validator
          if (gateway->vnet == vnet.name) {
            route(u.prefix, RouteSpec::Kind::kUnicast, lab_.bgp_peer_ip(*gateway),
                  bridges_.at({vnet.name, kGatewaySubnet}).ifindex, RouteSource::kUser,
                  kUserRouteMetric);
          } else {
            for (const PeerLink& peer : peers_[vnet.name])
              if (peer.vnet == gateway->vnet)
                route(u.prefix, RouteSpec::Kind::kUnicast, peer.next_hop, peer.ifindex,
                      RouteSource::kUser, kUserRouteMetric);
          }
          break;
        }
        case UserRoute::NextHop::kVnetLocal: {
          bool inside = false;
          for (const Prefix& space : vnet.address_space) inside |= space.contains(u.prefix.network);
          route(u.prefix, inside ? RouteSpec::Kind::kThrow : RouteSpec::Kind::kBlackhole,
                std::nullopt, 0, RouteSource::kUser, kUserRouteMetric);
          break;
        }
        case UserRoute::NextHop::kInternet:
        case UserRoute::NextHop::kNone:
          route(u.prefix, RouteSpec::Kind::kBlackhole, std::nullopt, 0, RouteSource::kUser,
                kUserRouteMetric);
          break;
      }
    }
  }

  // Rules 1, 2 and 6 (docs/azure-rules.md), in every subnet's table; the kernel's
  // longest-prefix match then does what Azure's route selection does for
  // system routes.
  void add_subnet_routes(const Vnet& vnet) {
    std::string netns = router_netns(vnet.name);
    for (size_t i = 0; i < vnet.subnets.size() && !vnet.on_premises; ++i) {
      uint32_t table = subnet_table(i);
      auto route = [&](Prefix destination, RouteSpec::Kind kind, std::optional<Ipv4> via,
                       int ifindex, RouteSource source, uint32_t metric) {
        plan_.routes.push_back({.netns = netns,
                                .table = table,
                                .destination = destination,
                                .kind = kind,
                                .via = via,
                                .ifindex = ifindex,
                                .source = source,
                                .metric = metric});
      };
      const RouteTable* user = lab_.route_table_of(vnet.subnets[i]);
      // A system route a user route of the same prefix overrides stays in
      // the table, behind it: Invalid in effective routes.
      auto overridden = [&](const Prefix& p) {
        if (!user) return false;
        for (const UserRoute& u : user->routes)
          if (u.prefix == p) return true;
        return false;
      };
      auto system_metric = [&](const Prefix& p) {
        return overridden(p) ? kOverriddenSystemRouteMetric : 0;
      };
      // The VNet's own space: one row, as in Azure; the main table then
      // delivers into the subnets (connected routes).
      for (const Prefix& space : vnet.address_space) {
        route(space, RouteSpec::Kind::kThrow, std::nullopt, 0, RouteSource::kVirtualNetwork,
              system_metric(space));
      }
      if (user) add_user_routes(vnet, i, *user, route);
      for (const PeerLink& peer : peers_[vnet.name]) {
        if (!peer.access_allowed) continue;
        for (const Prefix& space : lab_.find_vnet(peer.vnet)->address_space) {
          route(space, RouteSpec::Kind::kUnicast, peer.next_hop, peer.ifindex,
                RouteSource::kVnetPeering, system_metric(space));
          if (i == 0)
            plan_.routes.push_back({.netns = netns,
                                    .table = kRouterOwnTable,
                                    .destination = space,
                                    .via = peer.next_hop,
                                    .ifindex = peer.ifindex,
                                    .source = RouteSource::kFabric});
        }
      }
      for (const DefaultSystemRoute& system : default_system_routes()) {
        route(*Prefix::parse(system.prefix), RouteSpec::Kind::kBlackhole, std::nullopt, 0,
              system.source, kDefaultSystemRouteMetric);
      }
    }
    // What reaches the router from a peering or a gateway and is not for one
    // of its subnets or a BGP route drops without an ICMP error, as in Azure.
    drop_the_rest(netns, kMainTable, RouteSource::kNone);
  }

  // A table's last resort: a blackhole default behind every other route.
  void drop_the_rest(const std::string& netns, uint32_t table, RouteSource source) {
    plan_.routes.push_back({.netns = netns,
                            .table = table,
                            .destination = Prefix{},
                            .kind = RouteSpec::Kind::kBlackhole,
                            .source = source,
                            .metric = kDefaultSystemRouteMetric});
  }

  // A link out of a VNet router into a peered VNet: the peering's own, or
  // an appliance link over it.
  struct PeerLink {
    std::string vnet;  // the VNet it leads to
    std::string port;
    int ifindex;
    Ipv4 next_hop;
    bool access_allowed;     // this side's allow_virtual_network_access
    bool forwarded_allowed;  // the far side's allow_forwarded_traffic
    size_t peering;
  };

  const Lab& lab_;
  FabricPlan plan_;
  std::map<std::string, int> last_ifindex_;
  uint32_t last_mac_ = 0;
  // Each subnet's VM NICs so far, with their addresses.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<InterfaceRef, Ipv4>>> nics_;
  std::map<std::pair<std::string, std::string>, InterfaceRef> bridges_;
  std::map<std::string, std::vector<PeerLink>> peers_;
  // (VNet, subnet index, appliance VNet) -> the subnet's appliance link
  std::map<std::tuple<std::string, size_t, std::string>, PeerLink> appliance_links_;
  size_t appliance_links_count_ = 0;
  std::map<std::pair<std::string, size_t>, int> tunnel_ports_;  // (gateway, connection)
};

}  // namespace

FabricPlan plan_fabric(const Lab& lab) {
  return Planner(lab).run();
}

}  // namespace hublab
