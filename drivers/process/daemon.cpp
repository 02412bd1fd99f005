#include "drivers/process/daemon.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "base/regular_file.h"
#include "base/system_error.h"
#include "base/unique_fd.h"

namespace hublab {

namespace {

// A file of /proc/PID/, read with plain read(2): a process that exits while
// it is read makes read fail with ESRCH, which std::ifstream turns into an
// exception (libstdc++'s filebuf throws from underflow): `down` once failed
// so, killing a lab's daemons. What is gone reads as "".
std::string read_proc_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return "";
  return read_to_end(fd.get(), 1 << 20).value_or("");
}

struct ProcessStat {
  char state = 0;  // R, S, D, Z (exited, not yet reaped), ...
  unsigned long long start_time = 0;
};

ProcessStat stat_of(pid_t pid) {
  const std::string text = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  // The command name, in parentheses, may hold spaces: count fields after it.
  size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return {};
  std::istringstream fields(text.substr(close + 2));
  ProcessStat stat;
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3) stat.state = field[0];
    if (i == 22) stat.start_time = std::stoull(field);
  }
  return stat;
}

unsigned long long start_time_of(pid_t pid) {
  return stat_of(pid).start_time;
}

UniqueFd pidfd_of(pid_t pid) {
  return UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
}

// Between fork and exec: only async-signal-safe calls, failures reported
// through `report_fd` (close-on-exec, so a plain EOF means exec worked).
[[noreturn]] void become_daemon(int go_fd, int report_fd, const DaemonSpec& spec, char* const* argv,
                                char* const* envp) {
  auto fail = [report_fd](const char* step) {
    char text[256];
    int n = snprintf(text, sizeof text, "%s: %s", step, strerror(errno));
    if (n > 0) [[maybe_unused]]
      auto ignored = write(report_fd, text, static_cast<size_t>(n));
    _exit(127);
  };
  setsid();
  char go;
  ssize_t got;
  while ((got = read(go_fd, &go, 1)) < 0 && errno == EINTR) {
  }
  if (got != 1) _exit(0);  // the parent died before recording us
  // Opened before /run is replaced: the path may lie under the host's /run.
  int out = open(spec.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out < 0) fail("opening the output file");
  int in =
      open(spec.input_path.empty() ? "/dev/null" : spec.input_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) fail("opening the input file");
  if (setns(spec.netns_fd, CLONE_NEWNET) != 0) fail("entering the network namespace");
  if (!spec.run_dir.empty()) {
    if (unshare(CLONE_NEWNS) != 0) fail("making a mount namespace");
    // Slave, not private: the host's unmounts (another lab's namespaces under
    // /run/netns) must reach this copy of the mount tree, or the daemon would
    // keep those namespaces alive after their lab is down.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) fail("making / a slave");
    if (mount(spec.run_dir.c_str(), "/run", nullptr, MS_BIND, nullptr) != 0) fail("binding /run");
  }
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) fail("dup2");
  if (chdir(spec.work_dir.empty() ? "/" : spec.work_dir.c_str()) != 0) fail("chdir");
  umask(077);  // the daemon's files (logs, sockets) are the lab owner's alone
  syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s = 1; s < NSIG; ++s) signal(s, SIG_DFL);
  execve(spec.program.c_str(), argv, envp);
  fail(spec.program.c_str());
  _exit(127);
}

}  // namespace

std::string DaemonId::str() const {
  return std::to_string(pid) + " " + std::to_string(start_time);
}

