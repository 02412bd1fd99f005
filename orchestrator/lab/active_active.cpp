#include "orchestrator/lab/active_active.h"

#include "orchestrator/lab/naming.h"

namespace hublab {

void add_gateway_instances(Lab& lab) {
  const size_t declared = lab.gateways.size();
  for (size_t i = 0; i < declared; ++i) {
    if (!lab.gateways[i].active_active) continue;
    Gateway second = lab.gateways[i];
    second.name = naming::gateway_instance(second.name, 1);
    second.instance_of = lab.gateways[i].name;
    second.instance = 1;
    second.active_active = false;
    second.bgp_peer_ip.reset();
    second.public_ip.reset();
    lab.gateways.push_back(std::move(second));
  }
  auto instance_count = [&](const std::string& name) {
    const Gateway* g = lab.find_gateway(name);
    return g && g->active_active ? 2 : 1;
  };
  const size_t connections = lab.connections.size();
  for (size_t i = 0; i < connections; ++i)
    for (int a = 0; a < instance_count(lab.connections[i].gateways[0]); ++a)
      for (int b = 0; b < instance_count(lab.connections[i].gateways[1]); ++b) {
        if (a == 0 && b == 0) continue;
        Connection tunnel = lab.connections[i];
        tunnel.tunnel_of = tunnel.name;
        tunnel.name = naming::instance_tunnel(tunnel.name, a, b);
        tunnel.gateways[0] = naming::gateway_instance(tunnel.gateways[0], a);
        tunnel.gateways[1] = naming::gateway_instance(tunnel.gateways[1], b);
        // A side's peer_ip override dials the far gateway's instance 0.
        if (b != 0) tunnel.sides[0].peer_ip.reset();
        if (a != 0) tunnel.sides[1].peer_ip.reset();
        lab.connections.push_back(std::move(tunnel));
      }
}

}  // namespace hublab
