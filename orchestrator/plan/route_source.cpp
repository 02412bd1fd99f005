#include "orchestrator/plan/route_source.h"

#include <iterator>

namespace hublab {

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

}  // namespace hublab
