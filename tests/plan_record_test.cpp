// The plan `up` keeps with a running lab (plan/plan_record.h): every lab of
// labs/ survives the record unchanged, keys stay out of it, and a running
// lab's observers and faults read it.

#include "orchestrator/plan/plan_record.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/lab_validator.h"
#include "orchestrator/state/lab_state.h"
#include "tests/support/command.h"
#include "tests/support/scratch_lab.h"

using namespace hublab;

namespace {

Lab valid_lab(const std::string& file) {
  LoadedLab loaded = load_lab_file(test::lab_path(file));
  REQUIRE(loaded.diagnostics.empty());
  REQUIRE(validate_lab(loaded.lab).empty());
  return loaded.lab;
}

// A key a test can tell apart from any other text of the record.
SharedKeys marked_keys(const Lab& lab) {
  SharedKeys keys;
  for (const Connection& c : lab.connections)
    keys[c.name] = {"key-side0-of-" + c.name, "key-side1-of-" + c.name};
  return keys;
}

}  // namespace

TEST_CASE("Every lab's plan reads back from its record as it was written", "[plan-record]") {
  for (const auto& entry : std::filesystem::directory_iterator(test::source_path("labs"))) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path().filename().string());
    const Lab lab = valid_lab(entry.path().filename().string());
    const SharedKeys keys = marked_keys(lab);
    const LabPlan plan = plan_lab(lab, keys);
    const std::string record = plan_record(plan);
    const LabPlan read = read_plan_record(record, keys);
    // Written again, the record is the same: no field lost or changed.
    CHECK(plan_record(read) == record);
    CHECK(read.fabric.namespaces.size() == plan.fabric.namespaces.size());
    CHECK(read.fabric.routes.size() == plan.fabric.routes.size());
    REQUIRE(read.bgp.size() == plan.bgp.size());
    for (size_t i = 0; i < plan.bgp.size(); ++i)
      CHECK(read.bgp[i].sessions.size() == plan.bgp[i].sessions.size());
    REQUIRE(read.tunnels.size() == plan.tunnels.size());
    for (size_t i = 0; i < plan.tunnels.size(); ++i) {
      CHECK(read.tunnels[i].keys[0] == plan.tunnels[i].keys[0]);
      CHECK(read.tunnels[i].keys[1] == plan.tunnels[i].keys[1]);
      CHECK(read.tunnels[i].sides[1].remote_address == plan.tunnels[i].sides[1].remote_address);
    }
    CHECK(read.static_gateway_routes.size() == plan.static_gateway_routes.size());
    // A reader asking for one part gets it alone.
    const LabPlan routes_only = read_plan_record(record, kStaticGatewayRoutesPart);
    CHECK(routes_only.fabric.namespaces.empty());
    CHECK(routes_only.bgp.empty());
    CHECK(routes_only.tunnels.empty());
    CHECK(routes_only.static_gateway_routes.size() == plan.static_gateway_routes.size());
    for (const auto& [connection, sides] : keys) {
      CHECK(record.find(sides[0]) == std::string::npos);
      CHECK(record.find(sides[1]) == std::string::npos);
    }
  }
}

TEST_CASE("A record keeps what the plan decided: optional next hops, peering links, static routes",
          "[plan-record]") {
  const Lab lab = valid_lab("hub-spoke-onprem.toml");
  const LabPlan read = read_plan_record(plan_record(plan_lab(lab, marked_keys(lab))));
  size_t via = 0, blackholes = 0, across_peerings = 0;
  for (const RouteSpec& r : read.fabric.routes) {
    via += r.via.has_value();
    blackholes += r.kind == RouteSpec::Kind::kBlackhole;
  }
  for (const VethSpec& v : read.fabric.veths) across_peerings += v.peering.has_value();
  CHECK(via > 0);
  CHECK(blackholes > 0);
  CHECK(across_peerings == lab.peerings.size());
  // Read without keys, the tunnels have none.
  for (const TunnelSpec& t : read.tunnels) CHECK((t.keys[0].empty() && t.keys[1].empty()));
}

TEST_CASE("A damaged record, or one of another hublab, is refused with a word", "[plan-record]") {
  CHECK_THROWS_AS(read_plan_record("{\"version\": 1"), PlanRecordError);
  CHECK_THROWS_WITH(read_plan_record("{\"version\": 99}"),
                    Catch::Contains("of another hublab") && Catch::Contains("down and up"));
  CHECK_THROWS_AS(read_plan_record("{\"version\": 1, \"fabric\": []}"), PlanRecordError);
}

TEST_CASE("A running lab keeps the plan up applied, and status reads it", "[plan-record][root]") {
  REQUIRE_ROOT();
  test::ScratchLab lab(test::lab_path("hub-spoke-onprem.toml"), "record");
  REQUIRE(lab.up_result().exit_code == 0);
  auto state = LabState::peek(lab.name());
  REQUIRE(state);
  const std::string path = state->dir() + "/plan";
  CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::others_all) ==
        std::filesystem::perms::none);
  const LabPlan kept = read_plan_record(state->plan_record(), state->keys());
  for (const NamespaceSpec& ns : kept.fabric.namespaces)
    CHECK(test::run({"ip", "netns", "pids", ns.name}).exit_code == 0);
  REQUIRE_FALSE(kept.tunnels.empty());
  CHECK_FALSE(kept.tunnels[0].keys[0].empty());
  CHECK(test::run_hublab({"status", lab.name()}).exit_code == 0);

  // Without its record the lab says how to get one back, and `down` still works.
  REQUIRE(std::rename(path.c_str(), (path + ".aside").c_str()) == 0);
  test::CommandResult status = test::run_hublab({"status", lab.name()});
  CHECK(status.exit_code != 0);
  CHECK_THAT(status.err, Catch::Contains("keeps no plan") && Catch::Contains("hublab down"));
  REQUIRE(std::rename((path + ".aside").c_str(), path.c_str()) == 0);
}
