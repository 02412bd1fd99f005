// Azure's route distribution on real BIRD and charon daemons: what every VM
// of the reference lab reaches, the routes of spoke10's subnet, and what a
// failed tunnel withdraws. These tests need root.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "tests/support/scratch_lab.h"

using namespace hublab::test;

namespace {

const std::string kReferenceLab = reference_lab();

struct Vm {
  const char* name;
  const char* address;
};
const Vm kVms[] = {{"vm-hub00", "10.0.0.4"},      {"vm-spoke10", "10.10.0.4"},
                   {"vm-spoke20", "10.20.0.4"},   {"vm-hub100", "10.100.0.4"},
                   {"vm-spoke110", "10.110.0.4"}, {"vm-spoke120", "10.120.0.4"}};

bool same_hub_spokes(const std::string& a, const std::string& b) {
  auto spokes_of_hub00 = std::set<std::string>{"vm-spoke10", "vm-spoke20"};
  auto spokes_of_hub100 = std::set<std::string>{"vm-spoke110", "vm-spoke120"};
  return (spokes_of_hub00.count(a) && spokes_of_hub00.count(b)) ||
         (spokes_of_hub100.count(a) && spokes_of_hub100.count(b));
}

// The BGP-learned rows of spoke10's "default" subnet table.
std::string learned_routes(const ScratchLab& lab) {
  return shell("ip -n " + lab.netns("spoke10") + " -4 route show table 100 proto bird | sort").out;
}

bool wait_for(const std::function<bool()>& condition, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

const char* kLearned =
    "10.100.0.0/16 via 169.254.0.0 dev p-hub00 metric 32 \n"
    "10.100.200.254 via 169.254.0.0 dev p-hub00 metric 32 \n"
    "10.110.0.0/16 via 169.254.0.0 dev p-hub00 metric 32 \n"
    "10.120.0.0/16 via 169.254.0.0 dev p-hub00 metric 32 \n";

}  // namespace

TEST_CASE("Every VM reaches what Azure lets it reach, and nothing more", "[routing][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "matrix");
  INFO(lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  int reachable = 0;
  for (const Vm& from : kVms) {
    for (const Vm& to : kVms) {
      if (std::string(from.name) == to.name) continue;
      bool expected = !same_hub_spokes(from.name, to.name);
      INFO(from.name << " -> " << to.name);
      CHECK(lab.pings(from.name, to.address) == expected);
      reachable += expected;
    }
  }
  CHECK(reachable == 26);  // 30 ordered pairs, 4 between spokes of one hub
}

TEST_CASE("spoke10's subnet routes are the real deployment's six prefixes plus the defaults",
          "[routing][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "spoke10");
  REQUIRE(lab.up_result().exit_code == 0);
  // Every prefix of the table, whatever installed it.
  auto prefixes = shell("ip -n " + lab.netns("spoke10") +
                        " -4 route show table 100 | awk '{print $1 == \"blackhole\" || $1 == "
                        "\"throw\" ? $2 : $1}' | sort")
                      .out;
  CHECK(prefixes ==
        // The real deployment's table: VNet, peering, and four routes from the gateway
        "10.0.0.0/16\n"
        "10.0.0.0/8\n"  // default system route (None)
        "10.10.0.0/16\n"
        "10.100.0.0/16\n"
        "10.100.200.254\n"
        "10.110.0.0/16\n"
        "10.120.0.0/16\n"
        "100.64.0.0/10\n"
        "172.16.0.0/12\n"
        "192.168.0.0/16\n"
        "default\n");
  CHECK(learned_routes(lab) == kLearned);
}

TEST_CASE("A tunnel that goes down withdraws its routes everywhere, back up, they return",
          "[routing][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "withdraw");
  REQUIRE(lab.up_result().exit_code == 0);
  REQUIRE(learned_routes(lab) == kLearned);
  std::string vici =
      "unix:///run/hublab/" + lab.name() + "/charon/hub01-hub02@vpngw-hub01/charon.vici";

  // The tunnel goes; BGP's hold timer (3 s) runs out; BIRD withdraws, with
  // no hublab process running.
  REQUIRE(shell("swanctl --terminate --ike hub01-hub02 --uri " + vici).exit_code == 0);
  CHECK(wait_for([&] { return learned_routes(lab).empty(); }, std::chrono::seconds(10)));
  CHECK_FALSE(lab.pings("vm-spoke10", "10.110.0.4"));
  CHECK(lab.pings("vm-spoke10", "10.0.0.4"));  // the peering stays

  REQUIRE(shell("swanctl --initiate --child hub01-hub02 --uri " + vici).exit_code == 0);
  CHECK(wait_for([&] { return learned_routes(lab) == kLearned; }, std::chrono::seconds(15)));
  CHECK(lab.pings("vm-spoke10", "10.110.0.4"));
}

TEST_CASE("status shows every BGP session Established", "[routing][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "bgpstatus");
  REQUIRE(lab.up_result().exit_code == 0);
  auto table = run({hublab_binary(), "status", lab.name()});
  // 2 eBGP ends + 2 gateway-hub pairs + 4 hub-spoke pairs.
  CHECK(shell("echo '" + table.out + "' | grep -c ' Established '").out == "14\n");
  // Cross-checked with birdc on the same control socket.
  auto birdc = shell("birdc -s /run/hublab/" + lab.name() +
                     "/bird/vpngw-hub01/bird.ctl show protocols conn_hub01_hub02");
  CHECK(birdc.out.find("Established") != std::string::npos);
}

// RS13's seam, in a lab without a Route Server: the hubs peered as well as
// joined by their VPN. A spoke's route to the far hub is its gateway's
// (the spoke is not peered with it), so its hub's router must carry the
// packet to the gateway though the far hub is that router's own peer: its
// main table shields only its own space (plan/bird_config, transit_routes).
TEST_CASE("Hubs both peered and joined by VPN: a spoke reaches the far hub by its gateway route",
          "[routing][root]") {
  REQUIRE_ROOT();
  EditedLab peered(kReferenceLab, [](std::string& text) {
    replace_once(text,
                 "[[peering]]\nhub100 = { allow_gateway_transit = true, allow_forwarded_traffic = "
                 "true }\nspoke110",
                 "[[peering]]\nhub00 = {}\nhub100 = {}\n\n[[peering]]\nhub100 = { "
                 "allow_gateway_transit = true, allow_forwarded_traffic = true }\nspoke110");
  });
  ScratchLab lab(peered.path(), "hubs-peered");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  CHECK(lab.pings("vm-spoke10", "10.100.0.4"));
  // hub00's own subnets take the peering (system routes win); its main
  // table, which carries spoke10's packets, the gateway's route.
  auto main = lab.exec("hub00", {"ip", "route", "show", "10.100.0.0/16", "proto", "bird"});
  CHECK(main.out.find("10.100.0.0/16") != std::string::npos);
  auto subnet = lab.exec("hub00", {"ip", "route", "show", "table", "100", "10.100.0.0/16"});
  CHECK(subnet.out.find("proto bird") == std::string::npos);
}
