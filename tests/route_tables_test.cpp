// Route tables, user-defined routes and NVAs (issue J): the lab format, its
// validation, and the Azure model's rules ("Virtual network traffic
// routing": custom routes, next hop types, how Azure selects a route).

#include <catch2/catch.hpp>

#include "lab/lab_loader.h"
#include "lab/lab_validator.h"
#include "model/azure_model.h"
#include "tests/support/inline_lab.h"

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

// The model reasons about appliances across peerings, which the lab does
// not run yet: such labs are loaded without the validator's consent.
Lab model_only_lab(const char* toml) {
  LoadedLab loaded = load_lab_text(toml, "inline.toml");
  REQUIRE(loaded.diagnostics.empty());
  return loaded.lab;
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
  Lab lab = model_only_lab(kHubNva);
  // The model knows appliances across peerings; the lab refuses them until
  // it can run them (an appliance link each).
  const auto findings = validate_lab(lab);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].message.find("is in a peered VNet: hublab emulates appliances in the "
                                 "subnet's own VNet only") != std::string::npos);
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
  Lab lab = model_only_lab(kHubNva);
  for (Vm& vm : lab.vms)
    if (vm.name == "nva") vm.ip_forwarding = false;
  AzureModel off(lab);
  const PathPrediction path = off.path(*lab.find_vm("vm-1"), *Ipv4::parse("10.2.0.4"));
  CHECK_FALSE(path.delivered);
  CHECK(path.outcome == "nva has IP forwarding off on its NIC: Azure drops what it would forward");

  Lab strict = model_only_lab(kHubNva);
  strict.peerings[1].sides[1].allow_forwarded_traffic = false;  // spoke-2's side
  AzureModel refused(strict);
  const PathPrediction p = refused.path(*strict.find_vm("vm-1"), *Ipv4::parse("10.2.0.4"));
  CHECK_FALSE(p.delivered);
  CHECK(p.outcome.find("forwarded traffic from hub is not allowed into spoke-2") !=
        std::string::npos);
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
