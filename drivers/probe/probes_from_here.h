// The probes themselves, in the calling thread's network namespace: the
// worker pool (namespace_workers.h) has entered the source namespace before
// calling them. Requests are already validated. They throw when the probe
// cannot run (a socket cannot be opened, ...).
#pragma once

#include <chrono>

#include "drivers/probe/probe.h"

namespace hublab::probe {

// Programming errors of the caller, reported like any failed probe; "" when
// the request can run.
std::string invalid_request(const ProbeRequest& request);

PingResult ping_from_here(const ProbeRequest& request, int count,
                          std::chrono::milliseconds interval);
TraceResult trace_icmp_from_here(const ProbeRequest& request);
TraceResult trace_udp_from_here(const ProbeRequest& request);
TraceResult trace_tcp_from_here(const ProbeRequest& request);

// When not one probe could leave the namespace (no route, a blackhole or
// prohibit route, a firewall), the trace or ping says why in its error.
std::string nothing_sent_error(int error);
inline TraceResult nothing_sent_trace(int error) {
  TraceResult result;
  result.error = nothing_sent_error(error);
  return result;
}

}  // namespace hublab::probe
