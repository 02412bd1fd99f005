#pragma once

// The lab's topology as a picture: VNets with their address spaces, VMs,
// peerings with their flags, gateways with ASN and public IP, connections.
// A running lab adds the state of tunnels and BGP sessions; a check adds
// reachability. From the lab file alone it draws the design.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/state/lab_state.h"
#include "orchestrator/lab/lab.h"

namespace hublab {

struct GraphState {
  // Per connection: "up", "down"; absent when the lab is not running.
  std::map<std::string, std::string> connections;
  // Per ordered VM pair checked last: reachable or not.
  std::map<std::pair<std::string, std::string>, bool> reachable;
};

// What a running lab adds: its tunnels' state, the last check's reachability.
GraphState live_graph_state(LabState& state, const Lab& lab);

std::string topology_dot(const Lab& lab, const GraphState& state = {});
std::string topology_mermaid(const Lab& lab, const GraphState& state = {});

}  // namespace hublab
