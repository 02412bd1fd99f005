#pragma once

// The lab's [expect] section made concrete: one entry per probe to run.

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"

namespace hublab {

struct Expectation {
  std::string from;  // VM name
  std::string to;    // VM name or IPv4 address, as written
  Ipv4 destination;
  ProbeProtocol protocol = ProbeProtocol::kIcmp;
  int port = 0;  // udp/tcp only
  bool reachable = true;
  std::optional<HopRange> hops;
  SourceLocation where;  // the rule, or [expect] for the default
  bool from_default = false;
  bool from_model = false;  // no rule names the pair: the Azure model's prediction

  std::string name() const;  // "vm-spoke10 -> vm-hub00 (icmp)"
};

// Every ordered pair of distinct VMs that no rule names gets the default
// (unless it is "unchecked"); a later rule overrides an earlier one for the
// same from, to, protocol and port.
std::vector<Expectation> expand_expectations(const Lab& lab);

}  // namespace hublab
