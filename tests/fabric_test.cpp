// The fabric on real namespaces: what `up` builds, what `down` removes, and
// what neither may touch. These tests need root.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/command.h"
#include "tests/support/scratch_lab.h"

using namespace hublab::test;

namespace {

const std::string kReferenceLab = reference_lab();

}  // namespace

TEST_CASE("Peering connects a spoke to its hub and nothing further", "[fabric][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "peering");
  INFO(lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);

  CHECK(lab.pings("vm-spoke10", "10.0.0.4"));  // spoke10 → hub00
  CHECK(lab.pings("vm-hub00", "10.10.0.4"));   // and back
  CHECK(lab.pings("vm-hub00", "10.20.0.4"));   // a hub reaches both spokes
  CHECK(lab.pings("vm-spoke120", "10.100.0.4"));
  // Peering is not transitive: the spoke's subnet drops it (a None route).
  CHECK_FALSE(lab.pings("vm-spoke10", "10.20.0.4"));
  CHECK_FALSE(lab.pings("vm-spoke110", "10.120.0.4"));
}

TEST_CASE("A spoke subnet's kernel table holds Azure's system routes", "[fabric][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "routes");
  REQUIRE(lab.up_result().exit_code == 0);
  // Cross-checked with iproute2, not with hublab's own view. The VNet (proto
  // 200), the peering (201) and the default system routes (None 202,
  // Internet 203) behind every BGP route (metric 1000): each route says in
  // its proto field what it stands for (plan/fabric.h).
  auto table = shell("ip -n " + lab.netns("spoke10") +
                     " -4 route show table 100 | grep -v 'proto bird' | sort")
                   .out;
  CHECK(table ==
        "10.0.0.0/16 via 169.254.0.0 dev p-hub00 proto 201 \n"
        "blackhole 10.0.0.0/8 proto 202 metric 1000 \n"
        "blackhole 100.64.0.0/10 proto 202 metric 1000 \n"
        "blackhole 172.16.0.0/12 proto 202 metric 1000 \n"
        "blackhole 192.168.0.0/16 proto 202 metric 1000 \n"
        "blackhole default proto 203 metric 1000 \n"
        "throw 10.10.0.0/16 proto 200 \n");
  CHECK(shell("ip -n " + lab.netns("spoke10") + " rule show pref 100").out ==
        "100:\tfrom all iif br0 lookup 100\n");
  CHECK(shell("ip -n " + lab.netns("vm-spoke10") + " -4 route").out ==
        "default via 10.10.0.1 dev eth0 proto 204 \n10.10.0.0/24 dev eth0 proto kernel scope "
        "link src 10.10.0.4 \n");
  CHECK(shell("ip -n " + lab.netns("hub00") + " link show br1 | grep -c 'alias AzureBastionSubnet'")
            .out == "1\n");
}

TEST_CASE("A dropped packet gets no ICMP error, as Azure's None routes do", "[fabric][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "none");
  REQUIRE(lab.up_result().exit_code == 0);
  // An unreachable error would make ping print "Destination Net Unreachable".
  auto result = lab.exec("vm-spoke10", {"ping", "-c", "1", "-W", "1", "-n", "10.20.0.4"});
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("Unreachable") == std::string::npos);
  CHECK(result.out.find("1 packets transmitted, 0 received") != std::string::npos);
}

TEST_CASE("down removes every namespace, mount and state file, and the host is untouched",
          "[fabric][root]") {
  REQUIRE_ROOT();
  std::string before = host_network_snapshot();
  std::string name;
  {
    ScratchLab lab(kReferenceLab, "down");
    name = lab.name();
    REQUIRE(lab.up_result().exit_code == 0);
    CHECK(shell("ls /run/netns | grep -c -F '" + name + ".'").out == "17\n");
    CHECK(host_network_snapshot() == before);  // nothing of the lab in the host's namespace
    auto listing = run({hublab_binary(), "list"});
    CHECK(listing.out.find(name) != std::string::npos);
  }
  CHECK(leftovers_of(name).empty());
  CHECK(host_network_snapshot() == before);
  auto again = run({hublab_binary(), "down", name});
  CHECK(again.exit_code == 0);  // down is idempotent
  CHECK(again.out.find("not up") != std::string::npos);
}

