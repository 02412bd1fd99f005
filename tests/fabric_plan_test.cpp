#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/plan/fabric.h"
#include "tests/support/command.h"
#include "tests/support/reference_lab.h"

using namespace hublab;

namespace {

FabricPlan reference_plan(const std::string& name = "") {
  Lab lab = test::loaded_reference_lab();
  if (!name.empty()) lab.name = name;
  return plan_fabric(lab);
}

std::string describe(const RouteSpec& r) {
  std::string text = r.destination.str();
  if (r.kind == RouteSpec::Kind::kBlackhole)
    return "blackhole " + text + (r.metric ? " metric " + std::to_string(r.metric) : "");
  if (r.kind == RouteSpec::Kind::kThrow) return "throw " + text;
  if (r.via) text += " via " + r.via->str();
  return text + " dev#" + std::to_string(r.ifindex);
}

}  // namespace

TEST_CASE(
    "Every VM, VNet router, gateway and connection end gets a namespace named after lab "
    "and node",
    "[plan]") {
  FabricPlan plan = reference_plan("t1");
  // 6 routers, 6 VMs, 2 gateways, the connection's 2 ends, the internet
  REQUIRE(plan.namespaces.size() == 17);
  std::set<std::string> names;
  for (const auto& ns : plan.namespaces) names.insert(ns.name);
  CHECK(names.count("t1.hub00"));
  CHECK(names.count("t1.vm-spoke120"));
  CHECK(names.count("t1.vpngw-hub02"));
  CHECK(names.count("t1.internet"));
  CHECK(names.count("t1.hub01-hub02@vpngw-hub01"));
  CHECK(names.count("t1.hub01-hub02@vpngw-hub02"));
  CHECK(names.size() == 17);
}

TEST_CASE(
    "A gateway sits in its GatewaySubnet, each connection's end holds its public IP on the "
    "internet",
    "[plan]") {
  FabricPlan plan = reference_plan("t");
  std::map<std::string, std::string> addresses;
  for (const AddressSpec& a : plan.addresses)
    addresses[a.interface.netns + "/" + a.interface.name] +=
        a.address.str() + "/" + std::to_string(a.prefix_length);
  CHECK(addresses["t.vpngw-hub01/eth0"] == "10.0.200.254/24");
  CHECK(addresses["t.hub01-hub02@vpngw-hub01/wan0"] == "198.51.100.1/32");
  CHECK(addresses["t.vpngw-hub02/eth0"] == "10.100.200.254/24");
  CHECK(addresses["t.hub01-hub02@vpngw-hub02/wan0"] == "198.51.100.2/32");
  CHECK(addresses["t.internet/c0s0"] == "169.254.255.254/32");
  // The gateway and its end share a /31 of 169.254.128.0/17.
  CHECK(addresses["t.vpngw-hub01/tun0"] == "169.254.128.0/31");
  CHECK(addresses["t.hub01-hub02@vpngw-hub01/gw0"] == "169.254.128.1/31");
  CHECK(addresses["t.vpngw-hub02/tun0"] == "169.254.128.2/31");
  // The internet namespace sends hub02's packets for hub01's public IP to
  // hub01's end of the connection, by their source.
  bool ruled = false;
  for (const RuleSpec& r : plan.rules)
    ruled |= r.netns == "t.internet" && r.from && r.from->str() == "198.51.100.2/32" && r.to &&
             r.to->str() == "198.51.100.1/32" && r.table == internet_tunnel_table(0, 0);
  CHECK(ruled);
  bool plugged = false;
  for (const VethSpec& v : plan.veths)
    if (v.a.netns == "t.hub00" && v.a.name == "g-vpngw-hub01" && v.b.name == "eth0")
      plugged = v.a_master != 0;
  CHECK(plugged);
}

TEST_CASE("Interface names fit the kernel and indexes are unique per namespace", "[plan]") {
  FabricPlan plan = reference_plan();
  std::set<std::pair<std::string, int>> indexes;
  std::set<std::pair<std::string, std::string>> names;
  auto track = [&](const InterfaceRef& i) {
    CHECK(i.name.size() <= naming::kMaxInterfaceName);
    CHECK(i.ifindex >= 2);
    CHECK(indexes.insert({i.netns, i.ifindex}).second);
    CHECK(names.insert({i.netns, i.name}).second);
  };
  for (const auto& b : plan.bridges) track(b.bridge);
  for (const auto& v : plan.veths) {
    track(v.a);
    track(v.b);
  }
  // 6 VMs, 4 peerings, 2 gateway LANs, 2 connection ends x (to gateway + WAN)
  CHECK(plan.veths.size() == 16);
}

TEST_CASE("spoke10's subnet routes are rules 1, 2 and 6 (docs/azure-rules.md)", "[plan]") {
  FabricPlan plan = reference_plan("t");
  std::vector<std::string> table;
  for (const RouteSpec& r : plan.routes)
    if (r.netns == "t.spoke10" && r.table == subnet_table(0)) table.push_back(describe(r));
  // The VNet's own space goes on to the main table, where its subnets are
  // connected; the peering toward hub00 is the router's interface after its
  // VM port, and hub00 holds the even address of the /31.
  CHECK(table == std::vector<std::string>{
                     "throw 10.10.0.0/16",
                     "10.0.0.0/16 via 169.254.0.0 dev#4",
                     "blackhole 0.0.0.0/0 metric 1000",
                     "blackhole 10.0.0.0/8 metric 1000",
                     "blackhole 172.16.0.0/12 metric 1000",
                     "blackhole 192.168.0.0/16 metric 1000",
                     "blackhole 100.64.0.0/10 metric 1000",
                 });
}

TEST_CASE("Hubs route to both their spokes, spokes only to their hub", "[plan]") {
  FabricPlan plan = reference_plan("t");
  auto peering_routes = [&](const std::string& netns) {
    std::set<std::string> found;
    for (const RouteSpec& r : plan.routes)
      if (r.netns == netns && r.source == RouteSource::kVnetPeering)
        found.insert(r.destination.str());
    return found;
  };
  CHECK(peering_routes("t.hub00") == std::set<std::string>{"10.10.0.0/16", "10.20.0.0/16"});
  CHECK(peering_routes("t.spoke20") == std::set<std::string>{"10.0.0.0/16"});
  CHECK(peering_routes("t.spoke110") == std::set<std::string>{"10.100.0.0/16"});
}

TEST_CASE("Each VM has its subnet's .1 as default gateway", "[plan]") {
  FabricPlan plan = reference_plan("t");
  int defaults = 0;
  for (const RouteSpec& r : plan.routes) {
    if (r.source != RouteSource::kVmDefault) continue;
    ++defaults;
    CHECK(r.destination.length == 0);
    REQUIRE(r.via);
    CHECK((r.via->value & 0xff) == 1);
  }
  CHECK(defaults == 6);
}
