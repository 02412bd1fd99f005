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
#include "orchestrator/cli/privileges.h"
#include "orchestrator/lab_state.h"
#include "orchestrator/naming.h"

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

}  // namespace

int exec(const Args& args) {
  auto separator = std::find(args.begin(), args.end(), "--");
  if (separator == args.end() || separator - args.begin() != 2 || separator + 1 == args.end()) {
    std::cerr << "usage: hublab exec NAME NODE -- COMMAND [ARG...]\n";
    return kExitBadInput;
  }
  const std::string& lab = args[0];
  const std::string& node = args[1];
  if (!require_network_admin("exec")) return kExitFailure;
  auto state = LabState::peek(lab);
  if (!state) {
    std::cerr << "hublab exec: lab '" << lab << "' is not up\n";
    return kExitBadInput;
  }
  std::string netns_name = naming::namespace_name(lab, node);
  std::vector<std::string> known = state->namespaces();
  if (std::find(known.begin(), known.end(), netns_name) == known.end() ||
      !NetworkNamespace::exists(netns_name)) {
    std::cerr << "hublab exec: lab '" << lab << "' has no node '" << node << "'\n";
    return kExitBadInput;
  }
  NetworkNamespace netns = NetworkNamespace::open(netns_name);
  std::vector<char*> argv;
  for (auto it = separator + 1; it != args.end(); ++it)
    argv.push_back(const_cast<char*>(it->c_str()));

  // The child gets the terminal's signals; hublab waits for it to act on them.
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  pid_t child = fork();
  if (child < 0) {
    std::cerr << "hublab exec: fork: " << std::strerror(errno) << "\n";
    return kExitFailure;
  }
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

}  // namespace hublab::cli
