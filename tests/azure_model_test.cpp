// The Azure model (model/azure_model): effective routes and reachability
// from the lab file alone, held to the real deployment the reference lab
// reproduces, to Azure's rules on small inline labs, and to the live lab.

#include "orchestrator/model/azure_model.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "orchestrator/lab/expectations.h"
#include "tests/support/inline_lab.h"
#include "tests/support/reference_lab.h"
#include "tests/support/scratch_lab.h"

using namespace hublab;

namespace {

std::vector<std::string> rows_of(const std::vector<EffectiveRoute>& routes) {
  std::vector<std::string> rows;
  for (const EffectiveRoute& r : routes)
    rows.push_back(r.source + " | " + r.state + " | " + r.prefix.str() + " | " + r.next_hop_type +
                   " | " + (r.next_hop_ip.empty() ? "-" : r.next_hop_ip));
  return rows;
}

// The two hubs of test::kTwoHubs, with VMs, and peer-a: a plain peer of
// hub-a that does not use its gateway.
const std::string kHubs = std::string(test::kTwoHubs) + R"(
[vnet.peer-a]
address_space = ["10.12.0.0/16"]
subnets = { default = "10.12.0.0/24" }
[vm.vm-a]
vnet = "hub-a"
[vm.vm-spoke]
vnet = "spoke-a"
[vm.vm-peer]
vnet = "peer-a"
[vm.vm-b]
vnet = "hub-b"
[[peering]]
hub-a = {}
peer-a = {}
)";

}  // namespace

TEST_CASE("vm-spoke10's predicted routes are the real deployment's six rows, then the defaults",
          "[model]") {
  Lab lab = test::loaded_reference_lab();
  AzureModel model(lab);
  CHECK(rows_of(model.effective_routes(*lab.find_vm("vm-spoke10"))) ==
        std::vector<std::string>{
            "Default | Active | 10.10.0.0/16 | Virtual network | -",
            "Default | Active | 10.0.0.0/16 | VNet peering | -",
            "Virtual network gateway | Active | 10.100.200.254/32 | Virtual network gateway | "
            "198.51.100.2",
            "Virtual network gateway | Active | 10.100.0.0/16 | Virtual network gateway | "
            "198.51.100.2",
            "Virtual network gateway | Active | 10.110.0.0/16 | Virtual network gateway | "
            "198.51.100.2",
            "Virtual network gateway | Active | 10.120.0.0/16 | Virtual network gateway | "
            "198.51.100.2",
            "Default | Active | 0.0.0.0/0 | Internet | -",
            "Default | Active | 10.0.0.0/8 | None | -",
            "Default | Active | 172.16.0.0/12 | None | -",
            "Default | Active | 192.168.0.0/16 | None | -",
            "Default | Active | 100.64.0.0/10 | None | -",
        });
}

TEST_CASE("The predicted matrix is the reference lab's 30 stated expectations", "[model]") {
  Lab lab = test::loaded_reference_lab();
  AzureModel model(lab);
  std::vector<Expectation> stated = expand_expectations(lab);
  REQUIRE(stated.size() == 30);
  for (const Expectation& e : stated) {
    INFO(e.name());
    PairPrediction p = model.pair(*lab.find_vm(e.from), *lab.find_vm(e.to));
    CHECK(p.reachable == e.reachable);
    if (p.reachable) CHECK(p.hops == 1);
  }
  // And why spoke to spoke drops: peering is not transitive.
  PairPrediction spokes = model.pair(*lab.find_vm("vm-spoke10"), *lab.find_vm("vm-spoke20"));
  CHECK(spokes.forward.outcome ==
        "None route 10.0.0.0/8 in spoke10/default: dropped without an error; peering is not "
        "transitive (spoke10 - hub00 - spoke20) and no user-defined route sends it through hub00");
}

