// Every ICMP probe of a check in flight at once, from one thread: a raw ICMP
// socket per source namespace, opened once, one epoll loop for all of them,
// each answer matched to its probe by the echo identifier it carries.
//
// A trace sends TTL 1, and the next TTL as soon as the highest one sent
// comes back from a router, so a path of h hops costs h probes rather than
// max_hops. When its timeout passes unfinished after some answer, it sends
// every TTL left at once and waits one more timeout (a silent router on the
// way cannot hide the hops beyond it); when nothing at all answered, the
// path is dead (the fabric's routers are hidden, never silent). Sends are
// paced to what user-space ESP carries without loss. Results are those of
// trace() and ping().
#pragma once

#include <vector>

#include "drivers/probe/probe.h"

namespace hublab::probe {

struct IcmpSweep {
  std::vector<PingResult> pings;    // one echo request each, by request order
  std::vector<TraceResult> traces;  // by request order
};

// `pings` are sent one echo request each; `traces` must be ICMP requests.
IcmpSweep sweep_icmp(const std::vector<ProbeRequest>& pings,
                     const std::vector<ProbeRequest>& traces);

}  // namespace hublab::probe
