// A raw ICMP socket for one ping or ICMP trace: sends our echo requests and
// picks our answers out of every ICMP message the namespace receives.
#pragma once

#include <optional>
#include <vector>

#include "base/unique_fd.h"
#include "drivers/probe/icmp_packet.h"
#include "drivers/probe/probe_socket.h"

namespace hublab::probe {

// What every echo prober uses, a socket per probe (EchoSocket) or one per
// namespace (icmp_sweep):
//
// A raw ICMP socket that queues only what can answer an echo request (every
// raw ICMP socket of a namespace gets a copy of every ICMP message), with a
// receive queue of `queue_bytes` so that a burst of answers is not dropped.
UniqueFd open_echo_answer_socket(int queue_bytes);
// Sends one echo request of `identity` and `sequence` to `destination`, at
// `ttl` if given: 0, or the errno of the failed send.
int send_echo(int fd, Ipv4 destination, const EchoIdentity& identity, uint16_t sequence,
              std::optional<int> ttl);
// A random 64 bits: a nonce, or the start of a range of echo identifiers.
uint64_t random_u64();

class EchoSocket {
 public:
  // Each socket has an identifier of its own in this process, and a random
  // nonce, so concurrent probes never take each other's answers.
  explicit EchoSocket(Ipv4 destination);

  int fd() const { return fd_.get(); }
  // 0 when sent, else the errno of the failed send.
  int send(uint16_t sequence, std::optional<int> ttl = std::nullopt);

  struct TimedAnswer {
    EchoAnswer answer;
    WallTime received;
  };
  // The next answer to one of our requests, skipping other traffic; none when nothing is queued.
  std::optional<TimedAnswer> next_answer();

 private:
  UniqueFd fd_;
  Ipv4 destination_;
  EchoIdentity identity_;
  std::vector<uint8_t> buffer_;
};

}  // namespace hublab::probe
