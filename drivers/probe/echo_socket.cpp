#include "drivers/probe/echo_socket.h"

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "base/system_error.h"

namespace hublab::probe {

uint64_t random_u64() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

UniqueFd open_echo_answer_socket(int queue_bytes) {
  UniqueFd fd = open_probe_socket(SOCK_RAW, IPPROTO_ICMP);
  icmp_filter filter{~(1u << ICMP_ECHOREPLY | 1u << ICMP_DEST_UNREACH | 1u << ICMP_TIME_EXCEEDED)};
  if (setsockopt(fd.get(), SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0)
    throw system_error("filtering ICMP types");
  if (setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &queue_bytes, sizeof queue_bytes) != 0)
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &queue_bytes,
               sizeof queue_bytes);  // the default still works
  return fd;
}

// The TTL rides with the packet (an IP_TTL control message): one system
// call, and nothing left set on a socket other probes share.
int send_echo(int fd, Ipv4 destination, const EchoIdentity& identity, uint16_t sequence,
              std::optional<int> ttl) {
  std::vector<uint8_t> packet = echo_request(identity, sequence);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(destination.value);
  iovec data{packet.data(), packet.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_name = &to;
  message.msg_namelen = sizeof to;
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  if (ttl) {
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&message);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_TTL;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &*ttl, sizeof(int));
  }
  for (;;) {
    if (sendmsg(fd, &message, 0) >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

namespace {

// Unique among this process's sockets; starting at random makes a clash
// with another process unlikely, and the nonce catches the rest.
uint16_t next_identifier() {
  static std::atomic<uint16_t> next{static_cast<uint16_t>(random_u64())};
  return next++;
}

// Concurrent traces in one namespace each receive everyone's answers.
constexpr int kReceiveQueueBytes = 1 << 20;

}  // namespace

EchoSocket::EchoSocket(Ipv4 destination)
    : fd_(open_echo_answer_socket(kReceiveQueueBytes)),
      destination_(destination),
      identity_{next_identifier(), random_u64()},
      buffer_(2048) {}

int EchoSocket::send(uint16_t sequence, std::optional<int> ttl) {
  return send_echo(fd_.get(), destination_, identity_, sequence, ttl);
}

std::optional<EchoSocket::TimedAnswer> EchoSocket::next_answer() {
  while (auto datagram = receive_datagram(fd_.get(), buffer_)) {
    auto answer = answer_to_echo(std::span(buffer_).first(datagram->size), identity_, destination_);
    if (answer) return TimedAnswer{*answer, datagram->received};
  }
  return std::nullopt;
}

}  // namespace hublab::probe
