// Route tables, user-defined routes and NVAs (issue J): the lab format, its
// validation, and the Azure model's rules ("Virtual network traffic
// routing": custom routes, next hop types, how Azure selects a route).

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/lab_validator.h"
#include "orchestrator/model/azure_model.h"
#include "orchestrator/plan/fabric.h"
#include "tests/support/command.h"
#include "tests/support/inline_lab.h"
#include "tests/support/scratch_lab.h"

using namespace hublab;

namespace {

// A hub with an NVA and two spokes; spoke-1's subnet sends spoke-2's space
// through the NVA, as the series' first design does.
constexpr const char* kHubNva = R"(
[lab]
name = "hub-nva"
[vnet.hub]
address_space = ["10.0.0.0/16"]
subnets = { default = "10.0.0.0/24" }
[vnet.spoke-1]
address_space = ["10.1.0.0/16"]
subnets = { default = { prefix = "10.1.0.0/24", route_table = "via-nva" } }
[vnet.spoke-2]
address_space = ["10.2.0.0/16"]
subnets = { default = { prefix = "10.2.0.0/24", route_table = "back-via-nva" } }
[vm.nva]
vnet = "hub"
ip_forwarding = true
[vm.vm-1]
vnet = "spoke-1"
[vm.vm-2]
vnet = "spoke-2"
[[peering]]
hub = { allow_forwarded_traffic = true }
spoke-1 = { allow_forwarded_traffic = true }
[[peering]]
hub = { allow_forwarded_traffic = true }
spoke-2 = { allow_forwarded_traffic = true }
[route_table.via-nva]
routes = [{ name = "to-spoke-2", address_prefix = "10.2.0.0/16", next_hop_type = "VirtualAppliance", next_hop_ip = "10.0.0.4" }]
[route_table.back-via-nva]
routes = [{ name = "to-spoke-1", address_prefix = "10.1.0.0/16", next_hop_type = "VirtualAppliance", next_hop_ip = "10.0.0.4" }]
)";

Lab hub_nva_lab() {
  return test::inline_lab(kHubNva);
}

std::vector<std::string> rows_of(const std::vector<EffectiveRoute>& routes) {
  std::vector<std::string> rows;
  for (const EffectiveRoute& r : routes)
    rows.push_back(r.source + " | " + r.state + " | " + r.prefix.str() + " | " + r.next_hop_type +
                   " | " + (r.next_hop_ip.empty() ? "-" : r.next_hop_ip) + " | " +
                   (r.udr_name.empty() ? "-" : r.udr_name));
  return rows;
}

}  // namespace

TEST_CASE("Spoke to spoke through a hub NVA: User rows, two hops, the NVA a step of the way",
          "[model][route-table]") {
  Lab lab = hub_nva_lab();
  AzureModel model(lab);
  const auto rows = rows_of(model.effective_routes(*lab.find_vm("vm-1")));
  CHECK(std::find(rows.begin(), rows.end(),
                  "User | Active | 10.2.0.0/16 | Virtual appliance | 10.0.0.4 | to-spoke-2") !=
        rows.end());
  const PairPrediction pair = model.pair(*lab.find_vm("vm-1"), *lab.find_vm("vm-2"));
  CHECK(pair.reachable);
  CHECK(pair.hops == 2);  // the NVA, then the destination
  REQUIRE(pair.forward.steps.size() == 3);
  CHECK(pair.forward.steps[0].route ==
        "user route to-spoke-2: 10.2.0.0/16 Virtual appliance 10.0.0.4");
  CHECK(pair.forward.steps[1].where == "appliance nva (10.0.0.4)");
}

TEST_CASE(
    "An NVA without IP forwarding drops what it would forward, and forwarded traffic needs the "
    "receiving peering side's consent",
    "[model][route-table]") {
  Lab lab = hub_nva_lab();
  for (Vm& vm : lab.vms)
    if (vm.name == "nva") vm.ip_forwarding = false;
  AzureModel off(lab);
  const PathPrediction path = off.path(*lab.find_vm("vm-1"), *Ipv4::parse("10.2.0.4"));
  CHECK_FALSE(path.delivered);
  CHECK(path.outcome == "nva has IP forwarding off on its NIC: Azure drops what it would forward");

  Lab strict = hub_nva_lab();
  strict.peerings[1].sides[1].allow_forwarded_traffic = false;  // spoke-2's side
  AzureModel refused(strict);
  const PathPrediction p = refused.path(*strict.find_vm("vm-1"), *Ipv4::parse("10.2.0.4"));
  CHECK_FALSE(p.delivered);
  CHECK(
      p.outcome.find("forwarded traffic from hub (source 10.1.0.4) is not allowed into spoke-2") !=
      std::string::npos);
  // What the hub's own VMs send through the NVA is not forwarded traffic:
  // it comes from the hub ([P]: traffic "that didn't originate from the
  // virtual network").
  for (Vnet& vnet : strict.vnets)
    if (vnet.name == "hub")
      vnet.subnets.push_back(
          {.name = "other", .prefix = *Prefix::parse("10.0.1.0/24"), .route_table = "via-nva"});
  strict.vms.push_back(Vm{.name = "vm-hub", .vnet = "hub", .subnet = "other"});
  REQUIRE(validate_lab(strict).empty());
  AzureModel own(strict);
  CHECK(own.path(*strict.find_vm("vm-hub"), *Ipv4::parse("10.2.0.4")).delivered);
}

