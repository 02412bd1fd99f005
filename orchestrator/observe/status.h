#pragma once

// A running lab's status as one typed report: its nodes with their daemons,
// tunnels, BGP sessions and the last check, serialized (JSON) and printed
// (table) in this one place.

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/observe/bgp.h"
#include "orchestrator/observe/check_output.h"
#include "orchestrator/observe/tunnels.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

struct NodeStatus {
  std::string name;
  std::string role;  // vm, vnet-router, gateway, internet
  std::string netns;
  bool present = false;
  std::vector<std::string> addresses;  // "10.0.0.4/24"; link-local plumbing left out
  struct Daemon {
    std::string kind;  // charon, bird
    pid_t pid = 0;
    bool alive = false;
    long rss_kib = 0;  // resident memory
  };
  std::vector<Daemon> daemons;
};

struct LabStatus {
  std::string lab;
  std::string description;
  std::string source;
  std::optional<long> up_seconds;  // nothing: an up that did not finish
  std::vector<NodeStatus> nodes;
  std::vector<TunnelReport> tunnels;
  std::vector<BgpSessionReport> bgp_sessions;
  std::optional<LastCheck> last_check;
  std::vector<Fault> faults;  // set with `hublab fault`
  // Resident memory of the lab's daemons, by kind (bird, charon).
  struct Memory {
    std::string kind;
    size_t daemons = 0;
    long rss_kib = 0;
  };
  std::vector<Memory> memory;
};

LabStatus read_status(LabState& state, const Lab& lab);
// The daemons of a running lab that are not running and no fault stopped
// (killed from outside, crashed): "bird of hub00". Reads the lab state alone.
std::vector<std::string> dead_daemons(const LabState& state);
std::string status_json(const LabStatus& status);
std::string status_table(const LabStatus& status);

}  // namespace hublab
