// Ping and traceroute from inside network namespaces, many at once: what
// `hublab check` uses to test reachability and hop counts of VM pairs.
//
// Every probe runs on a worker thread that enters the source namespace
// before it opens its sockets; the calling thread never changes namespace.
// A trace sends one probe per TTL all at once and waits at most one timeout
// for the answers, so an unreachable pair costs one timeout, not max_hops.
// Needs CAP_SYS_ADMIN (setns) and CAP_NET_RAW (raw ICMP).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "base/probe_protocol.h"

namespace hublab::probe {

using Protocol = ProbeProtocol;  // the one enum, shared with labs and reports

inline constexpr uint16_t kUdpBasePort = 33434;  // traceroute's
inline constexpr uint16_t kTcpDefaultPort = 22;

// The destination port a probe goes to when a request gives none (0), as
// ProbeRequest's port says; 0 for ICMP.
inline int probed_port(Protocol protocol, int port) {
  if (protocol == Protocol::kIcmp) return 0;
  if (port) return port;
  return protocol == Protocol::kTcp ? kTcpDefaultPort : kUdpBasePort;
}

struct ProbeRequest {
  int netns_fd = -1;  // network namespace of the source VM (an open fd of /run/netns/NAME)
  Ipv4 destination;
  Protocol protocol = Protocol::kIcmp;
  // UDP: the port every probe goes to (each TTL from a socket of its own),
  // which the destination answers "port unreachable"; 0 = 33434.
  // TCP: the port a SYN goes to; 0 = 22. A SYN-ACK or a RST both mean reached.
  uint16_t port = 0;
  int max_hops = 30;
  std::chrono::milliseconds timeout{300};  // how long to wait for answers
};

struct Hop {
  int ttl = 0;
  std::optional<Ipv4> address;  // none when nothing answered at this TTL
  std::optional<double> rtt_ms;
};

struct PingResult {
  int sent = 0;
  int received = 0;
  std::vector<double> rtts_ms;  // one per reply, in the order of the requests
  std::string error;            // the ping could not run (or not one request could be sent)
};

struct TraceResult {
  bool reached = false;
  int hop_count = 0;  // the smallest TTL at which the destination answered; 0 when not reached
  // TTL 1..n. Reached: n = hop_count. An ICMP unreachable error ended the
  // trace: n = that TTL, with the reporting router's address. Otherwise
  // (silence, such as a blackhole route): the TTLs up to the last one that
  // answered, plus the first silent one.
  std::vector<Hop> hops;
  std::string error;  // the trace could not run (or not one probe could be sent)
};

// `count` echo requests `interval` apart, then waits up to `timeout` after
// the last one for the replies still missing.
PingResult ping(const ProbeRequest& request, int count, std::chrono::milliseconds interval);
TraceResult trace(const ProbeRequest& request);

// Many requests at once on a small pool of worker threads; results in request order.
std::vector<PingResult> ping_all(const std::vector<ProbeRequest>& requests, int count,
                                 std::chrono::milliseconds interval, int threads = 8);
std::vector<TraceResult> trace_all(const std::vector<ProbeRequest>& requests, int threads = 8);

}  // namespace hublab::probe
