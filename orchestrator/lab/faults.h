#pragma once

// Faults a trainer sets on a running lab (`hublab fault`), as the lab file's
// terms: what Azure would then have. The model predicts the faulted lab.
// Each fault is one line of the lab state: "tunnel CONNECTION",
// "peering VNET VNET" (in the lab file's order), "gateway GATEWAY",
// "gateway GATEWAY instance N".

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"

namespace hublab {

// The connection's IKE SA is deleted and held down.
std::string tunnel_fault(const std::string& connection);
// The peering is disconnected (Azure's peering state "Disconnected"): no
// traffic crosses it and nothing is learned over it.
std::string peering_fault(const Peering& peering);
// The gateway's instances are stopped: no IKE, no BGP, no forwarding.
std::string gateway_fault(const std::string& gateway);
// One instance of an active-active gateway is stopped; the other carries on.
std::string instance_fault(const std::string& gateway, int instance);

// Whether a gateway's node (an instance: "G" or "G.1", naming::gateway_instance)
// is stopped under `faults`, by its gateway's fault or its own.
bool node_stopped(const std::vector<std::string>& faults, const std::string& gateway_node);

// The lab's peering between two VNets, in either order, or null.
const Peering* find_peering(const Lab& lab, const std::string& a, const std::string& b);

// The lab as Azure would have it under `faults`: a connection whose tunnel
// or either gateway is down carries nothing (with BGP, as if it were not
// there; without, its static routes stay, `held_down`), a disconnected
// peering joins nothing.
Lab lab_under_faults(Lab lab, const std::vector<std::string>& faults);

// The lab as Azure's control plane configures it under `faults`: a
// disconnected peering carries nothing (no routes over it, its VNets no
// longer served by the other's gateway), while tunnels and
// gateways that fail keep their configuration: BGP notices by itself.
Lab lab_as_configured(Lab lab, const std::vector<std::string>& faults);

}  // namespace hublab
