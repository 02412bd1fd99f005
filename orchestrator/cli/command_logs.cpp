#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <iostream>
#include <vector>

#include "base/unique_fd.h"
#include "drivers/frr/frr_daemon.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/state/lab_state.h"

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

// The log of each daemon the node runs (charon, BIRD, FRR), as files under the
// lab's state; -f follows them as tail -f does.
int run_logs(const Invocation& args) {
  require_network_admin();
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kPresent);
  const std::string &name = target.name, &node = args.operand(1);
  const bool follow = args.flag("--follow");
  auto& state = target.state;
  struct Log {
    std::string path;
    UniqueFd fd;
    off_t offset = 0;
  };
  std::vector<Log> logs;
  // A gateway's own BIRD, and the charon of each of its connections' ends.
  std::vector<std::string> nodes = {node};
  if (target.lab)
    for (const Connection& c : target.lab->connections)
      for (const std::string& gateway : c.gateways)
        if (gateway == node) nodes.push_back(naming::tunnel_end(c.name, gateway));
  std::vector<std::string> paths;
  for (const std::string& daemon_node : nodes)
    for (const char* kind : {"charon", "bird"})
      paths.push_back(state->daemon_dir(kind, daemon_node) + "/" + kind + ".log");
  // An NVA's FRRouting: a log per daemon.
  for (const std::string& daemon : frr::daemon_names())
    paths.push_back(frr::FrrFiles{state->daemon_dir("frr", node)}.log(daemon));
  for (const std::string& path : paths) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd) logs.push_back({path, std::move(fd), 0});
  }
  if (logs.empty())
    throw CliError(kExitBadInput, "node '" + node + "' of lab '" + name +
                                      "' runs no daemon (gateways run BIRD and, in each of their "
                                      "connections' ends, charon; VNet routers and Route Server "
                                      "instances BIRD; NVAs FRRouting)");
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

}  // namespace

const Command kLogs{.spec = {.name = "logs",
                             .operands = {"NAME", "NODE"},
                             .options = {{.name = "--follow", .alias = "-f"}},
                             .help = "a node's daemon logs (charon, BIRD; an NVA's FRR)"},
                    .run = run_logs};

}  // namespace hublab::cli
