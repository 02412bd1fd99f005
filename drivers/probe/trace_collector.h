// The answers of a trace, one probe per TTL all sent at once, and the rule
// for when waiting for more cannot change the result.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "drivers/probe/icmp_packet.h"
#include "drivers/probe/probe.h"

namespace hublab::probe {

enum class HopAnswer {
  kRouter,       // time exceeded: a router at this TTL
  kDestination,  // the destination itself answered
  kUnreachable,  // an ICMP unreachable error: nothing beyond this TTL will answer
};

// A trace's probes, one per TTL from 1 to max_hops, all sent at once.
struct ProbesSent {
  std::vector<std::chrono::system_clock::time_point> at;  // when each left, by TTL
  int count = 0;                                          // how many could be sent
  int first_error = 0;                                    // errno of the first that could not
};
// `send(ttl)` sends one probe and returns 0, or the errno of its failure.
template <class Send>
ProbesSent send_each_ttl(int max_hops, Send send) {
  ProbesSent sent;
  sent.at.resize(static_cast<size_t>(max_hops) + 1);
  for (int ttl = 1; ttl <= max_hops; ++ttl) {
    sent.at[static_cast<size_t>(ttl)] = std::chrono::system_clock::now();
    if (int error = send(ttl); error == 0)
      ++sent.count;
    else if (!sent.first_error)
      sent.first_error = error;
  }
  return sent;
}

// What an answer to an echo request says about its TTL.
HopAnswer hop_answer(EchoAnswer::Kind kind);

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
