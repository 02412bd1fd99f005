// hublab check, ping and trace against the running reference lab, cross-
// checked with the system's ping and traceroute. These tests need root.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/scratch_lab.h"

using namespace hublab::test;

namespace {

const std::string kReferenceLab = reference_lab();

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The hop count a traceroute-shaped output reports: the number of the line
// that names the destination.
int hops_in(const std::string& output, const std::string& destination) {
  std::istringstream lines(output);
  int hops = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    int number = 0;
    std::string address;
    if (fields >> number >> address && address == destination) hops = number;
  }
  return hops;
}

int system_trace_hops(const ScratchLab& lab, const std::string& from, const std::string& to,
                      const std::vector<std::string>& mode) {
  std::vector<std::string> command = {"traceroute", "-n", "-w", "1", "-q", "1", "-m", "12"};
  command.insert(command.end(), mode.begin(), mode.end());
  command.push_back(to);
  return hops_in(lab.exec(from, command).out, to);
}

int native_trace_hops(const ScratchLab& lab, const std::string& from, const std::string& to,
                      const std::string& protocol) {
  return hops_in(run({hublab_binary(), "trace", lab.name(), from, to, "-P", protocol}).out, to);
}

}  // namespace

TEST_CASE("check passes on the reference lab with the seed's expectations", "[check][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "pass");
  REQUIRE(lab.up_result().exit_code == 0);
  std::string junit = "/tmp/" + lab.name() + ".xml";
  auto result = run({hublab_binary(), "check", lab.name(), "--junit", junit});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("30 expectations, 30 held, 0 failed") != std::string::npos);
  CHECK(result.out.find("reachability (row: from, column: to") != std::string::npos);
  std::string xml = read_file(junit);
  // 30 pairs and the effective routes of 6 VMs against the model
  CHECK(xml.find("tests=\"36\" failures=\"0\"") != std::string::npos);
  unlink(junit.c_str());

  auto json = run({hublab_binary(), "check", lab.name(), "--json"});
  CHECK(json.exit_code == 0);
  auto report = nlohmann::json::parse(json.out);
  CHECK(report["passed"] == true);
  CHECK(report["results"].size() == 30);
  int reachable = 0;
  for (const auto& r : report["results"]) {
    reachable += r["seen"]["reachable"].get<bool>();
    if (r["seen"]["reachable"].get<bool>()) CHECK(r["seen"]["hops"] == 1);  // as in Azure
  }
  CHECK(reachable == 26);

  // The check's traffic crossed every kind of link (subnets, peerings,
  // gateways, tunnels), yet every L3 neighbor is a permanent entry written
  // by the plan, none learned: large labs must not fill the host's shared
  // neighbor table.
  CHECK(shell("ip -n " + lab.netns("vm-spoke10") + " neigh show 10.10.0.1").out.find("PERMANENT") !=
        std::string::npos);
  CHECK(shell("ip -n " + lab.netns("spoke10") + " neigh show 10.10.0.4").out.find("PERMANENT") !=
        std::string::npos);
  // NOARP entries (multicast on the bridges, the TUN device) are not
  // learned from the network and not counted toward the limit either.
  std::string learned;
  for (const char* node :
       {"vm-hub00", "vm-spoke10", "hub00", "spoke10", "spoke20", "hub100", "vpngw-hub01",
        "vpngw-hub02", "hub01-hub02@vpngw-hub01", "hub01-hub02@vpngw-hub02", "internet"})
    learned +=
        shell("ip -n " + lab.netns(node) + " neigh show nud all | grep -v -e PERMANENT -e NOARP")
            .out;
  CHECK(learned == "");
}

TEST_CASE("A wrong expectation fails check with exit 1, naming it", "[check][root]") {
  REQUIRE_ROOT();
  // Spoke to spoke through the hub does not work without a UDR.
  LabVariant variant(
      "[[expect.rule]]\nfrom = \"vm-spoke10\"\nto = \"vm-spoke20\"\nreachable = true\n");
  ScratchLab lab(variant.path(), "wrong");
  REQUIRE(lab.up_result().exit_code == 0);
  std::string junit = "/tmp/" + lab.name() + ".xml";
  auto result = run({hublab_binary(), "check", lab.name(), "--junit", junit});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("30 expectations, 29 held, 1 failed") != std::string::npos);
  CHECK(result.out.find("FAIL: expected reachable, 1 hop, seen unreachable") != std::string::npos);
  std::string xml = read_file(junit);
  CHECK(xml.find("failures=\"1\"") != std::string::npos);
  CHECK(xml.find("name=\"vm-spoke10 -&gt; vm-spoke20 (icmp)\">\n      <failure message=\"expected "
                 "reachable, 1 hop, seen unreachable\"") != std::string::npos);
  unlink(junit.c_str());
}

