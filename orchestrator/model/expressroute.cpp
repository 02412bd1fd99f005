// ExpressRoute in the model (docs/azure-rules.md, ExpressRoute): what each
// gateway's circuits bring it, worked out from the lab file alone. A
// circuit's edge routers pass each gateway's VNets on to the circuit's other
// gateways, with their own ASN in place of the gateways' 65515 (the real
// deployment's AS path reads 65515 12076 12076 one BGP hop further); a
// gateway takes them only with "Allow traffic from remote virtual networks"
// (allow_remote_vnet_traffic), off by default. Each prefix comes once per
// edge router, both edges being equal (ECMP); of several circuits, the
// connection of the highest routing weight wins, then the shortest AS path.
// A link that is down (a fault) brings nothing: the other edge's rows stay;
// a stopped gateway's connection carries nothing either way.

#include "orchestrator/lab/expressroute.h"

#include <algorithm>
#include <map>

#include "orchestrator/lab/naming.h"
#include "orchestrator/model/control_plane.h"

namespace hublab {

void ControlPlane::learn_expressroute() {
  std::map<std::string, std::vector<Learned>> offers;  // by receiving gateway
  for (size_t i = 0; i < lab_.circuit_connections.size(); ++i) {
    const CircuitConnection& mine = lab_.circuit_connections[i];
    const Gateway& receiver = *lab_.find_gateway(mine.gateway);
    if (!receiver.allow_remote_vnet_traffic || mine.held_down) continue;
    for (const CircuitConnection& theirs : lab_.circuit_connections) {
      if (theirs.circuit != mine.circuit || theirs.gateway == mine.gateway || theirs.held_down)
        continue;
      const Gateway& sender = *lab_.find_gateway(theirs.gateway);
      for (const std::string& vnet : vnets_reached_by(sender))
        for (const Prefix& space : lab_.find_vnet(vnet)->address_space)
          for (int link : {kPrimaryLink, kSecondaryLink})
            if (!lab_.find_circuit(mine.circuit)->link_down[link])
              offers[receiver.name].push_back(
                  {.prefix = space,
                   .as_path = {kMicrosoftEdgeAsn, kMicrosoftEdgeAsn},
                   .neighbor = sender.name,
                   .edge = naming::edge_router(mine.circuit, link_name(link)),
                   .next_hop_ip = edge_link_address(i, link, 1).str(),
                   .weight = mine.routing_weight});
    }
  }
  for (auto& [gateway, offered] : offers) {
    auto better = [](const Learned& a, const Learned& b) {
      if (a.weight != b.weight) return a.weight > b.weight;
      return a.as_path.size() < b.as_path.size();
    };
    std::vector<Learned>& rib = learned_[gateway];
    for (const Learned& offer : offered) {
      bool beaten = false;
      for (const Learned& other : offered)
        beaten |= other.prefix == offer.prefix && better(other, offer);
      if (!beaten) rib.push_back(offer);
    }
  }
}

}  // namespace hublab
