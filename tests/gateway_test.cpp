// VPN gateways on real charon daemons: the reference lab's tunnel, and the
// failures `up` must explain. These tests need root.

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/scratch_lab.h"
#include "tests/support/watched_command.h"

using namespace hublab::test;

namespace {

const std::string kReferenceLab = reference_lab();

nlohmann::json status_of(const std::string& lab) {
  auto result = run({hublab_binary(), "status", lab, "--json"});
  REQUIRE(result.exit_code == 0);
  return nlohmann::json::parse(result.out);
}

// The CHILD_SA counters of one side of the reference lab's connection.
nlohmann::json side_of(const nlohmann::json& status, int side) {
  REQUIRE(status["connections"].size() == 1);
  return status["connections"][0]["sides"][side];
}

std::string up_failure(const std::string& extra, const std::string& stem) {
  LabVariant variant(extra);
  std::string name = unique_lab_name(stem);
  auto result = run({hublab_binary(), "up", variant.path(), "--name", name});
  CHECK(result.exit_code == 1);
  CHECK(leftovers_of(name).empty());  // up removed what it made, charons included
  return result.err;
}

}  // namespace

TEST_CASE("The reference lab's tunnel comes up and carries traffic between the BGP peer IPs",
          "[gateway][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "tunnel");
  INFO(lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);

  nlohmann::json before = status_of(lab.name());
  for (int side = 0; side < 2; ++side) {
    CHECK(side_of(before, side)["ike_state"] == "ESTABLISHED");
    CHECK(side_of(before, side)["child_sa_state"] == "INSTALLED");
  }
  // Cross-checked with swanctl over the same vici socket.
  auto swanctl = shell("swanctl --list-sas --uri unix:///run/hublab/" + lab.name() +
                       "/charon/hub01-hub02@vpngw-hub02/charon.vici");
  CHECK(swanctl.out.find("INSTALLED, TUNNEL-in-UDP") != std::string::npos);

  auto ping =
      lab.exec("vpngw-hub01", {"ping", "-c", "3", "-i", "0.2", "-W", "1", "-n", "10.100.200.254"});
  CHECK(ping.exit_code == 0);
  // The far BGP peer IP through the connection's end, and there into ipsec0.
  CHECK(shell("ip -n " + lab.netns("vpngw-hub01") + " route get 10.100.200.254")
            .out.find("via 169.254.128.1 dev tun0") != std::string::npos);
  CHECK(shell("ip -n " + lab.netns("hub01-hub02@vpngw-hub01") +
              " route get 10.100.200.254 from 10.0.200.254 iif gw0")
            .out.find("dev ipsec0") != std::string::npos);

  nlohmann::json after = status_of(lab.name());
  for (int side = 0; side < 2; ++side) {
    CHECK(side_of(after, side)["packets_out"].get<int>() >=
          side_of(before, side)["packets_out"].get<int>() + 3);
    CHECK(side_of(after, side)["packets_in"].get<int>() >=
          side_of(before, side)["packets_in"].get<int>() + 3);
  }
}

TEST_CASE("status lists every node and notices a dead charon", "[gateway][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "status");
  REQUIRE(lab.up_result().exit_code == 0);
  nlohmann::json status = status_of(lab.name());
  CHECK(status["nodes"].size() == 17);
  int ends = 0;
  for (const auto& node : status["nodes"]) {
    CHECK(node["present"] == true);
    if (node["role"] == "tunnel-end") {
      ++ends;
      CHECK(node["charon"]["alive"] == true);
    }
  }
  CHECK(ends == 2);
  // Each daemon's resident memory, and the sum by kind.
  for (const auto& node : status["nodes"])
    if (node.contains("charon")) CHECK(node["charon"]["rss_kib"].get<long>() > 0);
  std::map<std::string, long> memory;
  for (const auto& kind : status["memory"]) {
    memory[kind["kind"]] = kind["rss_kib"].get<long>();
    CHECK(kind["daemons"].get<int>() == (kind["kind"] == "bird" ? 8 : 2));
  }
  CHECK(memory["bird"] > 8 * 1024);  // BIRD takes megabytes, each
  CHECK(memory["charon"] > 2 * 1024);

  pid_t charon = 0;
  for (const auto& node : status["nodes"])
    if (node["name"] == "hub01-hub02@vpngw-hub02") charon = node["charon"]["pid"].get<int>();
  REQUIRE(charon > 0);
  REQUIRE(kill(charon, SIGKILL) == 0);
  usleep(200000);
  nlohmann::json later = status_of(lab.name());
  for (const auto& node : later["nodes"])
    if (node["name"] == "hub01-hub02@vpngw-hub02") CHECK(node["charon"]["alive"] == false);
  CHECK(side_of(later, 1)["charon_alive"] == false);
  auto table = run({hublab_binary(), "status", lab.name()});
  CHECK(table.out.find("DAEMON-DEAD") != std::string::npos);
}

