#include "orchestrator/lab/lab.h"

#include <algorithm>

namespace hublab {

namespace {

template <typename T>
const T* find_named(const std::vector<T>& items, const std::string& name) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& i) { return i.name == name; });
  return it == items.end() ? nullptr : &*it;
}

}  // namespace

const Subnet* Vnet::find_subnet(const std::string& subnet_name) const {
  return find_named(subnets, subnet_name);
}

const Vnet* Lab::find_vnet(const std::string& vnet_name) const {
  return find_named(vnets, vnet_name);
}
const Vm* Lab::find_vm(const std::string& vm_name) const {
  return find_named(vms, vm_name);
}
const Gateway* Lab::find_gateway(const std::string& gateway_name) const {
  return find_named(gateways, gateway_name);
}

const Connection* Lab::find_connection(const std::string& connection_name) const {
  return find_named(connections, connection_name);
}

const Circuit* Lab::find_circuit(const std::string& circuit_name) const {
  return find_named(circuits, circuit_name);
}

const RouteTable* Lab::find_route_table(const std::string& table_name) const {
  return find_named(route_tables, table_name);
}

const RouteServer* Lab::find_route_server(const std::string& server_name) const {
  return find_named(route_servers, server_name);
}

const Nsg* Lab::find_nsg(const std::string& nsg_name) const {
  return find_named(nsgs, nsg_name);
}

const RouteServer* Lab::route_server_in(const std::string& vnet) const {
  for (const RouteServer& server : route_servers)
    if (server.vnet == vnet) return &server;
  return nullptr;
}

const RouteTable* Lab::route_table_of(const Subnet& subnet) const {
  return subnet.route_table.empty() ? nullptr : find_route_table(subnet.route_table);
}

namespace {

struct NextHopName {
  UserRoute::NextHop hop;
  const char* name;     // as route tables spell it
  const char* display;  // as effective routes show it
};
constexpr NextHopName kNextHops[] = {
    {UserRoute::NextHop::kVirtualAppliance, "VirtualAppliance", "Virtual appliance"},
    {UserRoute::NextHop::kVirtualNetworkGateway, "VirtualNetworkGateway",
     "Virtual network gateway"},
    {UserRoute::NextHop::kVnetLocal, "VnetLocal", "Virtual network"},
    {UserRoute::NextHop::kInternet, "Internet", "Internet"},
    {UserRoute::NextHop::kNone, "None", "None"},
};

}  // namespace

const char* next_hop_type_name(UserRoute::NextHop hop) {
  for (const NextHopName& n : kNextHops)
    if (n.hop == hop) return n.name;
  return "?";
}

const char* next_hop_display_name(UserRoute::NextHop hop) {
  for (const NextHopName& n : kNextHops)
    if (n.hop == hop) return n.display;
  return "?";
}

std::optional<UserRoute::NextHop> parse_next_hop_type(const std::string& text) {
  for (const NextHopName& n : kNextHops)
    if (text == n.name) return n.hop;
  return std::nullopt;
}

const Gateway* Lab::gateway_of(const std::string& vnet_name) const {
  auto it = std::find_if(gateways.begin(), gateways.end(),
                         [&](const Gateway& g) { return g.vnet == vnet_name; });
  return it == gateways.end() ? nullptr : &*it;
}

const Gateway* Lab::gateway_of(const std::string& vnet_name, Gateway::Type type) const {
  for (const Gateway& g : gateways)
    if (g.vnet == vnet_name && g.type == type && g.instance_of.empty()) return &g;
  return nullptr;
}

std::vector<const Vnet*> Lab::vnets_served_by(const Gateway& gateway) const {
  std::vector<const Vnet*> served = {find_vnet(gateway.vnet)};
  for (const Peering& peering : peerings) {
    for (int s = 0; s < 2; ++s) {
      const PeeringSide& hub = peering.sides[s];
      const PeeringSide& spoke = peering.sides[1 - s];
      if (hub.vnet == gateway.vnet && hub.allow_gateway_transit && spoke.use_remote_gateways)
        served.push_back(find_vnet(spoke.vnet));
    }
  }
  return served;
}

std::vector<const Gateway*> Lab::gateways_serving(const Vnet& vnet) const {
  std::vector<const Gateway*> serving;
  for (const Gateway& gateway : gateways)
    if (gateway.instance_of.empty())
      for (const Vnet* served : vnets_served_by(gateway))
        if (served == &vnet) serving.push_back(&gateway);
  return serving;
}

const Gateway* Lab::gateway_serving(const Vnet& vnet, Gateway::Type type) const {
  for (const Gateway* gateway : gateways_serving(vnet))
    if (gateway->type == type) return gateway;
  return nullptr;
}

Ipv4 Lab::vm_address(const Vm& vm) const {
  if (vm.address) return *vm.address;
  // The validator asks of labs it is about to refuse: a VM in a VNet or
  // subnet that does not exist has no address (found by fuzzing).
  const Vnet* vnet = find_vnet(vm.vnet);
  const Subnet* subnet = vnet ? vnet->find_subnet(vm.subnet) : nullptr;
  return subnet ? subnet->prefix.first_usable() : Ipv4{};
}

const Gateway& Lab::primary(const Gateway& gateway) const {
  if (gateway.instance_of.empty()) return gateway;
  return *find_gateway(gateway.instance_of);
}

std::vector<const Gateway*> Lab::instances(const Gateway& gateway) const {
  std::vector<const Gateway*> all = {&primary(gateway)};
  for (const Gateway& g : gateways)
    if (g.instance_of == all.front()->name) all.push_back(&g);
  return all;
}

Ipv4 Lab::bgp_peer_ip(const Gateway& gateway) const {
  if (gateway.bgp_peer_ip) return *gateway.bgp_peer_ip;
  // As vm_address: none in a lab the validator is about to refuse (a site
  // without subnets, a VNet without a GatewaySubnet; found by fuzzing).
  const Vnet* vnet = find_vnet(gateway.vnet);
  if (!vnet) return Ipv4{};
  if (gateway.on_premises)
    return vnet->subnets.empty() ? Ipv4{} : vnet->subnets.front().prefix.gateway();
  const Subnet* subnet = vnet->find_subnet(kGatewaySubnet);
  if (!subnet) return Ipv4{};
  if (gateway.expressroute())
    return Ipv4{subnet->prefix.first_usable().value + static_cast<uint32_t>(gateway.instance)};
  return Ipv4{subnet->prefix.last_usable().value - static_cast<uint32_t>(gateway.instance)};
}

Ipv4 Lab::public_ip(const Gateway& gateway) const {
  if (gateway.public_ip) return *gateway.public_ip;
  const Gateway& first = primary(gateway);
  auto index = static_cast<uint32_t>(&first - gateways.data());
  return Ipv4{Ipv4::parse(gateway.on_premises ? "203.0.113.0" : "198.51.100.0")->value + 1 + index +
              (gateway.instance ? 128u : 0u)};
}

}  // namespace hublab
