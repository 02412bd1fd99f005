// Tests of the vici client against a real charon (/usr/lib/ipsec/charon), run
// the way hublab runs it: a private network namespace, a private mount
// namespace with a fresh directory bound over /run, its own strongswan.conf.
// Needs root. Nothing survives a test: charon is killed (and dies with the
// test process if that crashes, via PR_SET_PDEATHSIG) and the directory is
// removed.
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "drivers/vici/vici_client.h"
#include "drivers/vici/vici_message.h"
#include "tests/support/root.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using hublab::UniqueFd;
using hublab::vici::Client;
using hublab::vici::CommandFailedError;
using hublab::vici::Event;
using hublab::vici::List;
using hublab::vici::Message;
using hublab::vici::Section;
using hublab::vici::UnknownCommandError;

constexpr const char* kCharonPath = "/usr/lib/ipsec/charon";
// A throwaway key for a tunnel that exists only inside the test's namespace.
constexpr const char* kTestPsk = "hublab-vici-test-psk";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "hublab-vici-test.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error(std::string("mkdtemp failed: ") + std::strerror(errno));
    }
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct CharonSettings {
  int ike_port = 500;
  int nat_t_port = 4500;
};

// Modelled on /work/shared/examples/gateway-strongswan.conf; updown is left
// out so charon forks no scripts that could outlive it.
std::string strongswan_conf(const fs::path& dir, const CharonSettings& settings) {
  return "charon {\n"
         "  load = random nonce aes sha1 sha2 hmac kdf pem pkcs1 x509 revocation constraints "
         "pubkey openssl kernel-libipsec kernel-netlink socket-default vici\n"
         "  port = " +
         std::to_string(settings.ike_port) +
         "\n"
         "  port_nat_t = " +
         std::to_string(settings.nat_t_port) +
         "\n"
         "  install_routes = no\n"
         "  install_virtual_ip = no\n"
         "  routing_table_prio = 40000\n"
         "  plugins {\n"
         "    vici {\n"
         "      socket = unix://" +
         (dir / "charon.vici").string() +
         "\n"
         "    }\n"
         "    kernel-libipsec {\n"
         "      allow_peer_ts = no\n"
         "    }\n"
         "  }\n"
         "  filelog {\n"
         "    testlog {\n"
         "      path = " +
         (dir / "charon.log").string() +
         "\n"
         "      time_format = %T\n"
         "      default = 1\n"
         "      ike = 2\n"
         "      knl = 2\n"
         "      net = 2\n"
         "    }\n"
         "  }\n"
         "}\n";
}

void bring_loopback_up() {
  UniqueFd socket(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (!socket || ::ioctl(socket.get(), SIOCGIFFLAGS, &request) != 0) return;
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  ::ioctl(socket.get(), SIOCSIFFLAGS, &request);
}

// Runs between fork() and exec(): everything it needs was prepared by the
// parent, and it never returns. Failures are written to `report_fd`, a
// close-on-exec pipe whose plain EOF tells the parent that exec succeeded.
[[noreturn]] void exec_charon_in_child(pid_t parent, int report_fd,
                                       const std::string& netns_to_join, const std::string& run_dir,
                                       const std::string& output, char** envp) {
  const auto die = [report_fd](const char* step) {
    const std::string text = std::string(step) + ": " + std::strerror(errno);
    [[maybe_unused]] auto ignored = ::write(report_fd, text.data(), text.size());
    ::_exit(127);
  };
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die("prctl");
  if (::getppid() != parent) ::_exit(127);  // the test already died
  if (netns_to_join.empty()) {
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) die("unshare");
    bring_loopback_up();
  } else {
    UniqueFd netns(::open(netns_to_join.c_str(), O_RDONLY | O_CLOEXEC));
    if (!netns || ::setns(netns.get(), CLONE_NEWNET) != 0) die("setns");
    if (::unshare(CLONE_NEWNS) != 0) die("unshare");
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) die("make / rprivate");
  if (::mount(run_dir.c_str(), "/run", nullptr, MS_BIND, nullptr) != 0) die("bind /run");
  const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) die("open output");
  ::dup2(out, STDOUT_FILENO);
  ::dup2(out, STDERR_FILENO);
  char* argv[] = {const_cast<char*>(kCharonPath), nullptr};
  ::execve(kCharonPath, argv, envp);
  die("execve");
  ::_exit(127);
}