TEST_CASE(
    "An appliance is looked up in the subnet's VNet and its peers, not in an unpeered VNet "
    "reusing its address",
    "[model][route-table]") {
  // "lookalike" is listed first, holds the same space and a VM at 10.0.0.4,
  // and is peered with nothing: Azure allows it, and it must not matter.
  Lab lab = test::inline_lab(std::string(kHubNva).replace(
      std::string(kHubNva).find("[vnet.hub]"), 0,
      "[vnet.lookalike]\naddress_space = [\"10.0.0.0/16\"]\nsubnets = { default = "
      "\"10.0.0.0/24\" }\n[vm.vm-lookalike]\nvnet = \"lookalike\"\n"));
  const PairPrediction pair = AzureModel(lab).pair(*lab.find_vm("vm-1"), *lab.find_vm("vm-2"));
  CHECK(pair.reachable);
  CHECK(pair.hops == 2);
  const FabricPlan plan = plan_fabric(lab);
  bool appliance_link = false;
  for (const VethSpec& veth : plan.veths)
    appliance_link |= veth.a.name == "a0" && veth.b.netns == "hub-nva.hub";
  CHECK(appliance_link);
}

TEST_CASE(
    "What an appliance in a spoke forwards to its hub's gateway needs the hub's consent to "
    "forwarded traffic, as the lab's guard on the peering link enforces",
    "[model][route-table]") {
  const std::string extra = R"(
[vm.vm-hub-a]
vnet = "hub-a"
[vm.nva]
vnet = "spoke-a"
ip_forwarding = true
[route_table.via-spoke-nva]
routes = [{ name = "to-hub-b", address_prefix = "10.2.0.0/16", next_hop_type = "VirtualAppliance", next_hop_ip = "10.11.0.4" }]
)";
  std::string text = std::string(test::kTwoHubs) + extra;
  text.replace(
      text.find("subnets = { default = \"10.1.0.0/24\""),
      std::string("subnets = { default = \"10.1.0.0/24\"").size(),
      "subnets = { default = { prefix = \"10.1.0.0/24\", route_table = \"via-spoke-nva\" }");
  Lab lab = test::inline_lab(text);
  const PathPrediction refused =
      AzureModel(lab).path(*lab.find_vm("vm-hub-a"), *Ipv4::parse("10.2.0.9"));
  CHECK_FALSE(refused.delivered);
  CHECK(refused.outcome.find("is not allowed into hub-a") != std::string::npos);
  lab.peerings[0].sides[0].allow_forwarded_traffic = true;  // hub-a's side
  const PathPrediction allowed =
      AzureModel(lab).path(*lab.find_vm("vm-hub-a"), *Ipv4::parse("10.2.0.9"));
  CHECK(allowed.outcome.find("gateway") == std::string::npos);  // it crossed to hub-b
  CHECK(allowed.steps.size() >= 4);
}

TEST_CASE(
    "A user route beats a system route of the same prefix, which shows Invalid, and propagation "
    "off removes the gateway's routes",
    "[model][route-table]") {
  Lab lab = test::inline_lab(std::string(test::kTwoHubs) + R"(
[vm.vm-spoke]
vnet = "spoke-a"
[route_table.quiet]
bgp_route_propagation = false
routes = [{ name = "no-rfc1918", address_prefix = "10.0.0.0/8", next_hop_type = "None" }]
)");
  AzureModel before(lab);
  bool had_gateway_rows = false;
  for (const EffectiveRoute& r : before.effective_routes(*lab.find_vm("vm-spoke")))
    had_gateway_rows |= r.source == "Virtual network gateway";
  CHECK(had_gateway_rows);
  for (Vnet& vnet : lab.vnets)
    if (vnet.name == "spoke-a") vnet.subnets[0].route_table = "quiet";
  REQUIRE(validate_lab(lab).empty());
  AzureModel model(lab);
  const auto rows = rows_of(model.effective_routes(*lab.find_vm("vm-spoke")));
  for (const std::string& row : rows) CHECK(row.rfind("Virtual network gateway", 0) != 0);
  CHECK(std::find(rows.begin(), rows.end(), "Default | Invalid | 10.0.0.0/8 | None | - | -") !=
        rows.end());
  CHECK(std::find(rows.begin(), rows.end(), "User | Active | 10.0.0.0/8 | None | - | no-rfc1918") !=
        rows.end());
}

