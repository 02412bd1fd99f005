#pragma once

// The effective routes of a VM's NIC as Azure shows them, read from the
// running lab: the kernel table of the VM's subnet in its VNet router, and
// that router's BIRD for what BGP offered and Azure's rules refused.

#include <string>
#include <vector>

#include "apply/lab_state.h"
#include "base/ipv4.h"
#include "lab/lab.h"

namespace hublab {

struct EffectiveRoute {
  std::string source;  // "Default", "Virtual network gateway"
  std::string state;   // "Active", "Invalid"
  Prefix prefix;
  std::string next_hop_type;  // "Virtual network", "VNet peering", "Virtual network gateway",
                              // "Internet", "None"
  std::string next_hop_ip;    // empty when Azure shows none
  std::string udr_name;       // user-defined routes (later labs)
};

std::vector<EffectiveRoute> read_effective_routes(LabState& state, const Lab& lab, const Vm& vm);

}  // namespace hublab
