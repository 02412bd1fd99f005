// Drives a real BIRD through Client. BIRD runs in a private network namespace
// (nothing it does reaches the host's routing) and writes only inside a fresh
// temporary directory; both the daemon and the directory are gone when the
// test ends, whatever its outcome.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "drivers/bird/bird_client.h"
#include "tests/support/root.h"

namespace bird = hublab::bird;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Exit status of the child when it may not create a network namespace
// (unprivileged CI): the test then cannot run and says so.
constexpr int kCannotUnshareExit = 77;

std::optional<fs::path> find_bird() {
  for (const char* candidate : {"/usr/sbin/bird", "/usr/local/sbin/bird", "/sbin/bird"}) {
    if (::access(candidate, X_OK) == 0) return fs::path(candidate);
  }
  return std::nullopt;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "hublab-bird-live-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// `bird -f` in a child that first moves into its own network namespace.
class BirdInNamespace {
 public:
  BirdInNamespace(const fs::path& bird, const fs::path& directory)
      : config_(directory / "bird.conf"),
        socket_(directory / "bird.ctl"),
        log_(directory / "bird.log") {
    const std::string pid_file = (directory / "bird.pid").string();
    // Everything the child needs is built before fork(): after it, only
    // async-signal-safe calls are allowed.
    std::vector<std::string> args = {bird.string(),    "-f", "-c",    config_.string(), "-s",
                                     socket_.string(), "-P", pid_file};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string log = log_.string();
    const pid_t parent = ::getpid();

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // If the test process dies (crash, abort), BIRD must die with it.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);
      if (::unshare(CLONE_NEWNET) != 0) ::_exit(kCannotUnshareExit);
      const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (log_fd >= 0) {
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  BirdInNamespace(const BirdInNamespace&) = delete;
  BirdInNamespace& operator=(const BirdInNamespace&) = delete;
  ~BirdInNamespace() { stop(); }

  pid_t pid() const { return pid_; }
  const fs::path& config() const { return config_; }
  const fs::path& socket() const { return socket_; }
  std::string log() const { return read_text(log_); }

  // The child's exit status if it has already exited (without reaping a live one).
  std::optional<int> exit_status_if_exited() {
    if (!running_) return exit_status_;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
    running_ = false;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_status_;
  }

  // SIGTERM lets BIRD shut down cleanly; SIGKILL if it has not within 2 s.
  void stop() {
    if (!running_) return;
    ::kill(pid_, SIGTERM);
    if (!wait_for_exit(2s)) ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    running_ = false;
  }

 private:
  bool wait_for_exit(std::chrono::milliseconds timeout) {
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd < 0) return false;
    pollfd descriptor{.fd = pidfd, .events = POLLIN, .revents = 0};
    const bool exited = ::poll(&descriptor, 1, static_cast<int>(timeout.count())) > 0;
    ::close(pidfd);
    return exited;
  }

  fs::path config_;
  fs::path socket_;
  fs::path log_;
  pid_t pid_ = -1;
  bool running_ = true;
  std::optional<int> exit_status_;
};

// The neighbor is in TEST-NET-1 and the namespace has no route at all, so the
// session can never come up: it stays in Active (socket error) or Connect.
constexpr const char* kBirdConfig = R"(log stderr all;
router id 192.0.2.1;
protocol device {}
protocol static vnets {
  ipv4;
  route 10.0.0.0/16 blackhole;
  route 10.10.0.0/16 blackhole;
}
protocol bgp uplink {
  local as 65150;
  neighbor 192.0.2.254 as 65151;
  multihop 2;
  connect delay time 0;
  connect retry time 1;
  ipv4 { import all; export where proto = "vnets"; };
}
)";

// BIRD brings protocols up on its own schedule after answering on the socket.
template <typename Value>
Value eventually(const std::function<Value()>& read, const std::function<bool(const Value&)>& ok,
                 std::chrono::milliseconds timeout = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Value value = read();
  while (!ok(value) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    value = read();
  }
  return value;
}

}  // namespace

