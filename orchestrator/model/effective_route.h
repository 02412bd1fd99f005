#pragma once

// One row of a NIC's effective routes, as Azure lists them: what the model
// predicts (model/azure_model) and what the running lab shows
// (observe/effective_routes) are the same shape, so they compare row by row.

#include <string>

#include "base/ipv4.h"

namespace hublab {

struct EffectiveRoute {
  std::string source;  // "Default", "Virtual network gateway", "User"
  std::string state;   // "Active", "Invalid"
  Prefix prefix;
  std::string next_hop_type;  // "Virtual network", "VNet peering", "Virtual network gateway",
                              // "Internet", "None"
  std::string next_hop_ip;    // empty when Azure shows none
  std::string udr_name;       // user-defined routes (later labs)

  bool operator==(const EffectiveRoute&) const = default;
};

}  // namespace hublab
