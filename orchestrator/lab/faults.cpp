#include "orchestrator/lab/faults.h"

#include <algorithm>

namespace hublab {

namespace {

bool holds(const std::vector<std::string>& faults, const std::string& fault) {
  return std::find(faults.begin(), faults.end(), fault) != faults.end();
}

void disconnect_peerings(Lab& lab, const std::vector<std::string>& faults) {
  std::erase_if(lab.peerings, [&](const Peering& p) { return holds(faults, peering_fault(p)); });
}

}  // namespace

std::string tunnel_fault(const std::string& connection) {
  return "tunnel " + connection;
}

std::string peering_fault(const Peering& peering) {
  return "peering " + peering.sides[0].vnet + " " + peering.sides[1].vnet;
}

std::string gateway_fault(const std::string& gateway) {
  return "gateway " + gateway;
}

std::string instance_fault(const std::string& gateway, int instance) {
  return "gateway " + gateway + " instance " + std::to_string(instance);
}

bool node_stopped(const std::vector<std::string>& faults, const std::string& gateway_node) {
  // "G" is instance 0 of G; "G.1" instance 1 (gateway names hold no '.').
  const size_t dot = gateway_node.find('.');
  const std::string gateway = gateway_node.substr(0, dot);
  const int instance = dot == std::string::npos ? 0 : std::stoi(gateway_node.substr(dot + 1));
  return holds(faults, gateway_fault(gateway)) || holds(faults, instance_fault(gateway, instance));
}

const Peering* find_peering(const Lab& lab, const std::string& a, const std::string& b) {
  for (const Peering& p : lab.peerings)
    if ((p.sides[0].vnet == a && p.sides[1].vnet == b) ||
        (p.sides[0].vnet == b && p.sides[1].vnet == a))
      return &p;
  return nullptr;
}

Lab lab_under_faults(Lab lab, const std::vector<std::string>& faults) {
  // With BGP, a dead connection's routes are withdrawn: as if it were not
  // there. Without, its static routes stay configured and lead nowhere.
  for (Connection& c : lab.connections)
    c.held_down = holds(faults, tunnel_fault(c.name)) || node_stopped(faults, c.gateways[0]) ||
                  node_stopped(faults, c.gateways[1]);
  std::erase_if(lab.connections, [](const Connection& c) { return c.held_down && c.enable_bgp; });
  disconnect_peerings(lab, faults);
  return lab;
}

Lab lab_as_configured(Lab lab, const std::vector<std::string>& faults) {
  // A disconnected peering keeps its place in the list (the emulation
  // numbers peering links by it) but lets nothing cross and shares no
  // gateway.
  for (Peering& p : lab.peerings)
    if (holds(faults, peering_fault(p)))
      for (PeeringSide& side : p.sides) {
        side.allow_virtual_network_access = false;
        side.allow_gateway_transit = false;
        side.use_remote_gateways = false;
      }
  return lab;
}

}  // namespace hublab
