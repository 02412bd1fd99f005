#include "orchestrator/apply/faults.h"

namespace hublab {

void set_fault(LabState& state, const Lab& lab, const Fault& fault, bool up) {
  switch (fault.kind) {
    case Fault::Kind::kTunnel:
      return set_tunnel(state, lab, fault.name, up);
    case Fault::Kind::kPeering:
      return set_peering(state, lab, fault.name, fault.other, up);
    case Fault::Kind::kGateway:
      return set_gateway(state, lab, fault.name, std::nullopt, up);
    case Fault::Kind::kInstance:
      return set_gateway(state, lab, fault.name, fault.instance, up);
    case Fault::Kind::kCircuit:
      return set_circuit(state, lab, fault.name, std::nullopt, up);
    case Fault::Kind::kCircuitLink:
      return set_circuit(state, lab, fault.name, fault.instance, up);
    case Fault::Kind::kNva:
      return set_nva(state, lab, fault.name, up);
    case Fault::Kind::kRouteServerInstance:
      return set_route_server_instance(state, lab, fault.name, fault.instance, up);
  }
}

}  // namespace hublab
