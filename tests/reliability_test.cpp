// Reliability as issue R asks it of the whole tool, beyond each feature's
// own tests: secrets that leak nowhere; daemons killed from outside.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/command.h"
#include "tests/support/root.h"
#include "tests/support/scratch_lab.h"
#include "tests/support/watched_command.h"

namespace hublab::test {

namespace {

// Where a secret could leak on the host: every process's argv and
// environment, every file under /run, /tmp, /var/tmp and /var/log (the
// namespaces' mounts aside). The paths that hold it, one per line.
std::string holders_of(const std::string& secret) {
  // The secret reaches grep in a file of the test's working directory
  // (which is not searched), never in an argv that the search would find.
  const std::string pattern = std::filesystem::absolute("canary-pattern").string();
  std::ofstream(pattern) << secret << "\n";
  const std::string found = shell("grep -l -F -f '" + pattern +
                                  "' /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null; "
                                  "grep -r -l -F --exclude-dir=netns -f '" +
                                  pattern + "' /run /tmp /var/tmp /var/log 2>/dev/null")
                                .out;
  std::filesystem::remove(pattern);
  return found;
}

std::string hex_of(const std::string& text) {
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : text) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

// What every command a user might run prints about a running lab.
std::string every_output(const std::string& lab, const std::string& file) {
  std::string out;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"status", lab},
           {"status", lab, "--json"},
           {"check", lab, "--json"},
           {"list"},
           {"routes", lab, "vm-hub00"},
           {"graph", lab},
           {"explain", lab, "vm-spoke10", "vm-spoke110", "--json"},
           {"logs", lab, "vpngw-hub01"},
           {"logs", lab, "vpngw-hub02"},
           {"fault", lab, "tunnel", "hub01-hub02", "down"},
           {"fault", lab, "tunnel", "hub01-hub02", "up"},
           {"fault", lab, "list"},
           {"exec", lab, "no-such-node", "--", "true"},
           {"validate", file},
           {"predict", file, "--json"},
           {"up", file, "--name", lab},  // refused: the lab is up
       }) {
    auto result = run_hublab(args);
    out += result.out + result.err;
  }
  return out;
}

}  // namespace

TEST_CASE(
    "Secrets: canary keys set by file, by environment and in the lab file appear in no "
    "argv, environment, log, output or file but the user's and the lab's private keys",
    "[reliability][root]") {
  REQUIRE_ROOT();
  const std::string by_file = "hublab-canary-file-" + std::to_string(getpid());
  const std::string in_lab = "hublab-canary-lab-" + std::to_string(getpid());
  // One side's key from a file, the other's from the environment: the same
  // key, so that the tunnel comes up.
  const std::string key_file = "/tmp/" + unique_lab_name("canary") + ".key";
  std::ofstream(key_file) << by_file << "\n";
  chmod(key_file.c_str(), 0600);
  LabVariant from_outside("[connection.hub01-hub02.vpngw-hub01]\nshared_key_file = \"" +
                          key_file.substr(5) +
                          "\"\n[connection.hub01-hub02.vpngw-hub02]\nshared_key_env = "
                          "\"HUBLAB_CANARY_KEY\"\n");
  const std::string outside = unique_lab_name("canary-out");
  DownOnExit down_outside(outside);
  auto up = run({"env", "HUBLAB_CANARY_KEY=" + by_file, hublab_binary(), "up", from_outside.path(),
                 "--name", outside});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);

  LabVariant written("[connection.hub01-hub02.vpngw-hub01]\nshared_key = \"" + in_lab +
                     "\"\n[connection.hub01-hub02.vpngw-hub02]\nshared_key = \"" + in_lab + "\"\n");
  ScratchLab inside(written.path(), "canary-in");
  INFO(inside.up_result().err);
  REQUIRE(inside.up_result().exit_code == 0);

  const std::string outputs = up.out + up.err + inside.up_result().out + inside.up_result().err +
                              every_output(outside, from_outside.path()) +
                              every_output(inside.name(), written.path());
  CHECK(outputs.find(by_file) == std::string::npos);
  CHECK(outputs.find(in_lab) == std::string::npos);
  // The key file is the user's; the lab file that holds a key is the
  // user's, and so is its 0600 copy in the lab's state.
  CHECK(holders_of(by_file) == key_file + "\n");
  CHECK(holders_of(in_lab) ==
        "/run/hublab/" + inside.name() + "/lab.toml\n" + written.path() + "\n");
  // The keys up resolved (0600, hex), and nowhere else in that form either.
  CHECK(holders_of(hex_of(by_file)) == "/run/hublab/" + outside + "/keys\n");
  CHECK(holders_of(hex_of(in_lab)) == "/run/hublab/" + inside.name() + "/keys\n");
  unlink(key_file.c_str());
}

