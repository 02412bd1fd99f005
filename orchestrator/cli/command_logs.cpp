#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <iostream>
#include <vector>

#include "drivers/system/unique_fd.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/lab_state.h"

namespace hublab::cli {

namespace {

// Copies what the file holds past `offset` to stdout; returns the new offset.
off_t copy_from(int fd, off_t offset) {
  char buffer[65536];
  for (ssize_t n; (n = pread(fd, buffer, sizeof buffer, offset)) > 0; offset += n)
    std::cout.write(buffer, n);
  std::cout.flush();
  return offset;
}

}  // namespace

// `hublab logs NAME NODE [-f]`: the log of each daemon the node runs (charon,
// BIRD), as files under the lab's state; -f follows them as tail -f does.
int logs(const Args& args) {
  std::vector<std::string> positional;
  bool follow = false;
  for (const std::string& a : args) {
    if (a == "-f" || a == "--follow")
      follow = true;
    else if (!a.empty() && a[0] != '-')
      positional.push_back(a);
    else
      positional.clear(), positional.resize(3);
  }
  if (positional.size() != 2) {
    std::cerr << "usage: hublab logs NAME NODE [-f]\n";
    return kExitBadInput;
  }
  if (!require_network_admin("logs")) return kExitFailure;
  const std::string &name = positional[0], &node = positional[1];
  auto state = LabState::peek(name);
  if (!state) {
    std::cerr << "hublab logs: lab '" << name << "' is not up\n";
    return kExitBadInput;
  }
  struct Log {
    std::string path;
    UniqueFd fd;
    off_t offset = 0;
  };
  std::vector<Log> logs;
  for (const char* kind : {"charon", "bird"}) {
    std::string path = state->daemon_dir(kind, node) + "/" + kind + ".log";
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd) logs.push_back({path, std::move(fd), 0});
  }
  if (logs.empty()) {
    std::cerr << "hublab logs: node '" << node << "' of lab '" << name
              << "' runs no daemon (gateways run charon and BIRD, VNet routers BIRD)\n";
    return kExitBadInput;
  }
  for (Log& log : logs) {
    if (logs.size() > 1) std::cout << "==> " << log.path << " <==\n";
    log.offset = copy_from(log.fd.get(), 0);
  }
  if (!follow) return kExitOk;
  UniqueFd watch(inotify_init1(IN_CLOEXEC));
  for (Log& log : logs) inotify_add_watch(watch.get(), log.path.c_str(), IN_MODIFY);
  while (LabState::peek(name)) {
    pollfd ready{watch.get(), POLLIN, 0};
    if (poll(&ready, 1, 1000) > 0) {
      char events[4096];
      [[maybe_unused]] ssize_t ignored = read(watch.get(), events, sizeof events);
    }
    for (Log& log : logs) log.offset = copy_from(log.fd.get(), log.offset);
  }
  return kExitOk;
}

}  // namespace hublab::cli
