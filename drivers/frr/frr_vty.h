#pragma once

// A client of an FRR daemon's vty socket (what vtysh speaks): one command
// at a time, the command's text with its NUL, the reply's text followed by
// three NULs and a status byte (FRR's lib/vty.c, VTY_SHELL_SERV); and the
// one reply hublab reads, bgpd's neighbor summary, parsed.

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "drivers/system/unix_stream.h"

namespace hublab::frr {

class VtyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Vty {
 public:
  // Connects to `socket_path` (a daemon's NAME.vty), waiting for it until
  // `timeout` has passed.
  static Vty connect(const std::string& socket_path, std::chrono::milliseconds timeout);

  // The command's output; throws VtyError when the daemon refuses it (a
  // non-zero status) or on socket trouble, `timeout` per command.
  std::string command(const std::string& line, std::chrono::milliseconds timeout);

 private:
  explicit Vty(UnixStream stream) : stream_(std::move(stream)) {}
  UnixStream stream_;
};

// One BGP neighbor as `show bgp ipv4 unicast summary json` reports it.
struct BgpNeighbor {
  std::string address;
  std::string hostname;  // what the neighbor calls itself, if FRR heard it
  uint32_t remote_as = 0;
  std::string state;           // "Established", "Active", "Connect", ...
  std::string uptime;          // "00:01:02", or since when it is down
  long established_epoch = 0;  // when it came up (seconds since 1970), if it is
  uint32_t prefixes_received = 0, prefixes_sent = 0;
};
// Throws VtyError naming what does not parse.
std::vector<BgpNeighbor> parse_bgp_summary(const std::string& json);

}  // namespace hublab::frr
