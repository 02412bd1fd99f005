#pragma once

#include <optional>
#include <string>

#include "drivers/netlink/network_namespace.h"
#include "drivers/probe/probe.h"
#include "orchestrator/cli/args.h"
#include "orchestrator/lab/lab.h"

namespace hublab::cli {

// `hublab ping|trace NAME VM DEST [options]`: a running lab's VM and a
// destination (a VM of the lab or an address), ready to probe.
struct ProbeTarget {
  Lab lab;
  std::optional<NetworkNamespace> source;
  probe::ProbeRequest request;
  std::string destination_label;  // "10.0.0.4 (vm-hub00)"
};

// The options both commands take (-w), and trace's (-P, -p).
std::vector<OptionSpec> probe_options(bool trace);

// Throws CliError when the lab is not up, or VM or DEST is not of it.
ProbeTarget probe_target(const Invocation& args);

}  // namespace hublab::cli