TEST_CASE("Peering is not transitive, and only gateway-transit spokes learn the gateway's routes",
          "[model]") {
  Lab lab = test::inline_lab(kHubs);
  AzureModel model(lab);
  auto rows = [&](const char* vm) { return rows_of(model.effective_routes(*lab.find_vm(vm))); };
  auto has = [](const std::vector<std::string>& rows, const std::string& row) {
    return std::find(rows.begin(), rows.end(), row) != rows.end();
  };
  // spoke-a uses gw-a: hub-b's space, from gw-b's public IP.
  CHECK(has(rows("vm-spoke"),
            "Virtual network gateway | Active | 10.2.0.0/16 | Virtual network gateway | "
            "198.51.100.2"));
  // peer-a peers with hub-a without using its gateway: no gateway routes, and
  // nothing of spoke-a (not transitive).
  CHECK(rows("vm-peer").size() == 2 + 5);  // its VNet, hub-a, the five defaults
  CHECK_FALSE(model.pair(*lab.find_vm("vm-peer"), *lab.find_vm("vm-b")).reachable);
  CHECK_FALSE(model.pair(*lab.find_vm("vm-peer"), *lab.find_vm("vm-spoke")).reachable);
  CHECK(model.pair(*lab.find_vm("vm-spoke"), *lab.find_vm("vm-b")).reachable);
  // gw-b learns spoke-a's space (advertised by gw-a, rule 3), not peer-a's.
  auto b = rows("vm-b");
  CHECK(has(b,
            "Virtual network gateway | Active | 10.11.0.0/16 | Virtual network gateway | "
            "198.51.100.1"));
  CHECK_FALSE(has(b,
                  "Virtual network gateway | Active | 10.12.0.0/16 | Virtual network gateway | "
                  "198.51.100.1"));
}

TEST_CASE(
    "A BGP route inside a peer's space is Invalid, one equal to a default route wins (rule 5)",
    "[model]") {
  std::string text = std::string(kHubs);
  text.replace(text.find("address_space = [\"10.2.0.0/16\"]"),
               std::string("address_space = [\"10.2.0.0/16\"]").size(),
               "address_space = [\"10.2.0.0/16\", \"10.11.5.0/24\", \"172.16.0.0/12\"]");
  Lab lab = test::inline_lab(text);
  AzureModel model(lab);
  std::vector<std::string> rows = rows_of(model.effective_routes(*lab.find_vm("vm-a")));
  auto has = [&](const std::string& row) {
    return std::find(rows.begin(), rows.end(), row) != rows.end();
  };
  // 10.11.5.0/24 lies in spoke-a's space, which hub-a peers with.
  CHECK(
      has("Virtual network gateway | Invalid | 10.11.5.0/24 | Virtual network gateway | "
          "198.51.100.2"));
  CHECK(
      has("Virtual network gateway | Active | 172.16.0.0/12 | Virtual network gateway | "
          "198.51.100.2"));
  CHECK(has("Default | Invalid | 172.16.0.0/12 | None | -"));
}

TEST_CASE(
    "Without BGP a VNet-to-VNet connection routes the two VNets' spaces only: spokes get the "
    "far hub's route, the far hub none back to them",
    "[model]") {
  Lab lab = test::inline_lab(kHubs);
  lab.connections[0].enable_bgp = false;
  AzureModel model(lab);
  auto gateway_rows = [&](const char* vm) {
    std::vector<std::string> rows;
    for (const std::string& row : rows_of(model.effective_routes(*lab.find_vm(vm))))
      if (row.rfind("Virtual network gateway", 0) == 0) rows.push_back(row);
    return rows;
  };
  // No BGP peer IP, no transit: the far VNet's space, next hop the far
  // gateway's public IP, in the hub and (gateway transit) its spoke.
  const std::vector<std::string> to_b = {
      "Virtual network gateway | Active | 10.2.0.0/16 | Virtual network gateway | 198.51.100.2"};
  CHECK(gateway_rows("vm-a") == to_b);
  CHECK(gateway_rows("vm-spoke") == to_b);
  CHECK(gateway_rows("vm-b") ==
        std::vector<std::string>{"Virtual network gateway | Active | 10.1.0.0/16 | Virtual "
                                 "network gateway | 198.51.100.1"});
  CHECK(gateway_rows("vm-peer").empty());
  CHECK(model.pair(*lab.find_vm("vm-a"), *lab.find_vm("vm-b")).reachable);
  const PairPrediction spoke = model.pair(*lab.find_vm("vm-spoke"), *lab.find_vm("vm-b"));
  CHECK(spoke.forward.delivered);
  CHECK_FALSE(spoke.back.delivered);
  CHECK(spoke.back.outcome.find("None route 10.0.0.0/8 in hub-b/default") != std::string::npos);
}

