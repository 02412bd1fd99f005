#pragma once

// What Azure calls the next hop type of a system route, kept with each
// planned route and, in the kernel, in the route's "proto" field (`ip route`
// shows "proto 200" and so on), so that reading a table back never has to
// guess what a route stands for.

#include <cstdint>
#include <optional>

namespace hublab {

enum class RouteSource {
  kVirtualNetwork,
  kVnetPeering,
  kNone,
  kInternet,
  kVmDefault,
  kFabric,  // plumbing of the emulation (gateway uplinks), not an Azure route
  // "Virtual network gateway" without BGP: a far VNet's space over a
  // connection that does not enable BGP.
  kGatewayStatic,
  // "User": a route of the subnet's route table.
  kUser,
};

// 200-207: unassigned in iproute2's rt_protos, far from BIRD's 12.
uint8_t kernel_protocol_of(RouteSource source);
std::optional<RouteSource> route_source_of(uint8_t kernel_protocol);

}  // namespace hublab