TEST_CASE("check --up --down brings a lab up, checks it and removes it", "[check][root]") {
  REQUIRE_ROOT();
  std::string name = unique_lab_name("updown");
  LabVariant variant("", name);
  auto result = run({hublab_binary(), "check", variant.path(), "--up", "--down", "--json"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(nlohmann::json::parse(result.out)["passed"] == true);  // stdout is only the report
  CHECK(result.err.find("is up in") != std::string::npos);
  CHECK(leftovers_of(name).empty());
}

TEST_CASE("check of a lab that is not up is bad input", "[check][root]") {
  REQUIRE_ROOT();
  auto result = run({hublab_binary(), "check", unique_lab_name("absent")});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("is not up") != std::string::npos);
}

TEST_CASE("Native probes agree with ping and traceroute, hops hidden and visible",
          "[check][root]") {
  REQUIRE_ROOT();
  struct Pair {
    const char* from;
    const char* to;
    int visible_hops;  // 0: unreachable
  };
  const Pair pairs[] = {{"vm-spoke10", "10.0.0.4", 3},
                        // routers spoke10, hub00, the gateway and its connection's
                        // end on each side, hub100, spoke110; then the VM
                        {"vm-spoke10", "10.110.0.4", 9},
                        {"vm-hub100", "10.120.0.4", 3},
                        {"vm-spoke10", "10.20.0.4", 0}};
  for (bool visible : {false, true}) {
    ScratchLab lab(kReferenceLab, visible ? "visible" : "hidden",
                   {"--hops", visible ? "visible" : "hidden"});
    REQUIRE(lab.up_result().exit_code == 0);
    for (const Pair& pair : pairs) {
      INFO((visible ? "visible " : "hidden ") << pair.from << " -> " << pair.to);
      bool system_ping = lab.pings(pair.from, pair.to);
      auto native_ping = run({hublab_binary(), "ping", lab.name(), pair.from, pair.to, "-c", "1"});
      CHECK(system_ping == (pair.visible_hops > 0));
      CHECK((native_ping.exit_code == 0) == system_ping);
      if (!system_ping) continue;
      int expected = visible ? pair.visible_hops : 1;
      CHECK(system_trace_hops(lab, pair.from, pair.to, {"-I"}) == expected);
      CHECK(system_trace_hops(lab, pair.from, pair.to, {}) == expected);  // UDP
      CHECK(native_trace_hops(lab, pair.from, pair.to, "icmp") == expected);
      CHECK(native_trace_hops(lab, pair.from, pair.to, "udp") == expected);
    }
  }
}

TEST_CASE("A routing loop through invisible routers still dies", "[check][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "loop");
  REQUIRE(lab.up_result().exit_code == 0);
  // 10.99.0.0/16: spoke10's subnet sends it to hub00, hub00 sends it back.
  REQUIRE(shell("ip -n " + lab.netns("spoke10") +
                " route add 10.99.0.0/16 via 169.254.0.0 dev p-hub00 table 100")
              .exit_code == 0);
  REQUIRE(
      shell("ip -n " + lab.netns("hub00") + " route add 10.99.0.0/16 via 169.254.0.1 dev p-spoke10")
          .exit_code == 0);
  auto forwarded = [&] {
    auto out = shell("ip netns exec " + lab.netns("hub00") +
                     " awk '/^Ip: [0-9]/ {print $7}' /proc/net/snmp")
                   .out;
    return std::stol(out);
  };
  long before = forwarded();
  // A low TTL, the kind the fabric raises to hide itself.
  lab.exec("vm-spoke10", {"ping", "-c", "1", "-t", "5", "-W", "1", "10.99.0.4"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long after = forwarded();
  // The loop wore the TTL down (5 + 16) and stopped: a bounded number of
  // forwards at hub00, not a packet circling forever.
  CHECK(after - before > 0);
  CHECK(after - before <= 16);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(forwarded() == after);
}
