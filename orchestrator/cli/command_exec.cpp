#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>

#include "drivers/netlink/network_namespace.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/state/lab_state.h"

namespace hublab::cli {

namespace {

// In the child: enter the node's network namespace and, as `ip netns exec`
// does, give it a /sys of that namespace in a mount namespace of its own, so
// that tools reading /sys/class/net see the node's interfaces.
[[noreturn]] void run_in_namespace(const NetworkNamespace& netns, std::vector<char*> argv) {
  if (setns(netns.fd(), CLONE_NEWNET) != 0) {
    std::cerr << "hublab exec: entering " << netns.name() << ": " << std::strerror(errno) << "\n";
    _exit(127);
  }
  if (unshare(CLONE_NEWNS) == 0 && mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) == 0) {
    umount2("/sys", MNT_DETACH);
    mount(netns.name().c_str(), "/sys", "sysfs", 0, nullptr);
  }
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::cerr << "hublab exec: " << argv[0] << ": " << std::strerror(errno) << "\n";
  _exit(errno == ENOENT ? 127 : 126);
}

int run_exec(const Invocation& args) {
  require_network_admin();
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kPresent);
  const std::string &lab = target.name, &node = args.operand(1);
  std::string netns_name = naming::namespace_name(lab, node);
  std::vector<std::string> known = target.state->namespaces();
  if (std::find(known.begin(), known.end(), netns_name) == known.end() ||
      !NetworkNamespace::exists(netns_name))
    throw CliError(kExitBadInput, "lab '" + lab + "' has no node '" + node + "'");
  NetworkNamespace netns = NetworkNamespace::open(netns_name);
  std::vector<char*> argv;
  for (const std::string& word : args.command()) argv.push_back(const_cast<char*>(word.c_str()));

  // The child gets the terminal's signals; hublab waits for it to act on them.
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  pid_t child = fork();
  if (child < 0) throw CliError(kExitFailure, std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    run_in_namespace(netns, argv);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

const Command kExec{.spec = {.name = "exec",
                             .operands = {"NAME", "NODE"},
                             .takes_command = true,
                             .help = "run a command in a node's network namespace"},
                    .run = run_exec};

}  // namespace hublab::cli
