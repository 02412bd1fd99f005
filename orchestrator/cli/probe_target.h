#pragma once

#include <optional>
#include <string>

#include "drivers/netlink/network_namespace.h"
#include "drivers/probe/probe.h"
#include "orchestrator/lab.h"

namespace hublab::cli {

// `hublab ping|trace NAME VM DEST [options]`: a running lab's VM and a
// destination (a VM of the lab or an address), ready to probe.
struct ProbeTarget {
  Lab lab;
  std::optional<NetworkNamespace> source;
  probe::ProbeRequest request;
  std::string destination_label;  // "10.0.0.4 (vm-hub00)"
  int count = 3;                  // ping only
};

// Prints the usage or the problem itself; returns the exit code then.
std::optional<ProbeTarget> probe_target(const char* command, const std::vector<std::string>& args,
                                        int* exit_code);

}  // namespace hublab::cli
