#include "tests/support/command.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace hublab::test {

namespace {

// Daemons started by `hublab up` outlive it; as their subreaper the test
// binary, not an init that may reap late, collects them once they exit.
const bool kSubreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;

// Tests run one command at a time, so no child of a running command is taken.
void reap_exited_orphans() {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

}  // namespace

CommandResult run(const std::vector<std::string>& argv) {
  (void)kSubreaper;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  pid_t child = fork();
  if (child == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  CommandResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_pipes = 2;
  while (open_pipes > 0) {
    if (poll(fds, 2, -1) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !fds[i].revents) continue;
      char buffer[4096];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  reap_exited_orphans();
  result.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  return result;
}

CommandResult shell(const std::string& command) {
  return run({"/bin/sh", "-c", command});
}

std::string hublab_binary() {
  return HUBLAB_BINARY;
}

CommandResult run_hublab(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {hublab_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

std::string source_path(const std::string& relative) {
  return std::string(HUBLAB_SOURCE_DIR) + "/" + relative;
}

}  // namespace hublab::test
