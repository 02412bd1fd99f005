#include "tests/support/watched_command.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

namespace hublab::test {

WatchedCommand::WatchedCommand(const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return;
  const std::string binary = hublab_binary();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("hublab"));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // The child must not run this test binary's SIGINT handler: it gets the
  // default one before any signal can reach it.
  sigset_t all, saved;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &saved);
  pid_ = fork();
  if (pid_ == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &saved, nullptr);
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  sigprocmask(SIG_SETMASK, &saved, nullptr);
  close(pipe_fds[1]);
  output_fd_ = pipe_fds[0];
}

WatchedCommand::~WatchedCommand() {
  if (exit_code_ < 0 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    finish();
  }
  if (output_fd_ >= 0) close(output_fd_);
}

bool WatchedCommand::read_available(int timeout_ms) {
  if (output_fd_ < 0) return false;
  pollfd p{output_fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return true;
  char buffer[4096];
  ssize_t n = read(output_fd_, buffer, sizeof buffer);
  if (n <= 0) {
    close(output_fd_);
    output_fd_ = -1;
    return false;
  }
  output_.append(buffer, static_cast<size_t>(n));
  return true;
}

bool WatchedCommand::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (output_.find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline || !read_available(5)) return false;
  }
  return true;
}

void WatchedCommand::kill(int signal) {
  if (pid_ > 0 && exit_code_ < 0) ::kill(pid_, signal);
}

CommandResult WatchedCommand::finish() {
  while (read_available(100)) {
  }
  if (exit_code_ < 0 && pid_ > 0) {
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return {exit_code_, output_, ""};
}

bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::vector<std::string> file_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<RecordedDaemon> recorded_daemons(const std::string& lab) {
  std::vector<RecordedDaemon> daemons;
  for (const std::string& line : file_lines("/run/hublab/" + lab + "/daemons")) {
    std::istringstream fields(line);
    RecordedDaemon d;
    if (fields >> d.kind >> d.node >> d.pid) daemons.push_back(d);
  }
  return daemons;
}

bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return true;
  // "PID (COMM) STATE ...": COMM may hold spaces and parentheses.
  const size_t end = text.rfind(')');
  return end == std::string::npos || text.compare(end + 2, 1, "Z") == 0;
}

namespace {

std::string link_target(const std::string& path) {
  char target[4096];
  ssize_t n = readlink(path.c_str(), target, sizeof target);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : "";
}

}  // namespace

std::string processes_of(const std::string& lab) {
  const std::string dir = "/run/hublab/" + lab + "/";
  std::string found;
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (dirent* entry = readdir(proc)) {
    const std::string pid = entry->d_name;
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string base = "/proc/" + pid + "/";
    for (const char* link : {"cwd", "fd/1", "fd/2"})
      if (link_target(base + link).starts_with(dir) && !process_gone(std::stoi(pid))) {
        found += pid + " " + link_target(base + "exe") + "\n";
        break;
      }
  }
  closedir(proc);
  return found;
}

bool lab_locked(const std::string& lab) {
  int fd = open(("/run/hublab/" + lab).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = flock(fd, LOCK_EX | LOCK_NB) != 0;
  close(fd);
  return held;
}

size_t line_count(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace hublab::test
