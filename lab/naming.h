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
inline std::string subnet_bridge(size_t subnet_index) {
  return "br" + std::to_string(subnet_index);
}

// The VM's NIC, as on an Azure Linux VM.
inline const char* vm_nic() {
  return "eth0";
}

// A gateway instance's link into its GatewaySubnet (in the VNet router) and
// into the internet namespace, and its own two interfaces.
inline std::string gateway_port(const std::string& gateway) {
  return "g-" + gateway;
}
inline std::string internet_port(const std::string& gateway) {
  return "w-" + gateway;
}
inline const char* gateway_lan() {
  return "eth0";
}
inline const char* gateway_wan() {
  return "wan0";
}

// The namespace joining every gateway's public IP.
inline const char* internet_node() {
  return "internet";
}

}  // namespace hublab::naming