TEST_CASE("down refuses what is no lab name", "[fabric][root]") {
  REQUIRE_ROOT();
  for (const char* name : {"..", ".", "/", "a/b"}) {
    auto result = run({hublab_binary(), "down", name});
    CHECK(result.exit_code == 2);
  }
  CHECK(shell("ls -d /run/hublab 2>/dev/null || echo absent").exit_code == 0);
}

TEST_CASE("down also takes the lab file", "[fabric][root]") {
  REQUIRE_ROOT();
  // A copy whose [lab] name is unique, so down FILE finds this lab only.
  std::string name = unique_lab_name("byfile");
  std::string file = "/tmp/" + name + ".toml";
  shell("sed 's/^name = .*/name = \"" + name + "\"/' " + kReferenceLab + " > " + file);
  REQUIRE(run({hublab_binary(), "up", file}).exit_code == 0);
  auto result = run({hublab_binary(), "down", file});
  CHECK(result.exit_code == 0);
  CHECK(leftovers_of(name).empty());
  unlink(file.c_str());
}

TEST_CASE("A second up of a running lab is refused and changes nothing", "[fabric][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "twice");
  REQUIRE(lab.up_result().exit_code == 0);
  auto second = run({hublab_binary(), "up", kReferenceLab, "--name", lab.name()});
  CHECK(second.exit_code == 1);
  CHECK(second.err ==
        "hublab up: lab '" + lab.name() + "' is already up (hublab down " + lab.name() + ")\n");
  CHECK(lab.pings("vm-spoke10", "10.0.0.4"));
}

TEST_CASE("A bad lab changes nothing on the host", "[fabric][root]") {
  REQUIRE_ROOT();
  std::string before = host_network_snapshot();
  std::string name = unique_lab_name("bad");
  auto result =
      run({hublab_binary(), "up", source_path("tests/bad_labs/many-errors.toml"), "--name", name});
  CHECK(result.exit_code == 2);
  CHECK(leftovers_of(name).empty());
  CHECK(host_network_snapshot() == before);
}

TEST_CASE("A namespace in the way stops up before it changes anything", "[fabric][root]") {
  REQUIRE_ROOT();
  std::string name = unique_lab_name("clash");
  std::string squatter = name + ".vm-spoke20";
  REQUIRE(shell("ip netns add " + squatter).exit_code == 0);
  auto result = run({hublab_binary(), "up", kReferenceLab, "--name", name});
  CHECK(result.exit_code == 1);
  CHECK(result.err == "hublab up: network namespace '" + squatter +
                          "' already exists and is not hublab's; remove or rename it first\n");
  // Only the squatter remains: up never removes what it did not make.
  CHECK(shell("ls /run/netns | grep -F '" + name + ".'").out == squatter + "\n");
  shell("ip netns del " + squatter);
  CHECK(leftovers_of(name).empty());
}

TEST_CASE("A failed up removes what it made", "[fabric][root]") {
  REQUIRE_ROOT();
  // Each namespace costs up two descriptors (the namespace and its netlink
  // socket): with 16 allowed, the kernel refuses one halfway through.
  std::string name = unique_lab_name("fail");
  auto result =
      run({"prlimit", "--nofile=16:16", hublab_binary(), "up", kReferenceLab, "--name", name});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("Too many open files") != std::string::npos);
  CHECK(result.err.find("removed everything of lab '" + name + "' that was made") !=
        std::string::npos);
  CHECK(leftovers_of(name).empty());
}