namespace {

// A child forked for a daemon, waiting for the go-ahead before it execs.
// Destroyed without `wait_exec` having succeeded, it kills the child.
class Launch {
 public:
  explicit Launch(const DaemonSpec& spec) : program_(spec.program) {
    std::vector<std::string> argv_text = {spec.program};
    argv_text.insert(argv_text.end(), spec.args.begin(), spec.args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Only what the daemon needs: hublab's own environment may hold a
    // pre-shared key (shared_key_env), which /proc/PID/environ would show.
    std::vector<std::string> env_text = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    env_text.insert(env_text.end(), spec.env.begin(), spec.env.end());
    std::vector<char*> envp;
    for (std::string& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);

    int go[2], report[2];
    if (pipe2(go, O_CLOEXEC) != 0 || pipe2(report, O_CLOEXEC) != 0)
      throw system_error("making pipes for " + spec.program);
    UniqueFd go_read(go[0]), report_write(report[1]);
    go_write_.reset(go[1]);
    report_read_.reset(report[0]);
    // Until it resets them, the child has hublab's handlers: no terminal
    // signal may interrupt it between fork and its own session.
    sigset_t stop_signals, saved;
    sigemptyset(&stop_signals);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&stop_signals, s);
    sigprocmask(SIG_BLOCK, &stop_signals, &saved);
    pid_t pid = fork();
    if (pid != 0) sigprocmask(SIG_SETMASK, &saved, nullptr);
    if (pid < 0) throw system_error("starting " + spec.program);
    if (pid == 0) {
      go_write_.reset();
      report_read_.reset();
      become_daemon(go_read.get(), report_write.get(), spec, argv.data(), envp.data());
    }
    id_ = DaemonId{pid, start_time_of(pid)};
  }
  Launch(Launch&&) = default;
  ~Launch() {
    if (id_.pid > 0 && !started_) {
      kill(id_.pid, SIGKILL);
      waitpid(id_.pid, nullptr, 0);
    }
  }

  const DaemonId& id() const { return id_; }
  void go() {
    if (write(go_write_.get(), "g", 1) != 1) throw system_error("starting " + program_);
    go_write_.reset();
  }
  // Returns once the child has exec'd, or throws with what it could not do.
  void wait_exec() {
    std::string failure;
    char buffer[256];
    for (ssize_t n; (n = read(report_read_.get(), buffer, sizeof buffer)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      failure.append(buffer, static_cast<size_t>(n));
    }
    if (!failure.empty()) throw std::runtime_error("starting " + program_ + " failed: " + failure);
    started_ = true;
  }

 private:
  std::string program_;
  DaemonId id_;
  UniqueFd go_write_, report_read_;
  bool started_ = false;
};

}  // namespace

std::vector<DaemonId> start_daemons(const std::vector<DaemonSpec>& specs,
                                    const std::function<void(size_t, const DaemonId&)>& record) {
  std::vector<Launch> launches;
  launches.reserve(specs.size());
  for (const DaemonSpec& spec : specs) launches.emplace_back(spec);
  for (size_t i = 0; i < launches.size(); ++i) record(i, launches[i].id());
  for (Launch& launch : launches) launch.go();
  std::vector<DaemonId> ids;
  for (Launch& launch : launches) {
    launch.wait_exec();
    ids.push_back(launch.id());
  }
  return ids;
}

bool daemon_alive(const DaemonId& id) {
  if (id.pid <= 0 || kill(id.pid, 0) != 0) return false;
  // A zombie of ours has exited already.
  if (waitpid(id.pid, nullptr, WNOHANG) == id.pid) return false;
  ProcessStat stat = stat_of(id.pid);
  // Someone else's zombie (our daemons are reparented) has exited too.
  return stat.start_time == id.start_time && stat.state != 'Z' && stat.state != 'X';
}

long resident_kib(const DaemonId& id) {
  std::istringstream in(read_proc_file("/proc/" + std::to_string(id.pid) + "/status"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

namespace {

// Waits for the process behind `pidfd` to exit; true if it did in time.
bool exited_within(int pidfd, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd exited{pidfd, POLLIN, 0};
    int ready = poll(&exited, 1, std::max<int>(0, static_cast<int>(left.count())));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

}  // namespace

std::vector<DaemonId> stop_daemons(const std::vector<DaemonId>& ids,
                                   std::chrono::milliseconds grace) {
  struct Running {
    DaemonId id;
    UniqueFd pidfd;
  };
  std::vector<Running> running;
  for (const DaemonId& id : ids) {
    if (!daemon_alive(id)) continue;
    running.push_back({id, pidfd_of(id.pid)});
    kill(id.pid, grace.count() > 0 ? SIGTERM : SIGKILL);
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  std::vector<DaemonId> survivors;
  for (Running& r : running) {
    if (!r.pidfd || !exited_within(r.pidfd.get(), deadline)) {
      kill(r.id.pid, SIGKILL);
      if (r.pidfd)
        exited_within(r.pidfd.get(), std::chrono::steady_clock::now() + std::chrono::seconds(1));
    }
    waitpid(r.id.pid, nullptr, WNOHANG);
    if (daemon_alive(r.id)) survivors.push_back(r.id);
  }
  return survivors;
}

}  // namespace hublab
