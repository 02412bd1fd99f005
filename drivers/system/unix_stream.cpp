#include "drivers/system/unix_stream.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

namespace hublab {

namespace {

using Clock = UnixStream::Clock;

std::string errno_text(int error) {
  return std::strerror(error);
}

// poll() takes whole milliseconds; rounded up, so that a deadline is never
// cut short into a busy loop of zero-timeout polls.
int poll_timeout_ms(Clock::time_point deadline) {
  const auto remaining = deadline - Clock::now();
  if (remaining <= Clock::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(remaining).count();
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

// Waits for `events` on `fd` until the deadline; false when it passed.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd descriptor{fd, events, 0};
    const int ready = ::poll(&descriptor, 1, poll_timeout_ms(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR)
      throw UnixStreamError(UnixStreamError::Kind::kFailed, "poll: " + errno_text(errno));
  }
}

// One inotify instance for the whole process, never closed: closing one waits
// for the kernel's SRCU grace period, some 15 ms here, which a connect per
// daemon would pay again and again.
int shared_inotify() {
  static const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  return fd;
}

// A watch on a directory for new entries, removed when done. Not thread
// safe: `up` connects to its daemons from one thread.
class DirectoryWatch {
 public:
  explicit DirectoryWatch(const std::string& directory) {
    if (shared_inotify() >= 0)
      watch_ = ::inotify_add_watch(shared_inotify(), directory.empty() ? "." : directory.c_str(),
                                   IN_CREATE | IN_MOVED_TO | IN_ATTRIB);
  }
  ~DirectoryWatch() {
    if (watch_ >= 0) ::inotify_rm_watch(shared_inotify(), watch_);
    drain();
  }
  DirectoryWatch(const DirectoryWatch&) = delete;
  DirectoryWatch& operator=(const DirectoryWatch&) = delete;

  // True when something appeared within `limit`; sleeps `limit` when the
  // directory cannot be watched.
  bool wait(std::chrono::milliseconds limit) {
    pollfd waiter{watch_ >= 0 ? shared_inotify() : -1, POLLIN, 0};
    const bool woke = ::poll(&waiter, 1, static_cast<int>(limit.count())) > 0;
    if (woke) drain();
    return woke;
  }

 private:
  void drain() {
    std::array<char, 4096> events;
    while (::read(shared_inotify(), events.data(), events.size()) > 0) {
    }
  }
  int watch_ = -1;
};

}  // namespace

UnixStream UnixStream::connect(const std::string& path, Clock::time_point deadline) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // A path longer than sun_path (a long lab name, say) is reached through
  // its directory, held open: /proc/self/fd/N/NAME is short.
  std::string reachable = path;
  UniqueFd directory;
  if (path.size() >= sizeof address.sun_path) {
    const std::filesystem::path full(path);
    directory.reset(::open(full.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!directory)
      throw UnixStreamError(UnixStreamError::Kind::kFailed,
                            "cannot open the directory of " + path + ": " + errno_text(errno));
    reachable = "/proc/self/fd/" + std::to_string(directory.get()) + "/" + full.filename().string();
  }
  if (reachable.empty() || reachable.size() >= sizeof address.sun_path)
    throw UnixStreamError(UnixStreamError::Kind::kFailed,
                          "socket path '" + path + "' is empty or its name is longer than " +
                              std::to_string(sizeof address.sun_path - 1) + " bytes");
  std::memcpy(address.sun_path, reachable.data(), reachable.size());

  // inotify wakes us the moment the daemon binds its socket; without a
  // watchable directory (not made yet) the wait degrades to short slices,
  // which also cover the gap between the daemon's bind() and listen(). The
  // watch is made only once a first attempt failed.
  std::optional<DirectoryWatch> watch;
  auto slice = std::chrono::milliseconds(1);
  for (;;) {
    UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!socket)
      throw UnixStreamError(UnixStreamError::Kind::kFailed,
                            "cannot create a Unix socket: " + errno_text(errno));
    if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0)
      return UnixStream(std::move(socket), path);
    const int error = errno;
    // Absent (not bound yet) and refused (bound, not listening yet) are the
    // states of a daemon still starting; anything else will not heal.
    if (error != ENOENT && error != ECONNREFUSED && error != EAGAIN && error != EINTR)
      throw UnixStreamError(UnixStreamError::Kind::kFailed,
                            "cannot connect to " + path + ": " + errno_text(error));
    if (Clock::now() >= deadline)
      throw UnixStreamError(UnixStreamError::Kind::kTimeout,
                            path + " not accepting connections: " + errno_text(error));
    if (!watch) watch.emplace(std::filesystem::path(path).parent_path().string());
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (watch->wait(std::min(slice, left))) {
      // Something appeared: the socket, or listen() follows within moments.
      slice = std::chrono::milliseconds(1);
    } else {
      slice = std::min(slice * 2, std::chrono::milliseconds(8));
    }
  }
}

void UnixStream::fail(UnixStreamError::Kind kind, const std::string& what) {
  // After a timeout or an error the stream is out of step (a late answer
  // would be taken for the next request's): it is closed, never reused.
  fd_.reset();
  throw UnixStreamError(kind, what);
}

void UnixStream::send_all(std::string_view bytes, Clock::time_point deadline) {
  if (!fd_) fail(UnixStreamError::Kind::kClosed, "the connection to " + path_ + " is closed");
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent >= 0) {
      bytes.remove_prefix(static_cast<size_t>(sent));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      fail(UnixStreamError::Kind::kFailed, "cannot send to " + path_ + ": " + errno_text(errno));
    if (!wait_for(fd_.get(), POLLOUT, deadline))
      fail(UnixStreamError::Kind::kTimeout, "timed out sending to " + path_);
  }
}

bool UnixStream::receive_some(std::string& buffer, Clock::time_point deadline) {
  if (!fd_) fail(UnixStreamError::Kind::kClosed, "the connection to " + path_ + " is closed");
  for (;;) {
    if (!wait_for(fd_.get(), POLLIN, deadline)) return false;
    std::array<char, 64 * 1024> chunk;
    const ssize_t received = ::recv(fd_.get(), chunk.data(), chunk.size(), 0);
    if (received > 0) {
      buffer.append(chunk.data(), static_cast<size_t>(received));
      return true;
    }
    if (received == 0) fail(UnixStreamError::Kind::kClosed, path_ + " closed the connection");
    if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
      fail(UnixStreamError::Kind::kFailed, "cannot read from " + path_ + ": " + errno_text(errno));
  }
}

}  // namespace hublab