TEST_CASE("hublab predict needs no root and prints the matrix, the reasons and JSON", "[model]") {
  auto text = test::run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                         test::hublab_binary(), "predict", test::reference_lab()});
  INFO(text.err);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("vm-spoke10 -> vm-spoke20: None route 10.0.0.0/8 in spoke10/default") !=
        std::string::npos);
  auto json = test::run({test::hublab_binary(), "predict", test::reference_lab(), "--json"});
  REQUIRE(json.exit_code == 0);
  auto report = nlohmann::json::parse(json.out);
  CHECK(report["pairs"].size() == 30);
  auto az = test::run({test::hublab_binary(), "routes", test::reference_lab(), "vm-spoke10",
                       "--model", "--format", "az"});
  REQUIRE(az.exit_code == 0);
  auto value = nlohmann::json::parse(az.out)["value"];
  CHECK(value[0]["nextHopType"] == "VnetLocal");
  CHECK(value[2]["addressPrefix"][0] == "10.100.200.254/32");
  CHECK(value[2]["nextHopIpAddress"][0] == "198.51.100.2");
  CHECK(value[2]["source"] == "VirtualNetworkGateway");
}

TEST_CASE("Model and live lab agree on every lab in labs/: routes of every VM, every pair",
          "[model][root]") {
  REQUIRE_ROOT();
  for (const auto& entry : std::filesystem::directory_iterator(test::source_path("labs"))) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path());
    test::ScratchLab lab(entry.path().string(), "model");
    REQUIRE(lab.up_result().exit_code == 0);
    auto result = test::run({test::hublab_binary(), "check", lab.name(), "--json"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    auto report = nlohmann::json::parse(result.out);
    CHECK(report["passed"] == true);
    for (const auto& r : report["routes"]) CHECK(r["agrees"] == true);
    CHECK(report["routes"].size() > 0);
  }
}

