#pragma once

// The lab's topology as a picture: VNets with their address spaces, VMs,
// peerings with their flags, gateways with ASN and public IP, connections,
// circuits with their two edge routers and each gateway's links to them.
// A running lab adds the state of tunnels and BGP sessions; a check adds
// reachability. From the lab file alone it draws the design.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

struct GraphState {
  // Per connection: "up", "down"; absent when the lab is not running.
  std::map<std::string, std::string> connections;
  // Per ordered VM pair checked last: reachable or not.
  std::map<std::pair<std::string, std::string>, bool> reachable;
  // A running lab: which circuit links (circuit, link) a fault holds down.
  bool running = false;
  std::set<std::pair<std::string, int>> circuit_links_down;
};

// What a running lab adds: its tunnels' state, the last check's reachability.
GraphState live_graph_state(LabState& state, const Lab& lab);

std::string topology_dot(const Lab& lab, const GraphState& state = {});
std::string topology_mermaid(const Lab& lab, const GraphState& state = {});

}  // namespace hublab
