#include <vector>

#include "drivers/probe/echo_socket.h"
#include "drivers/probe/probes_from_here.h"

namespace hublab::probe {

PingResult ping_from_here(const ProbeRequest& request, int count,
                          std::chrono::milliseconds interval) {
  EchoSocket socket(request.destination);
  // Sequence numbers start at 1, as ping's do.
  std::vector<std::optional<WallTime>> sent_at(static_cast<size_t>(count) + 1);
  std::vector<std::optional<double>> rtts(static_cast<size_t>(count) + 1);
  // A request is settled by its reply or by an ICMP error about it: once all
  // are, the rest of the timeout could not bring another reply.
  std::vector<bool> settled(static_cast<size_t>(count) + 1);
  int settled_count = 0;
  PingResult result;
  int first_send_error = 0;
  int next_sequence = 1;
  Deadline next_send = std::chrono::steady_clock::now();
  Deadline last_answer_due = next_send;
  pollfd answers{socket.fd(), POLLIN, 0};

  for (;;) {
    if (next_sequence <= count && std::chrono::steady_clock::now() >= next_send) {
      auto sequence = static_cast<uint16_t>(next_sequence);
      WallTime at = std::chrono::system_clock::now();
      if (int error = socket.send(sequence); error == 0) {
        sent_at[sequence] = at;
        ++result.sent;
      } else if (!first_send_error) {
        first_send_error = error;
      }
      next_send += interval;
      if (next_sequence == count)
        last_answer_due = std::chrono::steady_clock::now() + request.timeout;
      ++next_sequence;
      continue;
    }
    bool all_sent = next_sequence > count;
    if (all_sent && settled_count == result.sent) break;
    if (!wait_until({&answers, 1}, all_sent ? last_answer_due : next_send)) {
      if (all_sent) break;
      continue;
    }
    while (auto answer = socket.next_answer()) {
      uint16_t sequence = answer->answer.sequence;
      if (sequence < 1 || sequence > count || !sent_at[sequence] || settled[sequence]) continue;
      settled[sequence] = true;
      ++settled_count;
      if (answer->answer.kind != EchoAnswer::Kind::kReply) continue;
      rtts[sequence] = milliseconds_between(*sent_at[sequence], answer->received);
      ++result.received;
    }
  }
  for (const auto& rtt : rtts)
    if (rtt) result.rtts_ms.push_back(*rtt);
  if (result.sent == 0 && first_send_error) result.error = nothing_sent_error(first_send_error);
  return result;
}

}  // namespace hublab::probe