TEST_CASE("down stops every charon of the lab", "[gateway][root]") {
  REQUIRE_ROOT();
  std::vector<std::string> pids;
  std::string name;
  {
    ScratchLab lab(kReferenceLab, "stop");
    name = lab.name();
    REQUIRE(lab.up_result().exit_code == 0);
    nlohmann::json status = status_of(name);
    for (const auto& node : status["nodes"])
      if (node.contains("charon")) pids.push_back(std::to_string(node["charon"]["pid"].get<int>()));
  }
  REQUIRE(pids.size() == 2);
  for (const std::string& pid : pids) {
    // Gone, or a zombie waiting for init to reap it: not running either way.
    auto state = shell("awk '{print $3}' /proc/" + pid + "/stat 2>/dev/null").out;
    CHECK((state.empty() || state == "Z\n"));
  }
  CHECK(leftovers_of(name).empty());
}

TEST_CASE("The shared key appears in no output, log or state file", "[gateway][root]") {
  REQUIRE_ROOT();
  const std::string key = "hublab-test-key-7f3a9c";
  LabVariant variant("[connection.hub01-hub02.vpngw-hub01]\nshared_key = \"" + key +
                     "\"\n[connection.hub01-hub02.vpngw-hub02]\nshared_key = \"" + key + "\"\n");
  std::string name = unique_lab_name("secret");
  DownOnExit down(name);
  auto up = run({hublab_binary(), "up", variant.path(), "--name", name});
  REQUIRE(up.exit_code == 0);
  auto status = run({hublab_binary(), "status", name, "--json"});
  CHECK(up.out.find(key) == std::string::npos);
  CHECK(status.out.find(key) == std::string::npos);
  // lab.toml is the user's own file, kept 0600, and keys the keys up
  // resolved (0600, hex: faults re-plan with them); nothing else holds it.
  auto holders = shell("grep -rl -F '" + key + "' /run/hublab/" + name + " | grep -v lab.toml");
  CHECK(holders.out.empty());
  CHECK(shell("stat -c %a /run/hublab/" + name + "/lab.toml").out == "600\n");
  CHECK(shell("stat -c %a /run/hublab/" + name + "/keys").out == "600\n");
  CHECK(shell("grep -c -F \"$(printf %s '" + key +
              "' | od -An -tx1 | tr -d ' \\n')\" /run/hublab/" + name + "/keys")
            .out == "1\n");
  CHECK(shell("find /run/hublab/" + name + " -perm /o=rwx").out.empty());
}

TEST_CASE("A wrong shared key fails up with its reason", "[gateway][root]") {
  REQUIRE_ROOT();
  std::string err = up_failure(
      "[connection.hub01-hub02.vpngw-hub01]\nshared_key = \"first-key-1\"\n"
      "[connection.hub01-hub02.vpngw-hub02]\nshared_key = \"other-key-2\"\n",
      "wrongkey");
  CHECK(err.find("connection hub01-hub02 (vpngw-hub01 <-> vpngw-hub02) did not come up: the "
                 "pre-shared keys of the two sides differ") != std::string::npos);
  CHECK(err.find("charon/hub01-hub02@vpngw-hub01/charon.log") != std::string::npos);
  CHECK(err.find("first-key-1") == std::string::npos);
  CHECK(err.find("other-key-2") == std::string::npos);
}

TEST_CASE("Mismatched IKE proposals fail up with their reason", "[gateway][root]") {
  REQUIRE_ROOT();
  std::string err = up_failure(
      "[connection.hub01-hub02.vpngw-hub02]\n"
      "ipsec_policy = { ike = [\"aes128-sha256-modp2048\"], esp = [\"aes256gcm16\"] }\n",
      "ikemismatch");
  CHECK(err.find("did not come up: the two sides have no IKE proposal in common") !=
        std::string::npos);
}

