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
// a stopped gateway's connection carries nothing either way. A site on the
// circuit (its customer edge) reaches every gateway on it, whatever their
// allow_remote_vnet_traffic, and hears every VNet they serve.

#include "orchestrator/lab/expressroute.h"

#include <algorithm>
#include <map>

#include "orchestrator/lab/naming.h"
#include "orchestrator/model/control_plane.h"

namespace hublab {

std::vector<Prefix> ControlPlane::brought_by_circuits(const Gateway& site, bool as_faulted) const {
  std::vector<Prefix> brought;
  for (const CircuitConnection& mine : lab_.circuit_connections) {
    if (mine.gateway != site.name || (as_faulted && mine.held_down)) continue;
    const Circuit& circuit = *lab_.find_circuit(mine.circuit);
    if (as_faulted && circuit.link_down[kPrimaryLink] && circuit.link_down[kSecondaryLink])
      continue;
    for (const CircuitConnection& theirs : lab_.circuit_connections) {
      if (theirs.circuit != mine.circuit || theirs.gateway == site.name ||
          (as_faulted && theirs.held_down))
        continue;
      for (const std::string& vnet : vnets_reached_by(*lab_.find_gateway(theirs.gateway)))
        for (const Prefix& space : lab_.find_vnet(vnet)->address_space) brought.push_back(space);
    }
  }
  return brought;
}

void ControlPlane::learn_expressroute() {
  std::map<std::string, std::vector<Learned>> offers;  // by receiving gateway or site
  for (size_t i = 0; i < lab_.circuit_connections.size(); ++i) {
    const CircuitConnection& mine = lab_.circuit_connections[i];
    const Gateway& receiver = *lab_.find_gateway(mine.gateway);
    const Circuit& circuit = *lab_.find_circuit(mine.circuit);
    if (mine.held_down) continue;
    for (const CircuitConnection& theirs : lab_.circuit_connections) {
      if (theirs.circuit != mine.circuit || theirs.gateway == mine.gateway || theirs.held_down)
        continue;
      const Gateway& sender = *lab_.find_gateway(theirs.gateway);
      // The site's spaces reach every gateway, AS path 12076 and the
      // customer edge's ASN; a VNet's reach the site as 12076 65515, and
      // another gateway, with the edge's ASN in place of 65515, only if it
      // allows remote VNet traffic.
      // Each prefix with the path it had at the sender: a branch-to-branch
      // route (model/route_server.cpp) keeps its NVAs' ASNs behind.
      std::vector<std::pair<Prefix, std::vector<uint32_t>>> spaces;
      std::vector<uint32_t> as_path;
      if (sender.on_premises) {
        for (const Prefix& space : lab_.find_vnet(sender.vnet)->address_space)
          spaces.push_back({space, {}});
        as_path = {kMicrosoftEdgeAsn, circuit.peer_asn};
      } else if (receiver.on_premises || receiver.allow_remote_vnet_traffic) {
        for (const std::string& vnet : vnets_reached_by(sender))
          for (const Prefix& space : lab_.find_vnet(vnet)->address_space)
            spaces.push_back({space, {}});
        for (const Learned& l : learned_by(sender.name))
          if (!l.nva.empty()) spaces.push_back({l.prefix, l.as_path});
        as_path = {kMicrosoftEdgeAsn, receiver.on_premises ? sender.asn : kMicrosoftEdgeAsn};
      }
      for (const auto& [space, behind] : spaces)
        for (int link : {kPrimaryLink, kSecondaryLink})
          if (!circuit.link_down[link]) {
            std::vector<uint32_t> path = as_path;
            path.insert(path.end(), behind.begin(), behind.end());
            offers[receiver.name].push_back(
                {.prefix = space,
                 .as_path = path,
                 .neighbor = sender.name,
                 .edge = naming::edge_router(mine.circuit, link_name(link)),
                 .next_hop_ip = circuit_connection_address(lab_, i, link, 1).str(),
                 .weight = mine.routing_weight});
          }
    }
  }
  for (auto& [gateway, offered] : offers) {
    auto better = [](const Learned& a, const Learned& b) {
      if (a.weight != b.weight) return a.weight > b.weight;
      return a.as_path.size() < b.as_path.size();
    };
    std::vector<Learned>& rib = learned_[gateway];
    // What the gateway took from its own Route Server (branch-to-branch)
    // stays unless the circuit's is no worse.
    auto kept = [&](const Learned& held) {
      if (held.nva.empty()) return false;
      return std::none_of(offered.begin(), offered.end(), [&](const Learned& o) {
        return o.prefix == held.prefix && no_worse_than_route_server(o, held);
      });
    };
    std::vector<Prefix> held_back;
    for (const Learned& held : rib)
      if (kept(held)) held_back.push_back(held.prefix);
    // A site prefers its circuit to a VPN for the same prefix (its admin's
    // choice, as the coexistence page's failover design asks for).
    std::erase_if(rib, [&](const Learned& held) {
      return !kept(held) && std::any_of(offered.begin(), offered.end(),
                                        [&](const Learned& o) { return o.prefix == held.prefix; });
    });
    for (const Learned& offer : offered) {
      if (std::count(held_back.begin(), held_back.end(), offer.prefix)) continue;
      bool beaten = false;
      for (const Learned& other : offered)
        beaten |= other.prefix == offer.prefix && better(other, offer);
      if (!beaten) rib.push_back(offer);
    }
  }
}

}  // namespace hublab