TEST_CASE(
    "Daemons killed from outside: status says so, check reports it and returns, down "
    "cleans",
    "[reliability][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(reference_lab(), "killed");
  REQUIRE(lab.up_result().exit_code == 0);
  // A VNet router's BIRD and a connection end's charon, as a crash or an
  // admin's kill -9 would leave them.
  auto pid_of = [&](const std::string& kind, const std::string& node) {
    std::string pid =
        shell("awk '$1 == \"" + kind + "\" && $2 == \"" + node + "\" {p = $3} END {print p}' " +
              "/run/hublab/" + lab.name() + "/daemons")
            .out;
    if (!pid.empty() && pid.back() == '\n') pid.pop_back();
    return pid;
  };
  const std::string bird = pid_of("bird", "hub00"),
                    charon = pid_of("charon", "hub01-hub02@vpngw-hub02");
  REQUIRE(!bird.empty());
  REQUIRE(!charon.empty());
  REQUIRE(shell("kill -9 " + bird + " " + charon).exit_code == 0);
  usleep(300000);
  auto status = run_hublab({"status", lab.name()});
  CHECK(status.exit_code == 0);
  CHECK(std::regex_search(status.out, std::regex("\nhub00 +vnet-router +DAEMON-DEAD")));
  CHECK(std::regex_search(status.out,
                          std::regex("\nhub01-hub02@vpngw-hub02 +tunnel-end +DAEMON-DEAD")));
  auto check = run_hublab({"check", lab.name(), "--json"});
  CHECK(check.exit_code == 1);
  const nlohmann::json report = nlohmann::json::parse(check.out);
  CHECK(report["passed"] == false);
  CHECK(report["dead_daemons"] ==
        nlohmann::json({"bird of hub00", "charon of hub01-hub02@vpngw-hub02"}));
  auto table = run_hublab({"check", lab.name()});
  CHECK(table.out.find("not running, and no fault stopped them: bird of hub00; charon of "
                       "hub01-hub02@vpngw-hub02;") != std::string::npos);
  REQUIRE(run_hublab({"down", lab.name()}).exit_code == 0);
  CHECK(leftovers_of(lab.name()).empty());
}

TEST_CASE(
    "An NVA's FRR killed from outside: status says so, check names it and returns, down "
    "cleans",
    "[reliability][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(lab_path("route-server-nva.toml"), "killed-frr");
  REQUIRE(lab.up_result().exit_code == 0);
  const std::vector<RecordedDaemon> daemons = recorded_daemons(lab.name());
  pid_t bgpd = 0;
  for (const RecordedDaemon& d : daemons)
    if (d.kind == "frr-bgpd" && d.node == "vm-nva00") bgpd = d.pid;
  REQUIRE(bgpd > 0);
  REQUIRE(kill(bgpd, SIGKILL) == 0);
  REQUIRE(wait_until([&] { return process_gone(bgpd); }, std::chrono::seconds(5)));
  auto status = run_hublab({"status", lab.name()});
  CHECK(status.exit_code == 0);
  CHECK(std::regex_search(status.out, std::regex("\nvm-nva00 +vm +DAEMON-DEAD")));
  auto check = run_hublab({"check", lab.name(), "--json"});
  CHECK(check.exit_code == 1);
  const nlohmann::json report = nlohmann::json::parse(check.out);
  CHECK(report["passed"] == false);
  CHECK(report["dead_daemons"] == nlohmann::json({"frr-bgpd of vm-nva00"}));
  auto table = run_hublab({"check", lab.name()});
  CHECK(table.out.find("not running, and no fault stopped them: frr-bgpd of vm-nva00;") !=
        std::string::npos);
  // zebra and staticd, still running, go with the lab.
  REQUIRE(run_hublab({"down", lab.name()}).exit_code == 0);
  CHECK(leftovers_of(lab.name()).empty());
  CHECK(processes_of(lab.name()).empty());
  for (const RecordedDaemon& d : daemons) CHECK(process_gone(d.pid));
}

}  // namespace hublab::test
