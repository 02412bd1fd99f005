// The answers of a trace, one probe per TTL all sent at once, and the rule
// for when waiting for more cannot change the result.
#pragma once

#include <optional>
#include <vector>

#include "drivers/probe/probe.h"

namespace hublab::probe {

enum class HopAnswer {
  kRouter,       // time exceeded: a router at this TTL
  kDestination,  // the destination itself answered
  kUnreachable,  // an ICMP unreachable error: nothing beyond this TTL will answer
};

class TraceCollector {
 public:
  explicit TraceCollector(int max_hops);

  // Keeps the first answer for a TTL: later ones are duplicates.
  void record(int ttl, HopAnswer answer, Ipv4 from, double rtt_ms);
  // Some TTL ended the trace (destination or unreachable) and every lower
  // TTL has answered: the rest of the timeout could not change the result.
  bool complete() const;
  TraceResult result() const;

 private:
  struct Slot {
    HopAnswer answer;
    Ipv4 from;
    double rtt_ms;
  };
  std::optional<int> final_ttl() const;

  std::vector<std::optional<Slot>> slots_;  // index ttl - 1
};

}  // namespace hublab::probe