namespace {

bool has_row(const nlohmann::json& routes, const std::string& source, const std::string& state,
             const std::string& prefix, const std::string& udr_name = "") {
  for (const auto& r : routes)
    if (r["source"] == source && r["state"] == state && r["addressPrefix"][0] == prefix &&
        (udr_name.empty() || (r["name"].is_string() && r["name"] == udr_name)))
      return true;
  return false;
}

}  // namespace

TEST_CASE(
    "Spoke to spoke through the hub NVA on real namespaces: the trace shows the NVA, routes show "
    "the User row and the system route it makes Invalid",
    "[route-table][root]") {
  REQUIRE_ROOT();
  test::ScratchLab lab(test::lab_path("hub-nva-spoke-to-spoke.toml"), "hubnva");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  auto trace = test::run_hublab({"trace", lab.name(), "vm-spoke10", "vm-spoke20"});
  INFO(trace.out << trace.err);
  CHECK(trace.out.find(" 1  10.0.0.4 ") != std::string::npos);
  CHECK(trace.out.find(" 2  10.20.0.4 ") != std::string::npos);
  auto routes = test::run_hublab({"routes", lab.name(), "vm-spoke10", "--format", "az"});
  INFO(routes.out << routes.err);
  REQUIRE(routes.exit_code == 0);
  const nlohmann::json value = nlohmann::json::parse(routes.out)["value"];
  CHECK(has_row(value, "User", "Active", "10.0.0.0/8", "to-hub-nva"));
  CHECK(has_row(value, "Default", "Invalid", "10.0.0.0/8"));
  // The hub router reaches the NVA over spoke10's appliance link, not the
  // peering's own link.
  auto link =
      test::run({"ip", "-n", lab.netns("spoke10"), "route", "show", "table", "100", "10.0.0.0/8"});
  CHECK(link.out.find("dev a0") != std::string::npos);
}

TEST_CASE(
    "Forwarded traffic into a peered VNet needs that side's allow_forwarded_traffic, and the NVA "
    "forwards nothing with IP forwarding off",
    "[route-table][root]") {
  REQUIRE_ROOT();
  SECTION("spoke20 refuses forwarded traffic") {
    test::EditedLab file(test::lab_path("hub-nva-spoke-to-spoke.toml"), [](std::string& lab) {
      test::drop_expectations(lab);
      test::replace_once(lab,
                         "spoke20 = { use_remote_gateways = true, allow_forwarded_traffic = true }",
                         "spoke20 = { use_remote_gateways = true }");
    });
    test::ScratchLab lab(file.path(), "refused");
    REQUIRE(lab.up_result().exit_code == 0);
    CHECK_FALSE(lab.pings("vm-spoke10", "10.20.0.4"));
    CHECK(lab.pings("vm-hub00", "10.20.0.4"));     // the hub's own traffic is not forwarded
    CHECK(lab.pings("vm-spoke10", "10.110.0.4"));  // the gateway's transit is not either
    CHECK(test::passing_check(lab.name())["passed"] == true);
  }
  SECTION("the NVA's NIC does not forward") {
    test::EditedLab file(test::lab_path("hub-nva-spoke-to-spoke.toml"), [](std::string& lab) {
      test::drop_expectations(lab);
      test::replace_once(lab, "ip_forwarding = true", "ip_forwarding = false");
    });
    test::ScratchLab lab(file.path(), "nofwd");
    REQUIRE(lab.up_result().exit_code == 0);
    CHECK_FALSE(lab.pings("vm-spoke10", "10.20.0.4"));
    CHECK(lab.pings("vm-spoke10", "10.0.0.4"));
    CHECK(test::passing_check(lab.name())["passed"] == true);
  }
}

