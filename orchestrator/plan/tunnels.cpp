#include "orchestrator/plan/tunnels.h"

#include <stdexcept>

#include "orchestrator/lab/naming.h"
#include "orchestrator/lab/shared_key.h"
#include "orchestrator/plan/addressing.h"

namespace hublab {

std::vector<TunnelSpec> plan_tunnels(const Lab& lab, const SharedKeys& keys) {
  std::vector<TunnelSpec> tunnels;
  for (const Connection& connection : lab.connections) {
    TunnelSpec tunnel;
    tunnel.connection = connection.name;
    auto resolved = keys.find(connection.name);
    if (resolved == keys.end())
      throw std::logic_error("no key resolved for connection " + connection.name);
    for (int side = 0; side < 2; ++side) {
      const Gateway& local = *lab.find_gateway(connection.gateways[side]);
      const Gateway& remote = *lab.find_gateway(connection.gateways[1 - side]);
      tunnel.gateways[side] = local.name;
      tunnel.ends[side] = naming::tunnel_end(connection.name, local.name);
      tunnel.bgp_peer_ips[side] = lab.bgp_peer_ip(local);
      strongswan::SiteToSite& end = tunnel.sides[side];
      end.name = connection.name;
      end.local_address = lab.public_ip(local).str();
      end.remote_id = lab.public_ip(remote).str();
      end.remote_address =
          connection.sides[side].peer_ip ? connection.sides[side].peer_ip->str() : end.remote_id;
      const auto& policy = connection.ipsec_policy_of(side);
      end.ike_proposals =
          policy ? policy->ike_proposals : strongswan::azure_default_ike_proposals();
      end.esp_proposals =
          policy ? policy->esp_proposals : strongswan::azure_default_esp_proposals();
      tunnel.keys[side] = resolved->second[side];
    }
    tunnels.push_back(std::move(tunnel));
  }
  return tunnels;
}

// One end of a connection: a namespace of its own whose charon alone
// holds the connection (kernel-libipsec makes one ipsec0 per charon, and
// with 0.0.0.0/0 selectors one charon could not tell two connections'
// traffic apart). Its gateway routes the far gateway's BGP peer IP to it;
// it sends what comes from the gateway into ipsec0 and what leaves ipsec0
// back to the gateway; its WAN side holds the gateway's public IP.
void plan_connection_end(FabricPlanner& fabric, size_t index, int side) {
  const Lab& lab = fabric.lab;
  const Connection& connection = lab.connections[index];
  const Gateway& gateway = *lab.find_gateway(connection.gateways[side]);
  const Gateway& far = *lab.find_gateway(connection.gateways[1 - side]);
  fabric.add_namespace(naming::tunnel_end(connection.name, gateway.name), NodeRole::kTunnelEnd);
  const std::string netns =
      naming::namespace_name(lab.name, naming::tunnel_end(connection.name, gateway.name));
  const std::string gateway_netns = naming::namespace_name(lab.name, gateway.name);
  const std::string internet = naming::namespace_name(lab.name, naming::internet_node());

  InterfaceRef to_tunnel = fabric.new_interface(gateway_netns, naming::gateway_tunnel_port(index));
  fabric.tunnel_ports[{gateway.name, index}] = to_tunnel.ifindex;
  InterfaceRef to_gateway = fabric.new_interface(netns, naming::tunnel_gateway_side());
  const Ipv4 gateway_end = tunnel_link_address(index, side, 0);
  const Ipv4 tunnel_end = tunnel_link_address(index, side, 1);
  fabric.add_point_to_point(to_tunnel, gateway_end, to_gateway, tunnel_end);
  fabric.plan.routes.push_back({.netns = gateway_netns,
                                .table = kMainTable,
                                .destination = Prefix{lab.bgp_peer_ip(far), 32},
                                .via = tunnel_end,
                                .ifindex = to_tunnel.ifindex,
                                .source = RouteSource::kFabric,
                                // From BGP peer IP to BGP peer IP, not from the link's.
                                .source_address = lab.bgp_peer_ip(gateway)});

  InterfaceRef wan = fabric.new_interface(netns, naming::tunnel_wan());
  InterfaceRef uplink = fabric.new_interface(internet, naming::internet_tunnel_port(index, side));
  fabric.plan.veths.push_back({uplink, wan, 0});
  const Ipv4 public_ip = lab.public_ip(gateway);
  fabric.plan.addresses.push_back({wan, public_ip, 32});
  fabric.plan.addresses.push_back({uplink, internet_next_hop(), 32});
  fabric.neighbors(wan, public_ip, uplink, internet_next_hop());
  // Its own packets: IKE and ESP to the address it dials, through the
  // internet; anything else (ICMP errors) to its gateway.
  const Ipv4 dialed = connection.sides[side].peer_ip.value_or(lab.public_ip(far));
  fabric.plan.routes.push_back({.netns = netns,
                                .table = kMainTable,
                                .destination = Prefix{dialed, 32},
                                .via = internet_next_hop(),
                                .ifindex = wan.ifindex,
                                .source = RouteSource::kFabric,
                                .onlink = true});
  fabric.plan.routes.push_back({.netns = netns,
                                .table = kMainTable,
                                .destination = Prefix{},
                                .via = gateway_end,
                                .ifindex = to_gateway.ifindex,
                                .source = RouteSource::kFabric});
  // From the gateway: into ipsec0 (apply/tunnels adds that route once
  // charon has made the device), else dropped.
  fabric.plan.rules.push_back({.netns = netns,
                               .iif = naming::tunnel_gateway_side(),
                               .table = kTunnelTable,
                               .priority = kTunnelTable});
  fabric.drop_the_rest(netns, kTunnelTable, RouteSource::kFabric);
  // In the internet namespace, this end receives what the far end sends
  // to the gateway's public IP.
  const uint32_t table = internet_tunnel_table(index, side);
  fabric.plan.rules.push_back({.netns = internet,
                               .from = Prefix{lab.public_ip(far), 32},
                               .to = Prefix{public_ip, 32},
                               .table = table,
                               .priority = table});
  fabric.plan.routes.push_back({.netns = internet,
                                .table = table,
                                .destination = Prefix{public_ip, 32},
                                .ifindex = uplink.ifindex,
                                .source = RouteSource::kFabric});
}

}  // namespace hublab
