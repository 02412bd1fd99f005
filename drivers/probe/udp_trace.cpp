#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include <cerrno>
#include <vector>

#include "drivers/probe/probe_socket.h"
#include "drivers/probe/probes_from_here.h"
#include "drivers/probe/trace_collector.h"

namespace hublab::probe {

namespace {

HopAnswer hop_answer(const IcmpError& error, Ipv4 destination) {
  if (error.type == ICMP_TIME_EXCEEDED) return HopAnswer::kRouter;
  // A closed port is the answer traceroute's UDP probes are after.
  if (error.code == ICMP_PORT_UNREACH && error.reporter == destination)
    return HopAnswer::kDestination;
  return HopAnswer::kUnreachable;
}

// 0 when sent, else errno. An ICMP error about an earlier probe that is
// already back (namespaces answer in microseconds) is also pending on the
// socket, and fails the next send with its errno; that failure clears it,
// so a send is retried. A real failure, such as no route, fails every time.
int send_probe(int socket, const sockaddr_in& to) {
  int error = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (sendto(socket, nullptr, 0, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) >= 0)
      return 0;
    error = errno;
  }
  return error;
}

}  // namespace

// One unconnected socket sends every probe, the probe with TTL t to port
// base + t; the kernel queues the ICMP errors about them on that socket
// alone (matched by its source port), and the quoted destination port tells
// the TTL.
TraceResult trace_udp_from_here(const ProbeRequest& request) {
  UniqueFd socket = open_probe_socket(SOCK_DGRAM, IPPROTO_UDP);
  enable_error_queue(socket.get());
  int base = request.port ? request.port : kUdpBasePort;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(request.destination.value);

  ProbesSent sent = send_each_ttl(request.max_hops, [&](int ttl) {
    set_ttl(socket.get(), ttl);
    to.sin_port = htons(static_cast<uint16_t>(base + ttl));
    return send_probe(socket.get(), to);
  });
  if (sent.count == 0) return nothing_sent_trace(sent.first_error);

  TraceCollector hops(request.max_hops);
  Deadline deadline = std::chrono::steady_clock::now() + request.timeout;
  pollfd errors{socket.get(), 0, 0};  // POLLERR is always reported
  while (!hops.complete() && wait_until({&errors, 1}, deadline)) {
    while (auto error = receive_icmp_error(socket.get())) {
      int ttl = error->original_port - base;
      if (ttl < 1 || ttl > request.max_hops) continue;
      hops.record(ttl, hop_answer(*error, request.destination), error->reporter,
                  milliseconds_between(sent.at[static_cast<size_t>(ttl)], error->received));
    }
  }
  return hops.result();
}

}  // namespace hublab::probe
