#pragma once

// How lab elements become kernel names. The validator checks every name a lab
// would produce against the kernel's limits before anything is created, so
// these functions are the single source of both.

#include <string>

namespace hublab::naming {

constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1
constexpr size_t kMaxLabName = 40;        // keeps /run/netns names readable

// Lab names end each namespace name's prefix at the first '.', so they may
// not contain one: lab "a" can never claim the namespaces of lab "a-b".
inline std::string namespace_name(const std::string& lab, const std::string& node) {
  return lab + "." + node;
}
inline std::string namespace_prefix(const std::string& lab) {
  return lab + ".";
}

// Interfaces inside a VNet router's namespace.
inline std::string vm_port(const std::string& vm) {
  return "v-" + vm;
}
inline std::string peering_port(const std::string& remote_vnet) {
  return "p-" + remote_vnet;
}
// A link carrying one subnet's traffic to appliances in a peered VNet (its
// user routes name them): the same name at both ends, numbered in the lab.
inline std::string appliance_port(size_t link_index) {
  return "a" + std::to_string(link_index);
}
inline std::string subnet_bridge(size_t subnet_index) {
  return "br" + std::to_string(subnet_index);
}

// A Route Server instance's port on its subnet's bridge (one Route Server
// per VNet): "rs0", "rs1".
inline std::string route_server_port(int instance) {
  return "rs" + std::to_string(instance);
}

// A VM's VXLAN device for one overlay ([[vxlan]]), named by its VNI.
inline std::string vxlan_device(uint32_t vni) {
  return "vx" + std::to_string(vni);
}
// The VM's NIC, as on an Azure Linux VM.
inline const char* vm_nic() {
  return "eth0";
}

// A gateway instance's link into its GatewaySubnet (in the VNet router), and
// its own side of it.
inline std::string gateway_port(const std::string& gateway) {
  return "g-" + gateway;
}
inline const char* gateway_lan() {
  return "eth0";
}

// Instance 1 of an active-active gateway: a node of its own. Lab names hold
// no '.', so it is never a user's node.
inline std::string gateway_instance(const std::string& gateway, int instance) {
  return instance == 0 ? gateway : gateway + "." + std::to_string(instance);
}
// A tunnel between instances of a connection's gateways, other than
// instance 0 to instance 0 (which keeps the connection's name).
inline std::string instance_tunnel(const std::string& connection, int instance0, int instance1) {
  return connection + "." + std::to_string(instance0) + std::to_string(instance1);
}

// A circuit's edge routers (Microsoft's MSEEs): a node each, named after
// the circuit and the link ("er1.primary"); lab names hold no '.'.
inline std::string edge_router(const std::string& circuit, const char* link) {
  return circuit + "." + link;
}
// The gateway's side of its link to an edge router (connection i to circuit:
// "er<i>p", "er<i>s"), and the edge router's side ("e-" + the gateway).
inline std::string edge_port(size_t circuit_connection_index, int link) {
  return "er" + std::to_string(circuit_connection_index) + (link == 0 ? "p" : "s");
}
inline std::string edge_gateway_port(const std::string& gateway) {
  return "e-" + gateway;
}

// One end of a connection: a node of its own (a namespace with the charon of
// that connection alone), joined to its gateway and to the internet
// namespace. Connections are numbered in the lab file's order.
inline std::string tunnel_end(const std::string& connection, const std::string& gateway) {
  return connection + "@" + gateway;
}
inline std::string gateway_tunnel_port(size_t connection_index) {
  return "tun" + std::to_string(connection_index);
}
inline const char* tunnel_gateway_side() {
  return "gw0";
}
inline const char* tunnel_wan() {
  return "wan0";
}
inline std::string internet_tunnel_port(size_t connection_index, int side) {
  return "c" + std::to_string(connection_index) + "s" + std::to_string(side);
}

// The namespace joining every gateway's public IP (held by its connections'
// ends).
inline const char* internet_node() {
  return "internet";
}

}  // namespace hublab::naming
