#include "orchestrator/observe/gateway_route.h"

#include "drivers/bird/bird_client.h"
#include "drivers/bird/bird_daemon.h"
#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/plan/addressing.h"
#include "orchestrator/plan/fabric.h"

namespace hublab {

namespace {

constexpr uint8_t kBirdProtocol = 12;  // RTPROT_BIRD

}  // namespace

std::optional<GatewayRoute> read_gateway_route(LabState& state, const Lab& lab,
                                               const std::string& gateway, Ipv4 destination) {
  NetworkNamespace netns = NetworkNamespace::open(naming::namespace_name(lab.name, gateway));
  std::optional<RouteSocket::KernelRoute> best;
  std::string device;
  {
    ThreadInNamespace inside(netns.fd());
    RouteSocket sock;
    for (const RouteSocket::KernelRoute& r : sock.routes(kMainTable))
      if (r.destination.length > 0 && r.destination.contains(destination) &&
          (!best || r.destination.length > best->destination.length))
        best = r;
    if (best && best->ifindex) device = sock.link_name(best->ifindex);
  }
  if (!best) return std::nullopt;
  GatewayRoute route{.prefix = best->destination, .bgp = best->protocol == kBirdProtocol};
  route.text = best->destination.str() + (route.bgp ? " BGP" : "") +
               (best->via ? " via " + best->via->str() : "") +
               (device.empty() ? "" : " dev " + device);
  if (route.bgp) {
    bird::BirdFiles files{state.daemon_dir("bird", gateway)};
    for (const bird::Route& r : bird::Client::connect(files.control_socket()).routes("master4"))
      if (r.primary && r.prefix == best->destination.str())
        route.as_path = r.attribute("BGP.as_path").value_or("");
    route.text += " (AS path " + route.as_path + ")";
  } else if (auto source = route_source_of(best->protocol)) {
    route.text += *source == RouteSource::kVirtualNetwork ? " (its VNet)"
                  : *source == RouteSource::kVnetPeering  ? " (a VNet using it over a peering)"
                  : *source == RouteSource::kGatewayStatic
                      ? " (static: the far VNet of a connection without BGP)"
                      : "";
  }
  return route;
}

}  // namespace hublab
