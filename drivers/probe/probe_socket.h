// Socket plumbing every probe shares: options, timestamps taken by the
// kernel, ICMP errors from a socket's error queue, waiting with deadlines.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "base/ipv4.h"
#include "base/unique_fd.h"

namespace hublab::probe {

// The kernel stamps received packets with CLOCK_REALTIME, and the send time
// is taken on the same clock, so that a worker thread waiting for a core
// (8 workers on 2 cores) does not add its wait to a round trip.
using WallTime = std::chrono::system_clock::time_point;
using Deadline = std::chrono::steady_clock::time_point;

double milliseconds_between(WallTime sent, WallTime received);

// A non-blocking socket that receives kernel timestamps. Throws on failure.
UniqueFd open_probe_socket(int type, int protocol);
void set_ttl(int fd, int ttl);
// ICMP errors about what the socket sent go to its error queue: the kernel
// matches them to the socket by the quoted addresses and ports.
void enable_error_queue(int fd);

struct Datagram {
  size_t size = 0;
  Ipv4 sender;
  WallTime received;
};
// The next queued datagram into `buffer`, without waiting; none when the queue is empty.
std::optional<Datagram> receive_datagram(int fd, std::span<uint8_t> buffer);

// An ICMP error the kernel queued for a socket (see enable_error_queue).
struct IcmpError {
  uint8_t type = 0;
  uint8_t code = 0;
  Ipv4 reporter;           // the router or host that sent the error
  uint16_t original_port;  // destination port of the packet it is about
  WallTime received;
};
// The next ICMP error from the socket's error queue, without waiting.
std::optional<IcmpError> receive_icmp_error(int fd);

// Waits until one of `fds` is ready, at most until the deadline (checking
// once even when it has passed). False when nothing became ready.
bool wait_until(std::span<pollfd> fds, Deadline deadline);

}  // namespace hublab::probe
