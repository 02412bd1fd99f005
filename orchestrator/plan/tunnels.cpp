#include "orchestrator/plan/tunnels.h"

#include <stdexcept>

#include "orchestrator/lab/naming.h"
#include "orchestrator/lab/shared_key.h"

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

}  // namespace hublab