TEST_CASE("client against a live BIRD in a private network namespace", "[bird][live][root]") {
  REQUIRE_ROOT();
  const std::optional<fs::path> bird_binary = find_bird();
  REQUIRE(bird_binary);  // scripts/setup installs bird2

  fs::path directory;
  pid_t bird_pid = -1;
  {
    TemporaryDirectory temporary;
    directory = temporary.path();
    write_text(directory / "bird.conf", kBirdConfig);
    BirdInNamespace daemon(*bird_binary, directory);
    bird_pid = daemon.pid();

    std::optional<bird::Client> connected;
    try {
      connected.emplace(bird::Client::connect(daemon.socket(), {.connect = 5s, .reply = 5s}));
    } catch (const bird::ConnectionError& error) {
      FAIL(error.what() << "\nbird log:\n" << daemon.log());
    }
    bird::Client& client = *connected;
    CHECK_THAT(client.greeting(), Catch::StartsWith("BIRD 2."));

    SECTION("protocols") {
      const auto protocols = eventually<std::vector<bird::Protocol>>(
          [&] { return client.protocols(); },
          [](const auto& list) { return list.size() == 3 && list[1].state == "up"; });
      REQUIRE(protocols.size() == 3);
      CHECK(protocols[0].proto == "Device");
      CHECK(protocols[1].name == "vnets");
      CHECK(protocols[1].proto == "Static");
      CHECK(protocols[1].table == "master4");
      CHECK(protocols[1].state == "up");
      CHECK(protocols[2].name == "uplink");
      CHECK(protocols[2].proto == "BGP");
      CHECK(protocols[2].state == "start");
    }

    SECTION("routes of the static protocol") {
      const auto routes =
          eventually<std::vector<bird::Route>>([&] { return client.routes("master4"); },
                                               [](const auto& list) { return list.size() == 2; });
      REQUIRE(routes.size() == 2);
      for (const bird::Route& route : routes) {
        CHECK(route.table == "master4");
        CHECK(route.destination == "blackhole");
        CHECK(route.protocol == "vnets");
        CHECK(route.primary);
        CHECK(route.preference == 200);
        CHECK(route.type == "static univ");
      }
      CHECK(((routes[0].prefix == "10.0.0.0/16" && routes[1].prefix == "10.10.0.0/16") ||
             (routes[0].prefix == "10.10.0.0/16" && routes[1].prefix == "10.0.0.0/16")));
    }

    SECTION("a BGP session whose neighbor never answers") {
      const auto session = eventually<bird::BgpSession>(
          [&] { return client.bgp_session("uplink"); },
          [](const bird::BgpSession& s) { return s.state == "Active" || s.state == "Connect"; });
      INFO("BGP state: " << session.state << ", last error: " << session.last_error);
      CHECK((session.state == "Active" || session.state == "Connect"));
      CHECK_FALSE(session.established());
      CHECK(session.protocol.state == "start");
      CHECK(session.neighbor_address == "192.0.2.254");
      CHECK(session.neighbor_as == 65151u);
      CHECK(session.local_as == 65150u);
      REQUIRE(session.channels.size() == 1);
      CHECK(session.channels[0].name == "ipv4");
      CHECK(session.channels[0].state == "DOWN");
      CHECK_THROWS_AS(client.bgp_session("vnets"), std::invalid_argument);
    }

    SECTION("errors") {
      const bird::Reply unknown = client.command("show protocols all nosuch");
      CHECK_FALSE(unknown.succeeded());
      CHECK(unknown.error_code() == 9001);
      CHECK_THAT(unknown.error_message(), Catch::Contains("syntax error"));

      try {
        client.bgp_session("nosuch");
        FAIL("bgp_session of an unknown protocol did not throw");
      } catch (const bird::CommandError& error) {
        CHECK(error.code() == 8003);
        CHECK(error.bird_message() == "No protocols match");
      }
      CHECK_THROWS_AS(client.routes("nosuch"), bird::CommandError);
      CHECK_THROWS_AS(client.routes("master4; down"), std::invalid_argument);
      CHECK_THROWS_AS(client.command("show status\nshow protocols"), std::invalid_argument);

      // The connection stays usable after error replies.
      CHECK(client.checked_command("show status").final_line().code == 13);
    }

    SECTION("configure: reload, then a broken file that BIRD refuses") {
      CHECK(client.configure() == "Reconfigured");

      write_text(daemon.config(),
                 std::string(kBirdConfig) + "protocol static broken { ipv4; route");
      try {
        client.configure();
        FAIL("configure of a broken file did not throw");
      } catch (const bird::CommandError& error) {
        CHECK(error.code() == 8002);
        CHECK_THAT(error.bird_message(), Catch::Contains(daemon.config().string()));
      }
      // BIRD keeps running the previous configuration.
      CHECK(client.protocols().size() == 3);
    }

    SECTION("connecting to a socket that never appears times out") {
      const auto started = std::chrono::steady_clock::now();
      CHECK_THROWS_AS(bird::Client::connect(directory / "absent.ctl", {.connect = 150ms}),
                      bird::ConnectionError);
      const auto elapsed = std::chrono::steady_clock::now() - started;
      CHECK(elapsed >= 150ms);
      CHECK(elapsed < 2s);
    }

    daemon.stop();
    CHECK(::kill(bird_pid, 0) == -1);
  }

  // Nothing survives: the daemon is reaped and the directory is gone.
  CHECK_FALSE(fs::exists(directory));
  CHECK(::kill(bird_pid, 0) == -1);
}
