#pragma once

#include <algorithm>
#include <string>

#include "orchestrator/lab/lab.h"

namespace hublab::cli {

// "1 VNet", "6 VNets".
inline std::string counted(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// "6 VNets, 1 site, 7 VMs, 4 peerings, 2 gateways": sites only when there
// are any (neither a site's device nor a gateway's instance 1 counts as a
// gateway).
inline std::string lab_parts(const Lab& lab) {
  const auto sites = static_cast<size_t>(std::count_if(
      lab.vnets.begin(), lab.vnets.end(), [](const Vnet& v) { return v.on_premises; }));
  const auto instances =
      static_cast<size_t>(std::count_if(lab.gateways.begin(), lab.gateways.end(),
                                        [](const Gateway& g) { return !g.instance_of.empty(); }));
  return counted(lab.vnets.size() - sites, "VNet") + (sites ? ", " + counted(sites, "site") : "") +
         ", " + counted(lab.vms.size(), "VM") + ", " + counted(lab.peerings.size(), "peering") +
         ", " + counted(lab.gateways.size() - sites - instances, "gateway") +
         (lab.circuits.empty() ? "" : ", " + counted(lab.circuits.size(), "circuit"));
}

}  // namespace hublab::cli