TEST_CASE("An up killed at any moment leaves nothing that down cannot remove", "[fabric][root]") {
  REQUIRE_ROOT();
  for (int delay_us : {0, 1000, 3000, 6000, 10000, 20000}) {
    for (int signal : {SIGKILL, SIGINT}) {
      std::string name = unique_lab_name("kill");
      // The child must not run this test binary's SIGINT handler: it gets
      // the default one before the signal can reach it.
      sigset_t all, saved;
      sigfillset(&all);
      sigprocmask(SIG_BLOCK, &all, &saved);
      pid_t child = fork();
      if (child == 0) {
        ::signal(SIGINT, SIG_DFL);
        sigprocmask(SIG_SETMASK, &saved, nullptr);
        execl(hublab_binary().c_str(), "hublab", "up", kReferenceLab.c_str(), "--name",
              name.c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
      sigprocmask(SIG_SETMASK, &saved, nullptr);
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
      kill(child, signal);
      int status = 0;
      waitpid(child, &status, 0);
      INFO("delay " << delay_us << "us, signal " << signal);
      bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (signal == SIGINT && !finished)
        CHECK(leftovers_of(name).empty());  // an interrupted up cleans up after itself
      auto down = run({hublab_binary(), "down", name});
      CHECK(down.exit_code == 0);
      CHECK(leftovers_of(name).empty());
    }
  }
}

TEST_CASE("exec runs in the node's namespace and returns the command's exit code",
          "[fabric][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "exec");
  REQUIRE(lab.up_result().exit_code == 0);
  auto address = lab.exec("vm-spoke10", {"ip", "-br", "-4", "addr", "show", "eth0"});
  CHECK(address.exit_code == 0);
  CHECK(address.out.find("10.10.0.4/24") != std::string::npos);
  // /sys belongs to the node too, as with ip netns exec.
  CHECK(lab.exec("hub00", {"ls", "/sys/class/net/br2"}).exit_code == 0);
  CHECK(lab.exec("vm-hub00", {"sh", "-c", "exit 7"}).exit_code == 7);
  auto missing = lab.exec("vm-nowhere", {"true"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "hublab exec: lab '" + lab.name() + "' has no node 'vm-nowhere'\n");
  CHECK(lab.exec("vm-hub00", {"/no/such/program"}).exit_code == 127);
}

TEST_CASE("Without root, up says so in one line and touches nothing", "[fabric][root]") {
  REQUIRE_ROOT();
  std::string name = unique_lab_name("noroot");
  auto result = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", hublab_binary(),
                     "up", kReferenceLab, "--name", name});
  CHECK(result.exit_code == 1);
  // One line, naming what is missing and the fix (sudo here, a docker run
  // option inside a container).
  CHECK(result.err.rfind(
            "hublab up: privileges: missing CAP_NET_ADMIN and CAP_SYS_ADMIN (namespaces, links, "
            "mounts); fix: ",
            0) == 0);
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  CHECK(leftovers_of(name).empty());
}

TEST_CASE("scripts/scale-lab writes valid labs of the asked shape", "[fabric]") {
  const std::string file = "/tmp/" + unique_lab_name("scale") + ".toml";
  REQUIRE(shell(source_path("scripts/scale-lab") + " 3 4 gen > " + file).exit_code == 0);
  auto valid = run({hublab_binary(), "validate", file});
  CHECK(valid.exit_code == 0);
  CHECK(valid.out.find("15 VNets, 15 VMs, 12 peerings, 3 gateways, 2 connections") !=
        std::string::npos);
  // Every spoke reaches every VM behind the other hubs; spokes of one hub
  // do not reach each other (peering is not transitive).
  auto predicted = run({hublab_binary(), "predict", file, "--json"});
  REQUIRE(predicted.exit_code == 0);
  const nlohmann::json pairs = nlohmann::json::parse(predicted.out)["pairs"];
  size_t unreachable = 0;
  for (const auto& pair : pairs) unreachable += pair["reachable"] == false;
  CHECK(pairs.size() == 15 * 14);
  CHECK(unreachable == 3 * 4 * 3);
  CHECK(shell(source_path("scripts/scale-lab") + " 0 4").exit_code != 0);
  std::remove(file.c_str());
}
