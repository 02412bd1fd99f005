#include "drivers/probe/echo_socket.h"

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <random>

#include "base/system_error.h"

namespace hublab::probe {

namespace {

uint64_t random_u64() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

// Unique among this process's sockets; starting at random makes a clash
// with another process unlikely, and the nonce catches the rest.
uint16_t next_identifier() {
  static std::atomic<uint16_t> next{static_cast<uint16_t>(random_u64())};
  return next++;
}

// Every raw ICMP socket of a namespace gets a copy of every ICMP message:
// only what can answer an echo request is worth queueing.
void accept_only_answers(int fd) {
  icmp_filter filter{~(1u << ICMP_ECHOREPLY | 1u << ICMP_DEST_UNREACH | 1u << ICMP_TIME_EXCEEDED)};
  if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0)
    throw system_error("filtering ICMP types");
}

// Concurrent traces in one namespace each receive everyone's answers in a
// burst; a larger queue keeps ours from being dropped meanwhile.
void enlarge_receive_queue(int fd) {
  int bytes = 1 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);  // the default still works
}

}  // namespace

EchoSocket::EchoSocket(Ipv4 destination)
    : fd_(open_probe_socket(SOCK_RAW, IPPROTO_ICMP)),
      destination_(destination),
      identity_{next_identifier(), random_u64()},
      buffer_(2048) {
  accept_only_answers(fd_.get());
  enlarge_receive_queue(fd_.get());
}

int EchoSocket::send(uint16_t sequence, std::optional<int> ttl) {
  if (ttl) set_ttl(fd_.get(), *ttl);
  std::vector<uint8_t> packet = echo_request(identity_, sequence);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(destination_.value);
  for (;;) {
    if (sendto(fd_.get(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to),
               sizeof to) >= 0)
      return 0;
    if (errno != EINTR) return errno;
  }
}

std::optional<EchoSocket::TimedAnswer> EchoSocket::next_answer() {
  while (auto datagram = receive_datagram(fd_.get(), buffer_)) {
    auto answer = answer_to_echo(std::span(buffer_).first(datagram->size), identity_, destination_);
    if (answer) return TimedAnswer{*answer, datagram->received};
  }
  return std::nullopt;
}

}  // namespace hublab::probe