TEST_CASE("A lab without [expect] is checked against the model, never passing on zero checks",
          "[model][root]") {
  REQUIRE_ROOT();
  // The reference lab without its [expect]: the model supplies all 30 pairs.
  std::ifstream in(test::reference_lab());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text = text.substr(0, text.find("[expect]"));
  std::string path = "/tmp/" + test::unique_lab_name("noexpect") + ".toml";
  std::ofstream(path) << text;
  {
    test::ScratchLab lab(path, "noexpect");
    REQUIRE(lab.up_result().exit_code == 0);
    auto result = test::run({test::hublab_binary(), "check", lab.name(), "--json"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    auto report = nlohmann::json::parse(result.out);
    CHECK(report["expectations"] == 30);
    for (const auto& r : report["results"]) CHECK(r["source"] == "model");
  }
  unlink(path.c_str());
}

TEST_CASE("explain walks a packet as Azure decides it, and says why it stops", "[model]") {
  auto spokes = test::run(
      {test::hublab_binary(), "explain", test::reference_lab(), "vm-spoke10", "vm-spoke20"});
  INFO(spokes.out << spokes.err);
  REQUIRE(spokes.exit_code == 0);
  CHECK(spokes.out.find("1. spoke10/default: 10.0.0.0/8 None") != std::string::npos);
  CHECK(spokes.out.find("peering is not transitive (spoke10 - hub00 - spoke20)") !=
        std::string::npos);
  CHECK(spokes.out.find("not reachable") != std::string::npos);
  auto across = test::run({test::hublab_binary(), "explain", test::reference_lab(), "vm-spoke10",
                           "vm-spoke110", "--json"});
  REQUIRE(across.exit_code == 0);
  auto report = nlohmann::json::parse(across.out);
  CHECK(report["reachable"] == true);
  CHECK(report["legs"][0]["steps"][1]["route"] ==
        "10.110.0.0/16 BGP from vpngw-hub02 (AS path 65151)");
}

TEST_CASE("explain on a running lab shows the live route at the source and agrees with the model",
          "[model][root]") {
  REQUIRE_ROOT();
  test::ScratchLab lab(test::reference_lab(), "explain");
  REQUIRE(lab.up_result().exit_code == 0);
  for (const char* to : {"vm-spoke20", "vm-spoke110", "vm-hub00"}) {
    INFO(to);
    auto result =
        test::run({test::hublab_binary(), "explain", lab.name(), "vm-spoke10", to, "--json"});
    REQUIRE(result.exit_code == 0);
    auto report = nlohmann::json::parse(result.out);
    CHECK(report["live"] == true);
    for (const auto& leg : report["legs"]) CHECK(leg["live_agrees"] == true);
  }
}

TEST_CASE(
    "A tunnel held down withdraws the remote prefixes, the model predicts the same, up "
    "restores both",
    "[model][fault][root]") {
  REQUIRE_ROOT();
  test::ScratchLab lab(test::reference_lab(), "fault");
  REQUIRE(lab.up_result().exit_code == 0);
  auto routes_of_spoke10 = [&] {
    auto out = test::run({test::hublab_binary(), "routes", lab.name(), "vm-spoke10", "--json"});
    INFO(out.out << out.err);
    REQUIRE(out.exit_code == 0);
    std::vector<std::string> prefixes;
    const nlohmann::json report = nlohmann::json::parse(out.out);
    for (const auto& r : report["routes"]) prefixes.push_back(r["address_prefix"]);
    return prefixes;
  };
  auto has = [](const std::vector<std::string>& v, const char* p) {
    return std::find(v.begin(), v.end(), p) != v.end();
  };
  REQUIRE(has(routes_of_spoke10(), "10.110.0.0/16"));

  auto down =
      test::run({test::hublab_binary(), "fault", lab.name(), "tunnel", "hub01-hub02", "down"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(down.out.find("routes settled in") != std::string::npos);
  CHECK_FALSE(has(routes_of_spoke10(), "10.110.0.0/16"));
  CHECK(test::run({test::hublab_binary(), "fault", lab.name(), "list"}).out ==
        "tunnel hub01-hub02 down\n");
  CHECK(test::run({test::hublab_binary(), "status", lab.name()})
            .out.find("fault: tunnel hub01-hub02 down") != std::string::npos);
  // The model under the fault: hub00's side reaches nothing of hub100's.
  auto check = test::run({test::hublab_binary(), "check", lab.name(), "--json"});
  INFO(check.out);
  CHECK(check.exit_code == 0);
  auto report = nlohmann::json::parse(check.out);
  int reachable = 0;
  for (const auto& r : report["results"]) reachable += r["seen"]["reachable"].get<bool>();
  CHECK(reachable == 8);  // within each side: hub <-> its two spokes, both ways
  for (const auto& r : report["routes"]) CHECK(r["agrees"] == true);
  // explain reasons about the faulted lab, and the live route agrees.
  auto explain = test::run(
      {test::hublab_binary(), "explain", lab.name(), "vm-spoke10", "vm-spoke110", "--json"});
  auto explained = nlohmann::json::parse(explain.out);
  CHECK(explained["reachable"] == false);
  CHECK(explained["legs"][0]["live_agrees"] == true);

  auto up = test::run({test::hublab_binary(), "fault", lab.name(), "tunnel", "hub01-hub02", "up"});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(has(routes_of_spoke10(), "10.110.0.0/16"));
  CHECK(test::run({test::hublab_binary(), "fault", lab.name(), "list"}).out.empty());
  auto healthy = test::run({test::hublab_binary(), "check", lab.name(), "--json"});
  CHECK(healthy.exit_code == 0);
  CHECK(nlohmann::json::parse(healthy.out)["failed"] == 0);
}
