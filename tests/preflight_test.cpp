// The host checks `up` makes before it touches anything, and `hublab doctor`.
// Missing pieces are made by hiding files in a private mount namespace
// (unshare -m), so the host itself is never changed.

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/scratch_lab.h"

using namespace hublab::test;

namespace {

// Runs `script` in a private mount namespace, where `hublab` is this build's
// binary and $LAB the reference lab, after hiding what `hide` mounts over.
CommandResult in_private_mounts(const std::string& hide, const std::string& script) {
  return run({"unshare", "-m", "sh", "-c",
              "mount --make-rslave / && " + hide + " && hublab() { \"" + hublab_binary() +
                  "\" \"$@\"; } && LAB='" + reference_lab() + "' && " + script});
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("doctor on a ready host: every required check passes, also as JSON",
          "[preflight][root]") {
  REQUIRE_ROOT();
  auto text = run({hublab_binary(), "doctor"});
  INFO(text.out << text.err);
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("MISSING") == std::string::npos);

  auto json = run({hublab_binary(), "doctor", "--json"});
  REQUIRE(json.exit_code == 0);
  auto report = nlohmann::json::parse(json.out);
  CHECK(report["ok"] == true);
  std::vector<std::string> names;
  for (const auto& check : report["checks"]) {
    names.push_back(check["name"]);
    // netem is optional (a circuit's latency): present or not, with its fix
    // when absent, and never failing the host.
    if (check["optional"] == true) {
      CHECK(check["name"] == "netem");
      CHECK((check["ok"] == true) == (check["fix"] == ""));
      if (check["ok"] == false)
        CHECK(text.out.find("absent   netem: this kernel has no netem") != std::string::npos);
      continue;
    }
    CHECK(check["ok"] == true);
    CHECK(check["fix"] == "");
  }
  for (const char* name : {"privileges", "/proc/sys", "kernel networking", "netem", "/dev/net/tun",
                           "charon", "charon plugin kdf", "charon plugin openssl or gmp",
                           "charon plugin kernel-libipsec", "charon plugin vici", "bird"})
    CHECK(std::count(names.begin(), names.end(), name) == 1);
}

TEST_CASE("doctor without root names the missing privileges and their fix", "[preflight][root]") {
  REQUIRE_ROOT();
  auto result = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", hublab_binary(),
                     "doctor", "--json"});
  CHECK(result.exit_code == 1);
  auto report = nlohmann::json::parse(result.out);
  CHECK(report["ok"] == false);
  CHECK(report["checks"][0]["name"] == "privileges");
  CHECK(report["checks"][0]["ok"] == false);
  CHECK_FALSE(report["checks"][0]["fix"].get<std::string>().empty());
}

TEST_CASE("Missing charon plugins: one line each, naming the package, and nothing made",
          "[preflight][root]") {
  REQUIRE_ROOT();
  std::string name = unique_lab_name("noplugins");
  auto result = in_private_mounts("mount -t tmpfs none /usr/lib/ipsec/plugins",
                                  "hublab up \"$LAB\" --name " + name);
  INFO(result.err);
  CHECK(result.exit_code == 1);
  auto lines = lines_of(result.err);
  CHECK(lines.size() == 12);  // one a plugin hublab needs
  CHECK(std::count(lines.begin(), lines.end(),
                   "hublab up: charon plugin vici: no vici plugin in /usr/lib/ipsec/plugins; fix: "
                   "apt-get install strongswan-swanctl") == 1);
  CHECK(std::count(lines.begin(), lines.end(),
                   "hublab up: charon plugin openssl or gmp: no openssl or gmp plugin in "
                   "/usr/lib/ipsec/plugins; fix: apt-get install libstrongswan-standard-plugins "
                   "or libstrongswan") == 1);
  CHECK(std::count(lines.begin(), lines.end(),
                   "hublab up: charon plugin kernel-libipsec: no kernel-libipsec plugin in "
                   "/usr/lib/ipsec/plugins; fix: apt-get install libcharon-extra-plugins") == 1);
  CHECK(leftovers_of(name).empty());
}

TEST_CASE("No /dev/net/tun and no BIRD: one line each, with the fix", "[preflight][root]") {
  REQUIRE_ROOT();
  std::string name = unique_lab_name("notun");
  auto result = in_private_mounts("mount -t tmpfs none /dev/net && mount -t tmpfs none /usr/sbin",
                                  "hublab up \"$LAB\" --name " + name);
  INFO(result.err);
  CHECK(result.exit_code == 1);
  auto lines = lines_of(result.err);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].rfind("hublab up: /dev/net/tun: /dev/net/tun: No such file or directory; fix: ",
                       0) == 0);
  CHECK(lines[1] == "hublab up: bird: /usr/sbin/bird is missing; fix: apt-get install bird2");
  CHECK(leftovers_of(name).empty());
}

TEST_CASE(
    "A read-only /proc/sys (a container's default) needs no option: up writes through its "
    "own view",
    "[preflight][root]") {
  REQUIRE_ROOT();
  std::string name = unique_lab_name("rosys");
  // up, check and down in the one mount namespace: the lab's namespaces are
  // bound under its /run/netns.
  auto result = in_private_mounts(
      "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys /proc/sys",
      "hublab doctor && hublab up \"$LAB\" --name " + name + " --quiet && hublab check " + name +
          " >/dev/null; code=$?; hublab down " + name + " --quiet; exit $code");
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("ok       /proc/sys: read-only here; hublab writes through a private "
                        "read-write view") != std::string::npos);
  CHECK(leftovers_of(name).empty());
}
