#include "orchestrator/lab/faults.h"

#include <algorithm>
#include <sstream>

#include "orchestrator/lab/expressroute.h"

namespace hublab {

namespace {

void disconnect_peerings(Lab& lab, const std::vector<Fault>& faults) {
  std::erase_if(lab.peerings,
                [&](const Peering& p) { return fault_held(faults, peering_fault(p)); });
}

}  // namespace

std::string Fault::str() const {
  switch (kind) {
    case Kind::kTunnel:
      return "tunnel " + name;
    case Kind::kPeering:
      return "peering " + name + " " + other;
    case Kind::kGateway:
      return "gateway " + name;
    case Kind::kInstance:
      return "gateway " + name + " instance " + std::to_string(instance);
    case Kind::kCircuit:
      return "circuit " + name;
    case Kind::kCircuitLink:
      return "circuit " + name + " link " + link_name(instance);
    case Kind::kNva:
      return "nva " + name;
    case Kind::kRouteServerInstance:
      return "route-server " + name + " instance " + std::to_string(instance);
  }
  return "";
}

std::optional<Fault> Fault::parse(const std::string& recorded) {
  std::vector<std::string> w;
  std::istringstream words(recorded);
  for (std::string word; words >> word;) w.push_back(word);
  if (w.size() == 2 && w[0] == "tunnel") return tunnel_fault(w[1]);
  if (w.size() == 3 && w[0] == "peering")
    return Fault{.kind = Kind::kPeering, .name = w[1], .other = w[2]};
  if (w.size() == 2 && w[0] == "gateway") return gateway_fault(w[1]);
  if (w.size() == 4 && w[0] == "gateway" && w[2] == "instance" && (w[3] == "0" || w[3] == "1"))
    return instance_fault(w[1], w[3][0] - '0');
  if (w.size() == 2 && w[0] == "circuit") return circuit_fault(w[1]);
  if (w.size() == 2 && w[0] == "nva") return nva_fault(w[1]);
  if (w.size() == 4 && w[0] == "route-server" && w[2] == "instance" && (w[3] == "0" || w[3] == "1"))
    return route_server_instance_fault(w[1], w[3][0] - '0');
  if (w.size() == 4 && w[0] == "circuit" && w[2] == "link")
    for (int link : {kPrimaryLink, kSecondaryLink})
      if (w[3] == link_name(link)) return circuit_link_fault(w[1], link);
  return std::nullopt;
}

std::vector<std::string> fault_lines(const std::vector<Fault>& faults) {
  std::vector<std::string> lines;
  for (const Fault& fault : faults) lines.push_back(fault.str());
  return lines;
}

Fault tunnel_fault(const std::string& connection) {
  return {.kind = Fault::Kind::kTunnel, .name = connection};
}

Fault peering_fault(const Peering& peering) {
  return {
      .kind = Fault::Kind::kPeering, .name = peering.sides[0].vnet, .other = peering.sides[1].vnet};
}

Fault gateway_fault(const std::string& gateway) {
  return {.kind = Fault::Kind::kGateway, .name = gateway};
}

Fault instance_fault(const std::string& gateway, int instance) {
  return {.kind = Fault::Kind::kInstance, .name = gateway, .instance = instance};
}

Fault circuit_fault(const std::string& circuit) {
  return {.kind = Fault::Kind::kCircuit, .name = circuit};
}

Fault circuit_link_fault(const std::string& circuit, int link) {
  return {.kind = Fault::Kind::kCircuitLink, .name = circuit, .instance = link};
}

Fault nva_fault(const std::string& vm) {
  return {.kind = Fault::Kind::kNva, .name = vm};
}

Fault route_server_instance_fault(const std::string& server, int instance) {
  return {.kind = Fault::Kind::kRouteServerInstance, .name = server, .instance = instance};
}

bool fault_held(const std::vector<Fault>& faults, const Fault& fault) {
  return std::find(faults.begin(), faults.end(), fault) != faults.end();
}

bool node_stopped(const std::vector<Fault>& faults, const std::string& gateway_node) {
  // "G" is instance 0 of G; "G.1" instance 1 (gateway names hold no '.').
  const size_t dot = gateway_node.find('.');
  const std::string gateway = gateway_node.substr(0, dot);
  const int instance = dot == std::string::npos ? 0 : std::stoi(gateway_node.substr(dot + 1));
  return fault_held(faults, gateway_fault(gateway)) ||
         fault_held(faults, instance_fault(gateway, instance));
}

const Peering* find_peering(const Lab& lab, const std::string& a, const std::string& b) {
  for (const Peering& p : lab.peerings)
    if ((p.sides[0].vnet == a && p.sides[1].vnet == b) ||
        (p.sides[0].vnet == b && p.sides[1].vnet == a))
      return &p;
  return nullptr;
}

Lab lab_under_faults(Lab lab, const std::vector<Fault>& faults) {
  // With BGP, a dead connection's routes are withdrawn: as if it were not
  // there. Without, its static routes stay configured and lead nowhere.
  for (Connection& c : lab.connections)
    c.held_down = fault_held(faults, tunnel_fault(c.name)) || node_stopped(faults, c.gateways[0]) ||
                  node_stopped(faults, c.gateways[1]);
  std::erase_if(lab.connections, [](const Connection& c) { return c.held_down && c.enable_bgp; });
  disconnect_peerings(lab, faults);
  for (CircuitConnection& c : lab.circuit_connections)
    c.held_down = node_stopped(faults, c.gateway);
  // A link down: its edge router's sessions close, what it brought is gone.
  for (Circuit& circuit : lab.circuits)
    for (int link : {kPrimaryLink, kSecondaryLink})
      circuit.link_down[link] = fault_held(faults, circuit_fault(circuit.name)) ||
                                fault_held(faults, circuit_link_fault(circuit.name, link));
  for (Vm& vm : lab.vms) vm.bgp_down = fault_held(faults, nva_fault(vm.name));
  for (RouteServer& server : lab.route_servers)
    for (int i = 0; i < 2; ++i)
      server.instance_down[i] = fault_held(faults, route_server_instance_fault(server.name, i));
  return lab;
}

Lab lab_as_configured(Lab lab, const std::vector<Fault>& faults) {
  // A disconnected peering keeps its place in the list (the emulation
  // numbers peering links by it) but lets nothing cross and shares no
  // gateway.
  for (Peering& p : lab.peerings)
    if (fault_held(faults, peering_fault(p)))
      for (PeeringSide& side : p.sides) {
        side.allow_virtual_network_access = false;
        side.allow_gateway_transit = false;
        side.use_remote_gateways = false;
      }
  return lab;
}

}  // namespace hublab