TEST_CASE("Mismatched ESP proposals fail up with their reason", "[gateway][root]") {
  REQUIRE_ROOT();
  std::string err = up_failure(
      "[connection.hub01-hub02.vpngw-hub02]\n"
      "ipsec_policy = { ike = [\"aes256-sha1-modp1024\"], esp = [\"aes128-sha256\"] }\n",
      "espmismatch");
  CHECK(err.find("did not come up: the two sides have no IPsec (ESP) proposal in common") !=
        std::string::npos);
}

TEST_CASE("A key that cannot be read stops up before anything is made", "[gateway][root]") {
  REQUIRE_ROOT();
  LabVariant variant(
      "[connection.hub01-hub02.vpngw-hub02]\nshared_key_env = \"HUBLAB_NO_SUCH_VAR\"\n");
  std::string name = unique_lab_name("nokey");
  auto result = run(
      {"env", "-u", "HUBLAB_NO_SUCH_VAR", hublab_binary(), "up", variant.path(), "--name", name});
  CHECK(result.exit_code == 2);
  // One line, at the line and column of the field.
  CHECK(line_count(result.err) == 1);
  CHECK(std::regex_match(
      result.err,
      std::regex(variant.path() + ":[0-9]+:18: connection\\.hub01-hub02\\.vpngw-hub02\\."
                                  "shared_key_env: the environment variable "
                                  "HUBLAB_NO_SUCH_VAR is not set\n")));
  CHECK(leftovers_of(name).empty());
}

TEST_CASE("An unreachable peer fails up within seconds, saying so", "[gateway][root]") {
  REQUIRE_ROOT();
  // vpngw-hub01 dials an address where no gateway is (as with a mistyped
  // local network gateway IP in Azure): IKE gets no answer.
  auto started = std::chrono::steady_clock::now();
  std::string err = up_failure(
      "[connection.hub01-hub02.vpngw-hub01]\npeer_ip = \"198.51.100.99\"\n", "unreachable");
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  CHECK(err.find("did not come up: the peer does not answer IKE") != std::string::npos);
  CHECK(seconds < 15);
}

TEST_CASE("Daemons of one lab do not keep another lab's namespaces alive", "[gateway][root]") {
  REQUIRE_ROOT();
  ScratchLab first_lab(kReferenceLab, "keeper-a");
  const std::string first = first_lab.name();
  REQUIRE(first_lab.up_result().exit_code == 0);
  // The second lab's charons and BIRDs start while the first lab's
  // namespaces are mounted under /run/netns.
  ScratchLab second(kReferenceLab, "keeper-b");
  REQUIRE(second.up_result().exit_code == 0);
  REQUIRE(run({hublab_binary(), "down", first}).exit_code == 0);
  // No mount table of any process still holds the first lab's namespaces.
  auto holders = shell("grep -l -F '/run/netns/" + first + ".' /proc/[0-9]*/mountinfo 2>/dev/null");
  CHECK(holders.out.empty());
}

TEST_CASE("A key from the environment does not reach the daemons' environment", "[gateway][root]") {
  REQUIRE_ROOT();
  const std::string key = "hublab-env-key-51d2";
  LabVariant variant(
      "[connection.hub01-hub02.vpngw-hub01]\nshared_key_env = \"HUBLAB_T_PSK\"\n"
      "[connection.hub01-hub02.vpngw-hub02]\nshared_key_env = \"HUBLAB_T_PSK\"\n");
  std::string name = unique_lab_name("envkey");
  DownOnExit down(name);
  auto up = run({"env", "HUBLAB_T_PSK=" + key, hublab_binary(), "up", variant.path(), "--name",
                 name, "--quiet"});
  REQUIRE(up.exit_code == 0);
  auto daemons = shell("awk '{print $3}' /run/hublab/" + name + "/daemons").out;
  CHECK(!daemons.empty());
  auto holders =
      shell("for p in " + daemons + "; do tr '\\0' '\\n' < /proc/$p/environ | grep -l -F '" + key +
            "' && echo $p; done");
  CHECK(holders.out.empty());
  // The gateway's daemons stopped and started again by a fault, from a shell
  // without the variable: up resolved the key once and the lab kept it.
  for (const char* action : {"down", "up"}) {
    auto fault = run({"env", "-u", "HUBLAB_T_PSK", hublab_binary(), "fault", name, "gateway",
                      "vpngw-hub02", action});
    INFO(fault.err);
    CHECK(fault.exit_code == 0);
  }
  CHECK(run({hublab_binary(), "check", name}).exit_code == 0);
}
