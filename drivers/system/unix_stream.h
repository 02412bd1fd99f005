#pragma once

// A Unix stream socket to a local daemon's control socket (charon's vici,
// BIRD's): connect, retrying while the daemon is still starting, and send
// and receive against a deadline. The vici and BIRD clients speak their
// protocols over it; neither knows poll, inotify or EINTR.

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace hublab {

class UnixStreamError : public std::runtime_error {
 public:
  enum class Kind {
    kTimeout,  // the deadline passed first: the stream is closed, as it is out of step
    kClosed,   // the daemon closed the connection
    kFailed,   // any other error (errno in the message)
  };
  UnixStreamError(Kind kind, const std::string& message)
      : std::runtime_error(message), kind(kind) {}
  Kind kind;
};

class UnixStream {
 public:
  using Clock = std::chrono::steady_clock;

  // Retries while the socket file is absent or not listening yet (the states
  // of a daemon still starting), waking as soon as something appears in its
  // directory, until `deadline`. Throws kTimeout naming the last error, or
  // kFailed for an error that will not heal.
  static UnixStream connect(const std::string& path, Clock::time_point deadline);

  // Sends all of `bytes` (never SIGPIPE: a dead daemon is an error).
  void send_all(std::string_view bytes, Clock::time_point deadline);
  // Waits for bytes and appends what arrived to `buffer`; false when the
  // deadline passed with nothing (the stream stays open: the caller decides).
  bool receive_some(std::string& buffer, Clock::time_point deadline);

  UnixStream() = default;  // closed

  bool is_open() const { return static_cast<bool>(fd_); }
  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }
  const std::string& path() const { return path_; }

 private:
  UnixStream(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  [[noreturn]] void fail(UnixStreamError::Kind kind, const std::string& what);

  UniqueFd fd_;
  std::string path_;
};

}  // namespace hublab