TEST_CASE(
    "Hubs peered with an NVA each: across hubs both NVAs are hops, and a disconnected hub peering "
    "leaves the user routes in place and the far spokes out of reach",
    "[route-table][faults][root]") {
  REQUIRE_ROOT();
  test::ScratchLab lab(test::lab_path("multi-hub-peering-nva.toml"), "hubpeer");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  auto trace = test::run_hublab({"trace", lab.name(), "vm-spoke10", "vm-spoke120"});
  INFO(trace.out << trace.err);
  CHECK(trace.out.find(" 1  10.0.0.4 ") != std::string::npos);
  CHECK(trace.out.find(" 2  10.100.0.4 ") != std::string::npos);
  CHECK(trace.out.find(" 3  10.120.0.4 ") != std::string::npos);
  // explain puts the live route beside the model's at each subnet: the
  // source's, then each appliance's.
  auto explain = test::run_hublab({"explain", lab.name(), "vm-spoke10", "vm-spoke120", "--json"});
  INFO(explain.out << explain.err);
  const nlohmann::json report = nlohmann::json::parse(explain.out);
  CHECK(report["live_agrees"] == true);
  std::vector<std::string> live;
  for (const auto& step : report["legs"][0]["steps"])
    if (step.contains("live")) live.push_back(step["live"]["route"]);
  CHECK(live ==
        std::vector<std::string>{"10.0.0.0/8 Virtual appliance 10.0.0.4 (User, Active)",
                                 "10.120.0.0/16 Virtual appliance 10.100.0.4 (User, Active)",
                                 "10.120.0.0/16 VNet peering (Default, Active)"});

  REQUIRE(test::run_hublab({"fault", lab.name(), "peering", "hub00", "hub100", "down"}).exit_code ==
          0);
  CHECK_FALSE(lab.pings("vm-hub00", "10.110.0.4"));
  CHECK(lab.pings("vm-spoke10", "10.20.0.4"));  // behind one hub, nothing changed
  auto routes = test::run_hublab({"routes", lab.name(), "vm-hub00", "--format", "az"});
  REQUIRE(routes.exit_code == 0);
  CHECK(has_row(nlohmann::json::parse(routes.out)["value"], "User", "Active", "10.110.0.0/16",
                "spoke110-via-hub100-nva"));
  auto faulted = test::passing_check(lab.name());
  CHECK(faulted["passed"] == true);
  for (const auto& r : faulted["routes"]) CHECK(r["agrees"] == true);

  REQUIRE(test::run_hublab({"fault", lab.name(), "peering", "hub00", "hub100", "up"}).exit_code ==
          0);
  CHECK(lab.pings("vm-hub00", "10.110.0.4"));
  CHECK(lab.pings("vm-spoke10", "10.120.0.4"));
}

TEST_CASE("A routing loop through two NVAs dies, in the model and on real namespaces",
          "[route-table][root]") {
  constexpr const char* kLoop = R"(
[lab]
name = "nva-loop"
[vnet.hub]
address_space = ["10.0.0.0/16"]
subnets = { a = { prefix = "10.0.1.0/24", route_table = "to-b" }, b = { prefix = "10.0.2.0/24", route_table = "to-a" }, c = { prefix = "10.0.3.0/24", route_table = "to-b" } }
[vm.nva-a]
vnet = "hub"
subnet = "a"
ip_forwarding = true
[vm.nva-b]
vnet = "hub"
subnet = "b"
ip_forwarding = true
[vm.vm-c]
vnet = "hub"
subnet = "c"
[route_table.to-b]
routes = [{ name = "elsewhere", address_prefix = "10.9.0.0/16", next_hop_type = "VirtualAppliance", next_hop_ip = "10.0.2.4" }]
[route_table.to-a]
routes = [{ name = "elsewhere", address_prefix = "10.9.0.0/16", next_hop_type = "VirtualAppliance", next_hop_ip = "10.0.1.4" }]
)";
  Lab lab = test::inline_lab(kLoop);
  const PathPrediction path = AzureModel(lab).path(*lab.find_vm("vm-c"), *Ipv4::parse("10.9.0.4"));
  CHECK_FALSE(path.delivered);
  CHECK(path.outcome.find("a routing loop") != std::string::npos);

  REQUIRE_ROOT();
  const std::string file = "/tmp/" + test::unique_lab_name("loop") + ".toml";
  std::ofstream(file) << kLoop;
  {
    test::ScratchLab live(file, "loop");
    REQUIRE(live.up_result().exit_code == 0);
    CHECK_FALSE(live.pings("vm-c", "10.9.0.4"));
    // The packet went round between the NVAs until its TTL ran out: the
    // NVA that held it last said so.
    auto ping = live.exec("vm-c", {"ping", "-c", "1", "-W", "1", "-t", "8", "10.9.0.4"});
    CHECK(ping.out.find("Time to live exceeded") != std::string::npos);
  }
  std::filesystem::remove(file);
}
