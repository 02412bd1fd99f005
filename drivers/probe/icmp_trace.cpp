#include <vector>

#include "drivers/probe/echo_socket.h"
#include "drivers/probe/probes_from_here.h"
#include "drivers/probe/trace_collector.h"

namespace hublab::probe {

// The sequence number of each echo request is its TTL.
TraceResult trace_icmp_from_here(const ProbeRequest& request) {
  EchoSocket socket(request.destination);
  ProbesSent sent = send_each_ttl(
      request.max_hops, [&](int ttl) { return socket.send(static_cast<uint16_t>(ttl), ttl); });
  if (sent.count == 0) return nothing_sent_trace(sent.first_error);

  TraceCollector hops(request.max_hops);
  Deadline deadline = std::chrono::steady_clock::now() + request.timeout;
  pollfd answers{socket.fd(), POLLIN, 0};
  while (!hops.complete() && wait_until({&answers, 1}, deadline)) {
    while (auto answer = socket.next_answer()) {
      int ttl = answer->answer.sequence;
      if (ttl < 1 || ttl > request.max_hops) continue;
      hops.record(ttl, hop_answer(answer->answer.kind), answer->answer.sender,
                  milliseconds_between(sent.at[static_cast<size_t>(ttl)], answer->received));
    }
  }
  return hops.result();
}

}  // namespace hublab::probe
