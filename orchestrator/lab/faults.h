#pragma once

// Faults a trainer sets on a running lab (`hublab fault`), as the lab file's
// terms: what Azure would then have. The model predicts the faulted lab.
// A Fault is a value; the lab state keeps each as one line, its `str()`:
// "tunnel CONNECTION", "peering VNET VNET" (in the lab file's order),
// "gateway GATEWAY", "gateway GATEWAY instance N", "circuit CIRCUIT",
// "circuit CIRCUIT link primary|secondary", "nva VM", "route-server NAME
// instance N".

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"

namespace hublab {

struct Fault {
  enum class Kind {
    kTunnel,               // the connection's IKE SA is deleted and held down
    kPeering,              // disconnected (Azure's peering state "Disconnected"): no
                           // traffic crosses it and nothing is learned over it
    kGateway,              // the gateway's instances are stopped: no IKE, BGP, forwarding
    kInstance,             // one instance of an active-active gateway is stopped
    kCircuit,              // both of a circuit's links down: nothing crosses it
    kCircuitLink,          // one of them (`instance`: 0 primary, 1 secondary)
    kNva,                  // an NVA's routing daemons stopped: its BGP sessions close
    kRouteServerInstance,  // one instance of a Route Server stopped
  };
  Kind kind = Kind::kTunnel;
  std::string name;   // the connection, gateway or circuit; a peering's first VNet
  std::string other;  // a peering's second VNet
  int instance = 0;

  // As recorded, and as `fault list` prints it before "down".
  std::string str() const;
  // A recorded line, or nothing if it is no fault's.
  static std::optional<Fault> parse(const std::string& recorded);
  bool operator==(const Fault&) const = default;
};

// Each fault's str(), in order: the lab state's lines, and what status,
// explain and `fault list` show.
std::vector<std::string> fault_lines(const std::vector<Fault>& faults);

Fault tunnel_fault(const std::string& connection);
// Its VNets in the lab file's order, so that one peering is one fault.
Fault peering_fault(const Peering& peering);
Fault gateway_fault(const std::string& gateway);
Fault instance_fault(const std::string& gateway, int instance);
Fault circuit_fault(const std::string& circuit);
Fault circuit_link_fault(const std::string& circuit, int link);
Fault nva_fault(const std::string& vm);
Fault route_server_instance_fault(const std::string& server, int instance);

bool fault_held(const std::vector<Fault>& faults, const Fault& fault);

// Whether a gateway's node (an instance: "G" or "G.1", naming::gateway_instance)
// is stopped under `faults`, by its gateway's fault or its own.
bool node_stopped(const std::vector<Fault>& faults, const std::string& gateway_node);

// The lab's peering between two VNets, in either order, or null.
const Peering* find_peering(const Lab& lab, const std::string& a, const std::string& b);

// The lab as Azure would have it under `faults`: a connection whose tunnel
// or either gateway is down carries nothing (with BGP, as if it were not
// there; without, its static routes stay, `held_down`), a disconnected
// peering joins nothing, a circuit's link that is down brings nothing, a
// stopped NVA advertises nothing, a stopped Route Server instance peers no one.
Lab lab_under_faults(Lab lab, const std::vector<Fault>& faults);

// The lab as Azure's control plane configures it under `faults`: a
// disconnected peering carries nothing (no routes over it, its VNets no
// longer served by the other's gateway), while tunnels and
// gateways that fail keep their configuration: BGP notices by itself.
Lab lab_as_configured(Lab lab, const std::vector<Fault>& faults);

}  // namespace hublab
