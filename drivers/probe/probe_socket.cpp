#include "drivers/probe/probe_socket.h"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/system_error.h"

namespace hublab::probe {

namespace {

WallTime wall_time(const timespec& at) {
  return WallTime{std::chrono::duration_cast<WallTime::duration>(
      std::chrono::seconds(at.tv_sec) + std::chrono::nanoseconds(at.tv_nsec))};
}

std::optional<WallTime> kernel_timestamp(const msghdr& message) {
  for (const cmsghdr* c = CMSG_FIRSTHDR(&message); c;
       c = CMSG_NXTHDR(const_cast<msghdr*>(&message), const_cast<cmsghdr*>(c))) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec at;
      std::memcpy(&at, CMSG_DATA(c), sizeof at);
      return wall_time(at);
    }
  }
  return std::nullopt;
}

Ipv4 ipv4_of(const sockaddr_in& address) {
  return Ipv4{ntohl(address.sin_addr.s_addr)};
}

}  // namespace

double milliseconds_between(WallTime sent, WallTime received) {
  // A clock step between the two would make it negative: no better guess than 0.
  return std::max(0.0, std::chrono::duration<double, std::milli>(received - sent).count());
}

UniqueFd open_probe_socket(int type, int protocol) {
  UniqueFd fd(socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (!fd) throw system_error("opening a probe socket");
  int on = 1;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
    throw system_error("asking for packet timestamps");
  return fd;
}

void set_ttl(int fd, int ttl) {
  if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) != 0)
    throw system_error("setting a probe's TTL");
}

void enable_error_queue(int fd) {
  int on = 1;
  if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) != 0)
    throw system_error("asking for ICMP errors");
}

namespace {

// recvmsg's header for one buffer, the sender's address and control messages.
template <size_t kControlSize>
msghdr receive_header(sockaddr_in& from, iovec& data, char (&control)[kControlSize]) {
  msghdr message{};
  message.msg_name = &from;
  message.msg_namelen = sizeof from;
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = kControlSize;
  return message;
}

}  // namespace

std::optional<Datagram> receive_datagram(int fd, std::span<uint8_t> buffer) {
  sockaddr_in sender{};
  iovec data{buffer.data(), buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) * 2];
  msghdr message = receive_header(sender, data, control);
  for (;;) {
    ssize_t size = recvmsg(fd, &message, MSG_DONTWAIT);
    if (size >= 0)
      return Datagram{std::min(static_cast<size_t>(size), buffer.size()), ipv4_of(sender),
                      kernel_timestamp(message).value_or(std::chrono::system_clock::now())};
    if (errno != EINTR) return std::nullopt;
  }
}

std::optional<IcmpError> receive_icmp_error(int fd) {
  for (;;) {
    sockaddr_in original_destination{};
    char payload[64];  // what we sent: not needed, the port says which probe it was
    iovec data{payload, sizeof payload};
    alignas(cmsghdr) char control[512];
    msghdr message = receive_header(original_destination, data, control);
    ssize_t size = recvmsg(fd, &message, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (size < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR) continue;
      sock_extended_err error;
      std::memcpy(&error, CMSG_DATA(c), sizeof error);
      // Local errors (such as a full send buffer) are not answers from the network.
      if (error.ee_origin != SO_EE_ORIGIN_ICMP) break;
      // The offender follows the error in the same control message.
      sockaddr_in reporter;
      std::memcpy(&reporter, CMSG_DATA(c) + sizeof error, sizeof reporter);
      return IcmpError{error.ee_type, error.ee_code, ipv4_of(reporter),
                       ntohs(original_destination.sin_port),
                       kernel_timestamp(message).value_or(std::chrono::system_clock::now())};
    }
  }
}

bool wait_until(std::span<pollfd> fds, Deadline deadline) {
  for (;;) {
    auto left = std::max(deadline - std::chrono::steady_clock::now(), Deadline::duration::zero());
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
    timespec timeout{static_cast<time_t>(seconds.count()),
                     static_cast<long>(std::chrono::nanoseconds(left - seconds).count())};
    int ready = ppoll(fds.data(), fds.size(), &timeout, nullptr);
    if (ready >= 0) return ready > 0;
    if (errno != EINTR) throw system_error("waiting for probe answers");
  }
}

}  // namespace hublab::probe
