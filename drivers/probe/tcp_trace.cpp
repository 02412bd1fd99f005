#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "drivers/probe/probe_socket.h"
#include "drivers/probe/probes_from_here.h"
#include "drivers/probe/trace_collector.h"

namespace hublab::probe {

namespace {

// One non-blocking connect() per TTL. Its own socket (and source port) per
// TTL lets the kernel match every answer to its probe: the SYN-ACK or RST
// completes that connect, an ICMP error lands in that socket's error queue.
struct Attempt {
  UniqueFd socket;
  WallTime sent_at;
};

HopAnswer hop_answer(const IcmpError& error, Ipv4 destination) {
  if (error.type == ICMP_TIME_EXCEEDED) return HopAnswer::kRouter;
  if (error.code == ICMP_PORT_UNREACH && error.reporter == destination)
    return HopAnswer::kDestination;
  return HopAnswer::kUnreachable;
}

// The kernel's own measure of the SYN to SYN-ACK round trip, free of the
// time this thread waited for a core; 0 when it has none.
double handshake_rtt_ms(int socket) {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (getsockopt(socket, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return 0;
  return info.tcpi_rtt / 1000.0;
}

// Closing a connected socket resets it at once: the listener is left no
// half-closed connection, and we no TIME_WAIT.
void reset_on_close(int socket) {
  linger abort_on_close{1, 0};
  setsockopt(socket, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
}

}  // namespace

TraceResult trace_tcp_from_here(const ProbeRequest& request) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(request.destination.value);
  to.sin_port = htons(request.port ? request.port : kTcpDefaultPort);
  TraceCollector hops(request.max_hops);

  auto reached = [&](int ttl, WallTime sent_at, double kernel_rtt_ms) {
    double rtt = kernel_rtt_ms > 0
                     ? kernel_rtt_ms
                     : milliseconds_between(sent_at, std::chrono::system_clock::now());
    hops.record(ttl, HopAnswer::kDestination, request.destination, rtt);
  };

  std::vector<Attempt> attempts;  // index ttl - 1
  std::vector<pollfd> pending;    // index ttl - 1; fd -1 once answered
  int sent = 0, first_send_error = 0;
  for (int ttl = 1; ttl <= request.max_hops; ++ttl) {
    Attempt& attempt =
        attempts.emplace_back(Attempt{open_probe_socket(SOCK_STREAM, IPPROTO_TCP), {}});
    int fd = attempt.socket.get();
    set_ttl(fd, ttl);
    enable_error_queue(fd);
    reset_on_close(fd);
    pending.push_back({-1, POLLOUT, 0});
    attempt.sent_at = std::chrono::system_clock::now();
    int done = connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
    int error = done == 0 ? 0 : errno;
    if (error == EINPROGRESS || error == EINTR) {
      pending.back().fd = fd;
      ++sent;
    } else if (error == 0 || error == ECONNREFUSED) {  // a destination in this namespace
      reached(ttl, attempt.sent_at, 0);
      ++sent;
    } else if (!first_send_error) {
      first_send_error = error;
    }
  }
  if (sent == 0) return nothing_sent_trace(first_send_error);

  Deadline deadline = std::chrono::steady_clock::now() + request.timeout;
  auto waiting = [&] {
    return std::any_of(pending.begin(), pending.end(), [](const pollfd& p) { return p.fd >= 0; });
  };
  while (!hops.complete() && waiting() && wait_until(pending, deadline)) {
    for (size_t i = 0; i < pending.size(); ++i) {
      if (pending[i].fd < 0 || !pending[i].revents) continue;
      int fd = pending[i].fd, ttl = static_cast<int>(i) + 1;
      pending[i].fd = -1;
      if (auto icmp = receive_icmp_error(fd)) {
        hops.record(ttl, hop_answer(*icmp, request.destination), icmp->reporter,
                    milliseconds_between(attempts[i].sent_at, icmp->received));
        continue;
      }
      int error = 0;
      socklen_t size = sizeof error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
      if (error == 0)
        reached(ttl, attempts[i].sent_at, handshake_rtt_ms(fd));
      else if (error == ECONNREFUSED)  // RST: the destination's port is closed
        reached(ttl, attempts[i].sent_at, 0);
      // Anything else failed without an answer from the network: a silent hop.
    }
  }
  return hops.result();
}

}  // namespace hublab::probe
