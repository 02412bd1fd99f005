// Faults for training (`hublab fault`): each acts on the real lab, the model
// predicts the faulted lab, and the live lab settles to that prediction.
// The tunnel fault's test is in azure_model_test.cpp.

#include "orchestrator/lab/faults.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "orchestrator/cli/fault_grammar.h"
#include "orchestrator/model/azure_model.h"
#include "tests/support/reference_lab.h"
#include "tests/support/scratch_lab.h"

using namespace hublab;

namespace {

std::vector<std::string> prefixes_of(const std::vector<EffectiveRoute>& routes) {
  std::vector<std::string> prefixes;
  for (const EffectiveRoute& r : routes) prefixes.push_back(r.prefix.str());
  return prefixes;
}

bool has(const std::vector<std::string>& v, const std::string& item) {
  return std::find(v.begin(), v.end(), item) != v.end();
}

test::CommandResult run_hublab(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {test::hublab_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run(argv);
}

// The live routes of a VM, by prefix.
std::vector<std::string> live_prefixes(const std::string& lab, const std::string& vm) {
  auto out = run_hublab({"routes", lab, vm, "--json"});
  INFO(out.out << out.err);
  REQUIRE(out.exit_code == 0);
  const nlohmann::json report = nlohmann::json::parse(out.out);  // outlives the loop
  std::vector<std::string> prefixes;
  for (const auto& r : report["routes"]) prefixes.push_back(r["address_prefix"]);
  REQUIRE(!prefixes.empty());
  return prefixes;
}

// `check` passes (against the faulted model) with every VM's routes agreeing;
// returns how many pairs were reachable.
int checked_reachable(const std::string& lab) {
  auto check = run_hublab({"check", lab, "--json"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  auto report = nlohmann::json::parse(check.out);
  int reachable = 0;
  for (const auto& r : report["results"]) reachable += r["seen"]["reachable"].get<bool>();
  for (const auto& r : report["routes"]) CHECK(r["agrees"] == true);
  return reachable;
}

}  // namespace

TEST_CASE("The model of a faulted lab: a disconnected peering and a stopped gateway", "[fault]") {
  Lab lab = test::loaded_reference_lab();
  const Vm& spoke10 = *lab.find_vm("vm-spoke10");
  const Vm& spoke110 = *lab.find_vm("vm-spoke110");

  const std::vector<Fault> peering = {peering_fault(*find_peering(lab, "spoke10", "hub00"))};
  CHECK(peering.front().str() == "peering hub00 spoke10");
  AzureModel cut(lab_under_faults(lab, peering));
  // spoke10 keeps its own space and the defaults; the far side forgets it.
  CHECK(prefixes_of(cut.effective_routes(spoke10)) ==
        std::vector<std::string>{"10.10.0.0/16", "0.0.0.0/0", "10.0.0.0/8", "172.16.0.0/12",
                                 "192.168.0.0/16", "100.64.0.0/10"});
  CHECK_FALSE(has(prefixes_of(cut.effective_routes(spoke110)), "10.10.0.0/16"));
  CHECK(has(prefixes_of(cut.effective_routes(spoke110)), "10.20.0.0/16"));
  // As configured, the peering keeps its place (links are numbered by it)
  // but carries nothing.
  Lab configured = lab_as_configured(lab, peering);
  REQUIRE(configured.peerings.size() == lab.peerings.size());
  CHECK_FALSE(configured.peerings[0].sides[0].allow_virtual_network_access);
  CHECK_FALSE(configured.peerings[0].sides[1].use_remote_gateways);
  CHECK(configured.peerings[1].sides[1].use_remote_gateways);

  AzureModel stopped(lab_under_faults(lab, {gateway_fault("vpngw-hub02")}));
  CHECK_FALSE(has(prefixes_of(stopped.effective_routes(spoke10)), "10.110.0.0/16"));
  CHECK(stopped.pair(spoke10, *lab.find_vm("vm-hub00")).reachable);
  CHECK_FALSE(stopped.pair(spoke10, spoke110).reachable);
}

TEST_CASE(
    "Faults on a running lab: a peering disconnected, a gateway stopped, BGP reset, the live "
    "lab settles to the faulted model each time and clear restores it",
    "[fault][root]") {
  REQUIRE_ROOT();
  test::ScratchLab lab(test::reference_lab(), "faults");
  REQUIRE(lab.up_result().exit_code == 0);
  const std::string& name = lab.name();

  SECTION("a peering disconnected and connected again") {
    auto down = run_hublab({"fault", name, "peering", "spoke10", "hub00", "down"});
    INFO(down.out << down.err);
    REQUIRE(down.exit_code == 0);
    CHECK(down.out.find("routes settled in") != std::string::npos);
    CHECK_FALSE(has(live_prefixes(name, "vm-spoke10"), "10.0.0.0/16"));
    CHECK_FALSE(has(live_prefixes(name, "vm-spoke110"), "10.10.0.0/16"));
    CHECK_FALSE(lab.pings("vm-hub00", "10.10.0.4"));
    CHECK(run_hublab({"fault", name, "list"}).out == "peering hub00 spoke10 down\n");
    // 26 of 30 pairs reachable healthy (spoke to spoke in one hub is not);
    // spoke10 loses the 4 it reached, both ways.
    CHECK(checked_reachable(name) == 18);

    auto up = run_hublab({"fault", name, "peering", "hub00", "spoke10", "up"});
    INFO(up.out << up.err);
    REQUIRE(up.exit_code == 0);
    CHECK(has(live_prefixes(name, "vm-spoke110"), "10.10.0.0/16"));
    CHECK(lab.pings("vm-hub00", "10.10.0.4"));
    CHECK(checked_reachable(name) == 26);
  }

  SECTION("a gateway stopped, a tunnel held down beside it, both cleared") {
    auto down = run_hublab({"fault", name, "gateway", "vpngw-hub02", "down"});
    INFO(down.out << down.err);
    REQUIRE(down.exit_code == 0);
    CHECK(down.out.find("routes settled in") != std::string::npos);
    CHECK(run_hublab({"status", name}).out.find("down(fault)") != std::string::npos);
    CHECK_FALSE(has(live_prefixes(name, "vm-spoke10"), "10.110.0.0/16"));
    CHECK(checked_reachable(name) == 8);  // within each hub's side

    // A tunnel of a stopped gateway: recorded, and back only once both are.
    REQUIRE(run_hublab({"fault", name, "tunnel", "hub01-hub02", "down"}).exit_code == 0);
    auto gateway_up = run_hublab({"fault", name, "gateway", "vpngw-hub02", "up"});
    INFO(gateway_up.out << gateway_up.err);
    REQUIRE(gateway_up.exit_code == 0);
    CHECK(run_hublab({"fault", name, "list"}).out == "tunnel hub01-hub02 down\n");
    CHECK_FALSE(has(live_prefixes(name, "vm-spoke10"), "10.110.0.0/16"));

    REQUIRE(run_hublab({"fault", name, "gateway", "vpngw-hub01", "down"}).exit_code == 0);
    auto clear = run_hublab({"fault", name, "clear"});
    INFO(clear.out << clear.err);
    REQUIRE(clear.exit_code == 0);
    CHECK(run_hublab({"fault", name, "list"}).out.empty());
    CHECK(has(live_prefixes(name, "vm-spoke10"), "10.110.0.0/16"));
    CHECK(checked_reachable(name) == 26);
    CHECK(run_hublab({"status", name}).out.find("DAEMON-DEAD") == std::string::npos);
  }

  SECTION("BGP reset: every session of the gateway closed and Established again") {
    auto reset = run_hublab({"fault", name, "bgp", "vpngw-hub01", "reset"});
    INFO(reset.out << reset.err);
    REQUIRE(reset.exit_code == 0);
    CHECK(reset.out.find("Established again in") != std::string::npos);
    CHECK(run_hublab({"fault", name, "list"}).out.empty());  // an event, not a state
    CHECK(checked_reachable(name) == 26);
  }

  SECTION("explain on a running lab shows the live route at every gateway, agreeing") {
    auto explain = run_hublab({"explain", name, "vm-spoke10", "vm-spoke120", "--json"});
    INFO(explain.out << explain.err);
    REQUIRE(explain.exit_code == 0);
    auto report = nlohmann::json::parse(explain.out);
    CHECK(report["live_agrees"] == true);
    for (const auto& leg : report["legs"]) {
      REQUIRE(leg["steps"].size() == 3);  // the NIC, the near gateway, the far gateway
      for (const auto& step : leg["steps"]) CHECK(step["live"]["agrees"] == true);
    }
    CHECK(report["legs"][0]["steps"][1]["live"]["route"] ==
          "10.120.0.0/16 BGP via 169.254.128.1 dev tun0 (AS path 65151)");
  }

  SECTION("Bad faults change nothing and name what is wrong") {
    auto unknown = run_hublab({"fault", name, "peering", "spoke10", "spoke20", "down"});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("no peering between 'spoke10' and 'spoke20'") != std::string::npos);
    auto no_gateway = run_hublab({"fault", name, "gateway", "vpngw-nowhere", "down"});
    CHECK(no_gateway.exit_code == 2);
    CHECK(no_gateway.err.find("no gateway 'vpngw-nowhere'") != std::string::npos);
    auto sideways = run_hublab({"fault", name, "gateway", "vpngw-hub01", "sideways"});
    CHECK(sideways.exit_code == 2);
    // One line: the forms of the action typed, not every fault's.
    CHECK(sideways.err ==
          "hublab fault: 'gateway vpngw-hub01 sideways' is no fault: gateway GATEWAY down|up or "
          "gateway GATEWAY instance 0|1 down|up; see 'hublab fault --help'\n");
    CHECK(run_hublab({"fault", name, "list"}).out.empty());
  }
}

TEST_CASE("A fault is a value: recorded as one line and read back as itself", "[faults]") {
  const Lab lab = test::loaded_reference_lab();
  for (const Fault& fault :
       {tunnel_fault("hub01-hub02"), peering_fault(*find_peering(lab, "spoke10", "hub00")),
        gateway_fault("vpngw-hub02"), instance_fault("gw-a", 1), circuit_fault("er"),
        circuit_link_fault("er", 1)}) {
    INFO(fault.str());
    CHECK(Fault::parse(fault.str()) == fault);
  }
  CHECK(instance_fault("gw-a", 1).str() == "gateway gw-a instance 1");
  CHECK(circuit_link_fault("er", 0).str() == "circuit er link primary");
  CHECK(tunnel_fault("a") != gateway_fault("a"));
  for (const char* wrong :
       {"", "tunnel", "tunnel a b", "gateway g instance 2", "bridge x", "circuit er link third"}) {
    INFO(wrong);
    CHECK_FALSE(Fault::parse(wrong));
  }
}

TEST_CASE("fault's declared forms parse each way it can be asked, and its usage lists them",
          "[faults][cli]") {
  using hublab::cli::FaultAction;
  using hublab::cli::parse_fault;
  auto tunnel = parse_fault({"tunnel", "hub01-hub02", "down"});
  REQUIRE(tunnel);
  CHECK(tunnel->action == FaultAction::kTunnel);
  CHECK(tunnel->values == std::vector<std::string>{"hub01-hub02"});
  CHECK_FALSE(tunnel->up);
  auto instance = parse_fault({"gateway", "gw-a", "instance", "1", "up"});
  REQUIRE(instance);
  CHECK(instance->action == FaultAction::kGatewayInstance);
  CHECK(instance->values == std::vector<std::string>{"gw-a", "1"});
  CHECK(instance->up);
  // Each form that sets a fault asks for a typed one.
  CHECK(*hublab::cli::requested_fault(*tunnel) == tunnel_fault("hub01-hub02"));
  CHECK(*hublab::cli::requested_fault(*instance) == instance_fault("gw-a", 1));
  auto link = parse_fault({"circuit", "er", "link", "secondary", "down"});
  REQUIRE(link);
  CHECK(*hublab::cli::requested_fault(*link) == circuit_link_fault("er", 1));
  CHECK_FALSE(hublab::cli::requested_fault(*parse_fault({"bgp", "vpngw-hub01", "reset"})));
  CHECK(parse_fault({"peering", "hub00", "spoke10", "up"})->action == FaultAction::kPeering);
  CHECK(parse_fault({"bgp", "vpngw-hub01", "reset"})->action == FaultAction::kBgpReset);
  CHECK(parse_fault({"list"})->action == FaultAction::kList);
  for (const std::vector<std::string>& wrong :
       std::vector<std::vector<std::string>>{{"tunnel", "x", "sideways"},
                                             {"gateway", "g", "instance", "2", "down"},
                                             {"list", "extra"},
                                             {"peering", "a", "down"},
                                             {}}) {
    INFO(wrong.size());
    CHECK_FALSE(parse_fault(wrong));
  }
  const std::string usage = hublab::cli::fault_usage();
  for (const auto& form : hublab::cli::fault_forms())
    CHECK(usage.find(form.help) != std::string::npos);
  CHECK(usage.find("gateway GATEWAY instance 0|1 down|up") != std::string::npos);
  auto help = test::run_hublab({"help", "fault"});
  CHECK(help.out.find(usage.substr(0, usage.find('\n'))) != std::string::npos);
}
