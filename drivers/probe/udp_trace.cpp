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

// Every probe goes to the one destination port, as a packet to a service
// would (an NSG rule for that port must let each through); a socket per
// TTL, whose source port the kernel matches its ICMP errors by, tells the
// probes apart.
TraceResult trace_udp_from_here(const ProbeRequest& request) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(request.destination.value);
  to.sin_port = htons(request.port ? request.port : kUdpBasePort);
  std::vector<UniqueFd> sockets;
  std::vector<pollfd> errors;
  for (int ttl = 1; ttl <= request.max_hops; ++ttl) {
    sockets.push_back(open_probe_socket(SOCK_DGRAM, IPPROTO_UDP));
    enable_error_queue(sockets.back().get());
    set_ttl(sockets.back().get(), ttl);
    errors.push_back({sockets.back().get(), 0, 0});  // POLLERR is always reported
  }
  ProbesSent sent = send_each_ttl(request.max_hops, [&](int ttl) {
    return send_probe(sockets[static_cast<size_t>(ttl - 1)].get(), to);
  });
  if (sent.count == 0) return nothing_sent_trace(sent.first_error);

  TraceCollector hops(request.max_hops);
  Deadline deadline = std::chrono::steady_clock::now() + request.timeout;
  while (!hops.complete() && wait_until(errors, deadline)) {
    for (size_t i = 0; i < sockets.size(); ++i) {
      const int ttl = static_cast<int>(i) + 1;
      while (auto error = receive_icmp_error(sockets[i].get()))
        hops.record(ttl, hop_answer(*error, request.destination), error->reporter,
                    milliseconds_between(sent.at[static_cast<size_t>(ttl)], error->received));
    }
  }
  return hops.result();
}

}  // namespace hublab::probe
