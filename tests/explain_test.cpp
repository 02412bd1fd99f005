// What explains a lab: graph, progress, logs, status with the last check.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/scratch_lab.h"

using namespace hublab::test;

namespace {

const std::string kReferenceLab = reference_lab();

}  // namespace

TEST_CASE("graph draws the lab file without bringing anything up", "[graph]") {
  auto dot = run({hublab_binary(), "graph", kReferenceLab});
  REQUIRE(dot.exit_code == 0);
  for (const char* part : {"\"vpngw-hub01\"", "ASN 65150", "public 198.51.100.1", "10.110.0.0/16",
                           "remote gateways", "gateway transit", "IPsec + BGP", "vm-spoke120"})
    CHECK(dot.out.find(part) != std::string::npos);
  // dot itself parses it.
  std::string path = "/tmp/hublab-graph-" + std::to_string(getpid()) + ".dot";
  REQUIRE(run({hublab_binary(), "graph", kReferenceLab, "-o", path}).exit_code == 0);
  auto parsed = run({"dot", "-Tsvg", "-o", "/dev/null", path});
  CHECK(parsed.exit_code == 0);
  CHECK(parsed.err.empty());
  unlink(path.c_str());

  auto svg = run({hublab_binary(), "graph", kReferenceLab, "--format", "svg"});
  CHECK(svg.exit_code == 0);
  CHECK(svg.out.find("<svg") != std::string::npos);
  auto mermaid = run({hublab_binary(), "graph", kReferenceLab, "--format", "mermaid"});
  CHECK(mermaid.out.rfind("flowchart LR\n", 0) == 0);
  CHECK(mermaid.out.find("gw_vpngw_hub01 ===|IPsec + BGP| gw_vpngw_hub02") != std::string::npos);
}

TEST_CASE("up and down report their phases as plain lines when not on a terminal",
          "[progress][root]") {
  REQUIRE_ROOT();
  std::string name;
  {
    ScratchLab lab(kReferenceLab, "progress");
    name = lab.name();
    const std::string& out = lab.up_result().out;
    for (const char* phase : {"fabric", "gateways", "tunnels", "convergence"})
      CHECK(out.find("up " + name + ": " + phase) != std::string::npos);
    CHECK(out.find("\033[K") == std::string::npos);  // no terminal control codes in a log
    CHECK(out.find("lab '" + name + "' is up in ") != std::string::npos);
  }
  auto quiet = run({hublab_binary(), "up", kReferenceLab, "--name", name, "--quiet"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  auto down = run({hublab_binary(), "down", name});
  CHECK(down.out.find("down " + name + ": daemons") != std::string::npos);
  CHECK(down.out.find("down " + name + ": namespaces") != std::string::npos);
}

TEST_CASE("logs shows a gateway's charon and BIRD logs", "[logs][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "logs");
  REQUIRE(lab.up_result().exit_code == 0);
  auto logs = run({hublab_binary(), "logs", lab.name(), "vpngw-hub01"});
  CHECK(logs.exit_code == 0);
  // Its BIRD, and the charon of its connection's end.
  CHECK(logs.out.find("charon/hub01-hub02@vpngw-hub01/charon.log") != std::string::npos);
  CHECK(logs.out.find("bird/vpngw-hub01/bird.log") != std::string::npos);
  // The SA's number depends on which side's IKE_SA_INIT won: [1] or [2].
  CHECK(std::regex_search(logs.out, std::regex(R"(IKE_SA hub01-hub02\[\d+\] established)")));
  CHECK(logs.out.find("bird/vpngw-hub01/bird.log") != std::string::npos);
  auto none = run({hublab_binary(), "logs", lab.name(), "vm-hub00"});
  CHECK(none.exit_code == 2);
}

TEST_CASE("status carries the last check, and graph its reachability", "[status][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "lastcheck");
  REQUIRE(lab.up_result().exit_code == 0);
  REQUIRE(run({hublab_binary(), "check", lab.name()}).exit_code == 0);
  auto status = run({hublab_binary(), "status", lab.name(), "--json"});
  nlohmann::json report = nlohmann::json::parse(status.out);
  CHECK(report["last_check"]["passed"] == true);
  CHECK(report["last_check"]["expectations"] == 30);
  auto table = run({hublab_binary(), "status", lab.name()});
  CHECK(table.out.find("last check: passed (30 expectations, 0 failed)") != std::string::npos);
  auto dot = run({hublab_binary(), "graph", lab.name()});
  CHECK(dot.out.find("style=dashed") != std::string::npos);  // reachability edges
  CHECK(dot.out.find("color=forestgreen, label=\"hub01-hub02") != std::string::npos);  // tunnel up
}