// One charon in its own mount namespace, in a fresh network namespace or in
// the one of another charon (so two charons can talk over loopback). The
// constructor returns once charon is exec'd, so its namespaces exist.
class CharonProcess {
 public:
  CharonProcess(const fs::path& dir, const CharonSettings& settings,
                const CharonProcess* share_network_with = nullptr)
      : dir_(dir) {
    fs::create_directories(dir / "run");
    const fs::path conf = dir / "strongswan.conf";
    std::ofstream(conf) << strongswan_conf(dir, settings);

    std::vector<std::string> env_strings;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (std::strncmp(*entry, "STRONGSWAN_CONF=", 16) != 0) env_strings.emplace_back(*entry);
    }
    env_strings.push_back("STRONGSWAN_CONF=" + conf.string());
    std::vector<char*> envp;
    for (std::string& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);
    const std::string netns = share_network_with
                                  ? "/proc/" + std::to_string(share_network_with->pid()) + "/ns/net"
                                  : std::string();
    const std::string run_dir = (dir / "run").string();
    const std::string output = (dir / "charon.out").string();

    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    UniqueFd report_read(report[0]);
    UniqueFd report_write(report[1]);

    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid_ == 0) {
      exec_charon_in_child(parent, report_write.get(), netns, run_dir, output, envp.data());
    }
    // glibc 2.36 declares pidfd_open without C linkage, so call it directly.
    pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
    report_write.reset();

    std::string failure;
    char buffer[256];
    pollfd readable{report_read.get(), POLLIN, 0};
    while (::poll(&readable, 1, 5000) > 0) {
      const ssize_t n = ::read(report_read.get(), buffer, sizeof(buffer));
      if (n <= 0) break;
      failure.append(buffer, static_cast<std::size_t>(n));
    }
    if (!failure.empty()) {
      stop();
      throw std::runtime_error("starting charon failed: " + failure);
    }
  }
  CharonProcess(const CharonProcess&) = delete;
  CharonProcess& operator=(const CharonProcess&) = delete;
  ~CharonProcess() { stop(); }

  pid_t pid() const { return pid_; }
  std::string socket_path() const { return (dir_ / "charon.vici").string(); }

  // SIGTERM, then SIGKILL if charon has not exited within two seconds.
  // Returns once the process is reaped.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    if (pidfd_) {
      pollfd exited{pidfd_.get(), POLLIN, 0};
      if (::poll(&exited, 1, 2000) == 0) ::kill(pid_, SIGKILL);
    } else {
      ::kill(pid_, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    pidfd_.reset();
  }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

fs::path network_namespace_of(const std::string& pid) {
  return fs::read_symlink("/proc/" + pid + "/ns/net");
}

struct TunnelSide {
  std::string address;
  std::string id;
};

Message site_to_site_connection(const std::string& name, const TunnelSide& local,
                                const TunnelSide& remote, const std::string& ike_proposal,
                                const std::string& esp_proposal) {
  Message message;
  Section& conn = message.section(name);
  conn.set("version", "2");
  conn.set_list("local_addrs", {local.address});
  conn.set_list("remote_addrs", {remote.address});
  conn.set_list("proposals", {ike_proposal});
  // MOBIKE reacts to address/route changes (such as a new TUN device) by
  // moving the IKE_SA and rekeying the CHILD_SA; site-to-site links are fixed.
  conn.set("mobike", "no");
  conn.section("local").set("auth", "psk").set("id", local.id);
  conn.section("remote").set("auth", "psk").set("id", remote.id);
  Section& child = conn.section("children").section(name);
  child.set_list("local_ts", {"0.0.0.0/0"});
  child.set_list("remote_ts", {"0.0.0.0/0"});
  child.set_list("esp_proposals", {esp_proposal});
  return message;
}

Message shared_key(const std::string& secret, const List& owners) {
  Message message;
  message.set("type", "IKE").set("data", secret).set_list("owners", owners);
  return message;
}

bool log_mentions(const Event& event, std::string_view text) {
  return event.name == "log" && event.message.value_or("msg", "").find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("vici client drives a real charon in a private namespace", "[vici][charon][root]") {
  REQUIRE_ROOT();
  fs::path dir_path;
  pid_t charon_pid = -1;
  {
    TempDir dir;
    dir_path = dir.path();
    CharonProcess charon(dir.path(), CharonSettings{});

    CHECK(network_namespace_of(std::to_string(charon.pid())) != network_namespace_of("self"));

    Client client = Client::connect(charon.socket_path(), 10s);

    const Message version = client.request("version");
    CHECK(version.get("daemon") == "charon");
    CHECK(version.get("version").rfind("5.", 0) == 0);
    CHECK(version.contains("sysname"));

    client.register_event("log");
    CHECK(client.is_registered("log"));

    client.request_checked("load-shared", shared_key(kTestPsk, {"gw1", "gw2"}));
    client.request_checked(
        "load-conn", site_to_site_connection("s2s", {"192.0.2.1", "gw1"}, {"192.0.2.2", "gw2"},
                                             "aes256-sha256-modp2048", "aes256-sha256"));

    const Message conns = client.request("get-conns");
    CHECK(conns.get_list("conns") == List{"s2s"});

    const auto listed = client.stream_request("list-conns", "list-conn");
    CHECK_FALSE(client.is_registered("list-conn"));
    REQUIRE(listed.events.size() == 1);
    const Section& conn = listed.events[0].get_section("s2s");
    CHECK(conn.get("version") == "IKEv2");
    CHECK(conn.get_list("local_addrs") == List{"192.0.2.1"});
    CHECK(conn.get_list("remote_addrs") == List{"192.0.2.2"});
    CHECK(conn.get_section("local-1").get("class") == "pre-shared key");
    CHECK(conn.get_section("local-1").get("id") == "gw1");
    const Section& child = conn.get_section("children").get_section("s2s");
    CHECK(child.get_list("local-ts") == List{"0.0.0.0/0"});
    CHECK(child.get_list("remote-ts") == List{"0.0.0.0/0"});

    // charon logs the load at level 1, which is what vici forwards.
    const auto loaded_log = client.wait_event(
        [](const Event& event) { return log_mentions(event, "added vici connection: s2s"); }, 5s);
    REQUIRE(loaded_log.has_value());
    CHECK(loaded_log->message.get("group") == "CFG");

    // A connection charon refuses comes back as success = no with errmsg.
    Message invalid;
    invalid.section("broken").set("no_such_option", "1");
    CHECK_THROWS_WITH(client.request_checked("load-conn", invalid),
                      Catch::Contains("no_such_option"));

    CHECK_THROWS_AS(client.request("no-such-command"), UnknownCommandError);
    CHECK_THROWS_AS(client.register_event("no-such-event"), UnknownCommandError);

    // The connection stays usable after those failures.
    CHECK(client.request("version").get("daemon") == "charon");
    client.unregister_event("log");
    CHECK_FALSE(client.is_registered("log"));

    charon_pid = charon.pid();
    charon.stop();
    CHECK_THROWS(client.request("version", {}, 2s));
  }
  const bool charon_gone = ::kill(charon_pid, 0) == -1 && errno == ESRCH;
  CHECK(charon_gone);
  CHECK_FALSE(fs::exists(dir_path));
}

namespace {

constexpr const char* kIkeProposal = "aes256-sha256-modp2048";
constexpr const char* kEspProposal = "aes256-sha256";

// Two charons sharing one private network namespace, talking over loopback:
// the responder on the standard ports, the initiator on others. The initiator
// must be the one off the standard ports: charon moves the remote port to
// 4500 only when it is 500, so the responder stays reachable after NAT-T
// (kernel-libipsec forces UDP encapsulation, hence "remote host is behind
// NAT" and port 4500 even without NAT).
struct TunnelLab {
  TempDir dir;
  CharonProcess responder{dir.path() / "responder", CharonSettings{500, 4500}};
  CharonProcess initiator{dir.path() / "initiator", CharonSettings{1500, 14500}, &responder};
  Client a = connect_for_tunnel_events(responder);
  Client b = connect_for_tunnel_events(initiator);

  static Client connect_for_tunnel_events(const CharonProcess& charon) {
    Client client = Client::connect(charon.socket_path(), 10s);
    for (const char* event : {"ike-updown", "child-updown", "log"}) client.register_event(event);
    return client;
  }

  void load(const std::string& initiator_psk, const std::string& responder_ike,
            const std::string& responder_esp) {
    a.request_checked("load-shared", shared_key(kTestPsk, {"gw-a", "gw-b"}));
    a.request_checked("load-conn",
                      site_to_site_connection("s2s", {"127.0.0.1", "gw-a"}, {"127.0.0.2", "gw-b"},
                                              responder_ike, responder_esp));
    b.request_checked("load-shared", shared_key(initiator_psk, {"gw-a", "gw-b"}));
    b.request_checked("load-conn",
                      site_to_site_connection("s2s", {"127.0.0.2", "gw-b"}, {"127.0.0.1", "gw-a"},
                                              kIkeProposal, kEspProposal));
  }

  // initiate streams control-log lines and answers only once the CHILD_SA
  // is up or has failed (timeout in ms, inside charon).
  hublab::vici::StreamedResponse initiate() {
    Message args;
    args.set("child", "s2s").set("ike", "s2s").set("timeout", "5000");
    return b.stream_request("initiate", "control-log", args, 10s);
  }
};

// ike-updown/child-updown say "up = yes" when up and carry no "up" key at
// all when down; the section is named after the IKE config.
bool is_updown(const Event& event, std::string_view name, bool up) {
  return event.name == name && event.message.contains("s2s") && event.message.contains("up") == up;
}

bool any_line_mentions(const std::vector<Message>& lines, std::string_view text) {
  return std::any_of(lines.begin(), lines.end(), [text](const Message& line) {
    return line.value_or("msg", "").find(text) != std::string::npos;
  });
}

const Section& only_child_sa(const Event& updown) {
  const Section& children = updown.message.get_section("s2s").get_section("child-sas");
  REQUIRE(children.size() == 1);
  return std::get<Section>(children.entries().front().value);
}

}  // namespace

TEST_CASE("vici client follows CHILD_SA setup and failures between two charons",
          "[vici][charon][root]") {
  REQUIRE_ROOT();
  TunnelLab lab;
  REQUIRE(network_namespace_of(std::to_string(lab.initiator.pid())) ==
          network_namespace_of(std::to_string(lab.responder.pid())));

  SECTION("matching settings install the CHILD_SA on both sides") {
    lab.load(kTestPsk, kIkeProposal, kEspProposal);
    const auto started = lab.initiate();
    CHECK(started.response.get("success") == "yes");
    CHECK(any_line_mentions(started.events, "CHILD_SA s2s{1} established"));

    for (Client* side : {&lab.a, &lab.b}) {
      const auto ike_up = side->wait_event(
          [](const Event& event) { return is_updown(event, "ike-updown", true); }, 5s);
      REQUIRE(ike_up.has_value());
      CHECK(ike_up->message.get_section("s2s").get("state") == "ESTABLISHED");

      const auto child_up = side->wait_event(
          [](const Event& event) { return is_updown(event, "child-updown", true); }, 5s);
      REQUIRE(child_up.has_value());
      const Section& child = only_child_sa(*child_up);
      // Child SA sections are keyed "<name>-<uniqueid>"; the name is inside.
      CHECK(child_up->message.get_section("s2s").get_section("child-sas").entries().front().name ==
            "s2s-1");
      CHECK(child.get("name") == "s2s");
      CHECK(child.get("state") == "INSTALLED");
      CHECK(child.get("encap") == "yes");
      CHECK(child.get_list("local-ts") == List{"0.0.0.0/0"});
      CHECK(child.get_list("remote-ts") == List{"0.0.0.0/0"});
    }

    const auto sas = lab.b.stream_request("list-sas", "list-sa");
    REQUIRE(sas.events.size() == 1);
    CHECK(sas.events[0].get_section("s2s").get("state") == "ESTABLISHED");

    Message terminate;
    terminate.set("ike", "s2s").set("timeout", "5000");
    lab.b.stream_request("terminate", "control-log", terminate, 10s);
    const auto child_down = lab.a.wait_event(
        [](const Event& event) { return is_updown(event, "child-updown", false); }, 5s);
    CHECK(child_down.has_value());
    const auto ike_down = lab.a.wait_event(
        [](const Event& event) { return is_updown(event, "ike-updown", false); }, 5s);
    CHECK(ike_down.has_value());
  }

  SECTION("a wrong pre-shared key fails authentication") {
    lab.load("not-the-responders-psk", kIkeProposal, kEspProposal);
    const auto started = lab.initiate();
    CHECK(started.response.get("success") == "no");
    CHECK(started.response.get("errmsg") == "establishing CHILD_SA 's2s' failed");
    CHECK(any_line_mentions(started.events, "received AUTHENTICATION_FAILED notify error"));
    CHECK(lab.a.wait_event(
        [](const Event& event) { return log_mentions(event, "but MAC mismatched"); }, 5s));
    // The half-made IKE_SA is reported down (no "up" key), state CONNECTING.
    const auto ike_down = lab.b.wait_event(
        [](const Event& event) { return is_updown(event, "ike-updown", false); }, 5s);
    REQUIRE(ike_down.has_value());
    CHECK(ike_down->message.get_section("s2s").get("state") == "CONNECTING");
  }

  SECTION("mismatched IKE proposals fail with NO_PROPOSAL_CHOSEN") {
    lab.load(kTestPsk, "aes128-sha256-ecp256", kEspProposal);
    const auto started = lab.initiate();
    CHECK(started.response.get("success") == "no");
    CHECK(any_line_mentions(started.events, "received NO_PROPOSAL_CHOSEN notify error"));
    CHECK(lab.a.wait_event(
        [](const Event& event) { return log_mentions(event, "received proposals unacceptable"); },
        5s));
  }

  SECTION("mismatched ESP proposals keep the IKE_SA without a CHILD_SA") {
    lab.load(kTestPsk, kIkeProposal, "aes128gcm16");
    const auto started = lab.initiate();
    CHECK(started.response.get("success") == "no");
    CHECK(any_line_mentions(started.events, "received NO_PROPOSAL_CHOSEN notify, no CHILD_SA"));
    CHECK(lab.a.wait_event(
        [](const Event& event) { return log_mentions(event, "no acceptable proposal found"); },
        5s));
    CHECK(lab.b.wait_event([](const Event& event) { return is_updown(event, "ike-updown", true); },
                           1s));
    CHECK_FALSE(lab.b.wait_event("child-updown", 200ms));
  }
}
