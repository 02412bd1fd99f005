#pragma once

// Small labs written in the test itself, so that a planning test shows the
// topology it reasons about. The test fails if the text does not load and
// validate cleanly.

#include <string>

#include "orchestrator/lab/lab.h"

namespace hublab::test {

Lab inline_lab(const std::string& toml);

// hub-a (one spoke) and hub-b, gateways joined by one BGP connection.
inline constexpr const char* kTwoHubs = R"(
[lab]
name = "two-hubs"
[vnet.hub-a]
address_space = ["10.1.0.0/16"]
subnets = { default = "10.1.0.0/24", GatewaySubnet = "10.1.255.0/24" }
[vnet.spoke-a]
address_space = ["10.11.0.0/16"]
subnets = { default = "10.11.0.0/24" }
[vnet.hub-b]
address_space = ["10.2.0.0/16"]
subnets = { default = "10.2.0.0/24", GatewaySubnet = "10.2.255.0/24" }
[[peering]]
hub-a = { allow_gateway_transit = true }
spoke-a = { use_remote_gateways = true }
[gateway.gw-a]
vnet = "hub-a"
asn = 65001
[gateway.gw-b]
vnet = "hub-b"
asn = 65002
[connection.a-b]
gateways = ["gw-a", "gw-b"]
enable_bgp = true
)";

}  // namespace hublab::test
