// Client for BIRD's control socket (what birdc speaks): one command at a
// time over a UnixStream, replies assembled (bird_reply.h) and, for the
// commands hublab reads, parsed into typed views (bird_show.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/bird/bird_reply.h"
#include "drivers/bird/bird_show.h"
#include "drivers/system/unix_stream.h"

namespace hublab::bird {

// Socket trouble: cannot connect, timeout, connection closed.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Timeouts {
  // BIRD creates its socket a few ms after it starts; connecting right after
  // fork/exec must wait for it rather than fail.
  std::chrono::milliseconds connect{2000};
  // Per command; `show route` of a large table or `configure` may take a while.
  std::chrono::milliseconds reply{5000};
};

class Client {
 public:
  // Connects and reads BIRD's "0001 BIRD x.y.z ready." greeting.
  static Client connect(const std::filesystem::path& socket_path, Timeouts timeouts = {});

  Client(Client&& other) noexcept = default;
  Client& operator=(Client&& other) noexcept = default;

  const std::string& greeting() const { return greeting_; }

  // Sends one command line, returns BIRD's full reply, errors included (check
  // Reply::succeeded()). Throws ConnectionError on socket trouble or timeout.
  Reply command(std::string_view command_line);
  // Same, but throws CommandError when BIRD answers with 8xxx/9xxx.
  Reply checked_command(std::string_view command_line);

  std::vector<Protocol> protocols();
  // Unknown names fail with CommandError code 8003 ("No protocols match").
  BgpSession bgp_session(std::string_view protocol_name);
  std::vector<Route> routes(std::string_view table);
  // Reloads BIRD's configuration file. Returns BIRD's success message,
  // "Reconfigured" or "Reconfiguration in progress" (protocols restarting);
  // throws CommandError with code 8002 and "<file>:<line>:<col> <why>" when the
  // new file does not parse, in which case BIRD keeps running the old one.
  std::string configure();

 private:
  Client(UnixStream stream, Timeouts timeouts) : stream_(std::move(stream)), timeouts_(timeouts) {}
  Reply read_reply(std::chrono::steady_clock::time_point deadline);

  UnixStream stream_;
  Timeouts timeouts_;
  ReplyAssembler assembler_;
  std::string greeting_;
};

}  // namespace hublab::bird
