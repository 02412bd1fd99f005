// Connections as Azure has them: several per gateway, each end a node of its
// own; BGP transit across a chain of hubs; a connection without BGP routing
// the two connected VNets' spaces only. Real namespaces, charons and BIRDs.

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <nlohmann/json.hpp>

#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/lab_validator.h"
#include "orchestrator/model/azure_model.h"
#include "tests/support/command.h"
#include "tests/support/scratch_lab.h"

using namespace hublab;
using namespace hublab::test;

namespace {

std::vector<std::string> gateway_prefixes(const std::string& lab, const std::string& vm) {
  auto out = run_hublab({"routes", lab, vm, "--json"});
  INFO(out.out << out.err);
  REQUIRE(out.exit_code == 0);
  const nlohmann::json report = nlohmann::json::parse(out.out);
  std::vector<std::string> prefixes;
  for (const auto& r : report["routes"])
    if (r["source"] == "Virtual network gateway") prefixes.push_back(r["address_prefix"]);
  return prefixes;
}

bool has(const std::vector<std::string>& v, const std::string& item) {
  return std::find(v.begin(), v.end(), item) != v.end();
}

}  // namespace

TEST_CASE("A gateway may hold several connections, but two gateways only one between them",
          "[validate]") {
  Lab chain = load_lab_file(lab_path("three-hubs-chain.toml")).lab;
  CHECK(validate_lab(chain).empty());
  chain.connections.push_back(chain.connections[0]);
  chain.connections.back().name = "a-b-again";
  auto findings = validate_lab(chain);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].message ==
        "connection.a-b-again.gateways: 'gw-a' and 'gw-b' are already connected");
}

TEST_CASE(
    "Three hubs in a chain: A's spokes reach C's through B's gateway, as Azure transit does, "
    "and a tunnel fault on B-C takes only C away",
    "[connections][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(lab_path("three-hubs-chain.toml"), "chain");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  // Every stated pair, and every VM's routes against the model.
  CHECK(every_vm_agrees(passing_check(lab.name())));

  // gw-b holds both connections, each at an end of its own.
  auto status = nlohmann::json::parse(run_hublab({"status", lab.name(), "--json"}).out);
  int ends_of_b = 0;
  for (const auto& node : status["nodes"])
    if (node["role"] == "tunnel-end" &&
        node["name"].get<std::string>().find("@gw-b") != std::string::npos) {
      ++ends_of_b;
      CHECK(node["charon"]["alive"] == true);
    }
  CHECK(ends_of_b == 2);

  // The way from A's spoke to C's: both gateways' BGP routes, the AS path
  // growing at each.
  auto explain = run_hublab({"explain", lab.name(), "vm-spoke-a1", "vm-spoke-c2", "--json"});
  auto explained = nlohmann::json::parse(explain.out);
  CHECK(explained["reachable"] == true);
  CHECK(explained["live_agrees"] == true);
  const auto& steps = explained["legs"][0]["steps"];
  REQUIRE(steps.size() == 4);
  CHECK(steps[1]["route"] == "10.32.0.0/16 BGP from gw-b (AS path 65002 65003)");
  CHECK(steps[2]["route"] == "10.32.0.0/16 BGP from gw-c (AS path 65003)");
  CHECK(lab.pings("vm-spoke-a1", "10.32.0.4"));

  auto down = run_hublab({"fault", lab.name(), "tunnel", "b-c", "down"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  const auto a1 = gateway_prefixes(lab.name(), "vm-spoke-a1");
  CHECK(has(a1, "10.21.0.0/16"));
  CHECK_FALSE(has(a1, "10.31.0.0/16"));
  CHECK_FALSE(lab.pings("vm-spoke-a1", "10.32.0.4"));
  CHECK(lab.pings("vm-spoke-a1", "10.22.0.4"));
  CHECK(run_hublab({"check", lab.name()}).exit_code == 0);  // against the faulted model
}

TEST_CASE(
    "A connection without BGP: each hub routes the other's space statically, its spokes get "
    "the route but the far hub has none back",
    "[connections][root]") {
  REQUIRE_ROOT();
  // The reference lab with BGP off on its connection and no expectations:
  // check holds it to the model alone.
  EditedLab variant(reference_lab(), [](std::string& text) {
    replace_once(text, "enable_bgp = true", "enable_bgp = false");
    drop_expectations(text);
  });
  ScratchLab lab(variant.path(), "nobgp");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(gateway_prefixes(lab.name(), "vm-spoke10") == std::vector<std::string>{"10.100.0.0/16"});
  CHECK(gateway_prefixes(lab.name(), "vm-hub100") == std::vector<std::string>{"10.0.0.0/16"});
  CHECK(gateway_prefixes(lab.name(), "vm-spoke110") == std::vector<std::string>{"10.0.0.0/16"});
  CHECK(lab.pings("vm-hub00", "10.100.0.4"));
  CHECK_FALSE(lab.pings("vm-spoke10", "10.100.0.4"));  // no way back to the spoke
  CHECK_FALSE(lab.pings("vm-hub00", "10.110.0.4"));    // no transit to the far spokes
  const nlohmann::json report = passing_check(lab.name());
  int reachable = 0;
  for (const auto& r : report["results"]) reachable += r["seen"]["reachable"].get<bool>();
  CHECK(reachable == 10);  // each hub with its spokes (8), the hubs with each other (2)
  for (const auto& r : report["routes"]) CHECK(r["agrees"] == true);

  // The tunnel down: static routes stay configured (no BGP withdraws them)
  // and lead nowhere; the model says the same.
  auto down = run_hublab({"fault", lab.name(), "tunnel", "hub01-hub02", "down"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(gateway_prefixes(lab.name(), "vm-spoke10") == std::vector<std::string>{"10.100.0.0/16"});
  CHECK_FALSE(lab.pings("vm-hub00", "10.100.0.4"));
  auto explain = run_hublab({"explain", lab.name(), "vm-hub00", "vm-hub100"});
  CHECK(explain.out.find("connection hub01-hub02 is down") != std::string::npos);
  CHECK(run_hublab({"check", lab.name()}).exit_code == 0);
  REQUIRE(run_hublab({"fault", lab.name(), "tunnel", "hub01-hub02", "up"}).exit_code == 0);
  CHECK(lab.pings("vm-hub00", "10.100.0.4"));
}

TEST_CASE(
    "An on-premises site over site-to-site VPN with BGP: the spokes reach it through the hub's "
    "gateway, the site learns the hub's and the spokes' spaces",
    "[connections][site][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(lab_path("hub-spoke-onprem.toml"), "onprem");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  const nlohmann::json report = passing_check(lab.name());
  CHECK(report["routes"].size() == 3);  // Azure's VMs; the site's VM has no effective routes
  for (const auto& r : report["routes"]) CHECK(r["agrees"] == true);

  // The spokes: the site's space and its device's BGP peer IP, next hop the
  // device's public IP (the local network gateway's address).
  CHECK(gateway_prefixes(lab.name(), "vm-spoke1") ==
        std::vector<std::string>{"192.168.1.1/32", "192.168.0.0/16"});
  auto json = nlohmann::json::parse(run_hublab({"routes", lab.name(), "vm-spoke1", "--json"}).out);
  for (const auto& r : json["routes"])
    if (r["source"] == "Virtual network gateway") CHECK(r["next_hop_ip"] == "203.0.113.1");
  // The site's device learned the hub and both spokes over BGP (BIRD, proto 12).
  auto site_routes = lab.exec("onprem", {"ip", "-4", "route", "show", "proto", "bird"});
  for (const char* space : {"10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"})
    CHECK(site_routes.out.find(space) != std::string::npos);
  CHECK(lab.pings("vm-spoke2", "192.168.1.4"));
  CHECK(lab.pings("vm-onprem", "10.1.0.4"));

  auto site_vm = run_hublab({"routes", lab.name(), "vm-onprem"});
  CHECK(site_vm.exit_code == 2);
  CHECK(site_vm.err.find("is in on-premises site 'onprem'") != std::string::npos);

  // The tunnel down: the spokes lose the site, and check agrees with the
  // faulted model.
  REQUIRE(run_hublab({"fault", lab.name(), "tunnel", "hub-onprem", "down"}).exit_code == 0);
  CHECK(gateway_prefixes(lab.name(), "vm-spoke1").empty());
  CHECK_FALSE(lab.pings("vm-spoke2", "192.168.1.4"));
  CHECK(run_hublab({"check", lab.name()}).exit_code == 0);
}

TEST_CASE(
    "A site-to-site connection without BGP: Azure routes the site's address space, the device "
    "every VNet the gateway serves",
    "[connections][site][root]") {
  REQUIRE_ROOT();
  EditedLab file(lab_path("hub-spoke-onprem.toml"), [](std::string& text) {
    replace_once(text, "enable_bgp = true", "enable_bgp = false");
  });
  ScratchLab lab(file.path(), "s2s-static");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(gateway_prefixes(lab.name(), "vm-spoke1") == std::vector<std::string>{"192.168.0.0/16"});
  CHECK(gateway_prefixes(lab.name(), "vm-hub") == std::vector<std::string>{"192.168.0.0/16"});
  CHECK(lab.pings("vm-spoke1", "192.168.1.4"));
  CHECK(lab.pings("vm-onprem", "10.2.0.4"));
  CHECK(every_vm_agrees(passing_check(lab.name())));
}

namespace {

// The next hop IPs of a VM's rows for one prefix.
std::vector<std::string> next_hops_for(const std::string& lab, const std::string& vm,
                                       const std::string& prefix) {
  auto out = run_hublab({"routes", lab, vm, "--json"});
  INFO(out.out << out.err);
  REQUIRE(out.exit_code == 0);
  const nlohmann::json report = nlohmann::json::parse(out.out);
  std::vector<std::string> hops;
  for (const auto& r : report["routes"])
    if (r["address_prefix"] == prefix) hops.push_back(r["next_hop_ip"]);
  return hops;
}

}  // namespace

TEST_CASE(
    "An active-active gateway is two instances, a tunnel between every pair of instances, and "
    "each learned prefix twice in effective routes, next hop each instance's private IP",
    "[model][active-active]") {
  LoadedLab loaded = load_lab_file(lab_path("active-active.toml"));
  REQUIRE(loaded.diagnostics.empty());
  const Lab& lab = loaded.lab;
  CHECK(validate_lab(lab).empty());
  REQUIRE(lab.gateways.size() == 4);
  CHECK(lab.gateways[2].name == "gw-a.1");
  CHECK(lab.bgp_peer_ip(lab.gateways[2]).str() == "10.1.255.29");
  CHECK(lab.public_ip(lab.gateways[2]).str() == "198.51.100.129");
  std::vector<std::string> tunnels;
  for (const Connection& c : lab.connections)
    tunnels.push_back(c.name + " " + c.gateways[0] + "-" + c.gateways[1]);
  CHECK(tunnels == std::vector<std::string>{"a-b gw-a-gw-b", "a-b.01 gw-a-gw-b.1",
                                            "a-b.10 gw-a.1-gw-b", "a-b.11 gw-a.1-gw-b.1"});
  AzureModel model(lab);
  std::vector<std::string> hops;
  for (const EffectiveRoute& r : model.effective_routes(*lab.find_vm("vm-spoke-a")))
    if (r.prefix.str() == "10.21.0.0/16") hops.push_back(r.next_hop_ip);
  CHECK(hops == std::vector<std::string>{"10.1.255.30", "10.1.255.29"});
  // One instance down: its rows go, the other carries everything.
  AzureModel one(lab_under_faults(lab, {instance_fault("gw-a", 0)}));
  hops.clear();
  for (const EffectiveRoute& r : one.effective_routes(*lab.find_vm("vm-spoke-a")))
    if (r.prefix.str() == "10.21.0.0/16") hops.push_back(r.next_hop_ip);
  CHECK(hops == std::vector<std::string>{"10.1.255.29"});
  CHECK(one.pair(*lab.find_vm("vm-spoke-a"), *lab.find_vm("vm-spoke-b")).reachable);
}

TEST_CASE(
    "Active-active on the real lab: four tunnels, ECMP rows as the model predicts, and traffic "
    "through the other instance while one is down",
    "[connections][active-active][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(lab_path("active-active.toml"), "aa");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  auto status = nlohmann::json::parse(run_hublab({"status", lab.name(), "--json"}).out);
  CHECK(status["connections"].size() == 4);  // each tunnel: a-b, a-b.01, a-b.10, a-b.11
  CHECK(next_hops_for(lab.name(), "vm-spoke-a", "10.21.0.0/16") ==
        std::vector<std::string>{"10.1.255.30", "10.1.255.29"});
  // The hub's kernel holds one route with a next hop per instance.
  auto hub = lab.exec("hub-a", {"ip", "route", "show", "table", "main", "10.21.0.0/16"});
  CHECK(hub.out.find("nexthop via 10.1.255.30") != std::string::npos);
  CHECK(hub.out.find("nexthop via 10.1.255.29") != std::string::npos);

  // A check while instance 0 goes down must finish, whatever it sees.
  auto during = std::async(std::launch::async, [&] {
    return run_hublab({"check", lab.name(), "--timeout-ms", "300"});
  });
  auto down = run_hublab({"fault", lab.name(), "gateway", "gw-a", "instance", "0", "down"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(down.out.find("routes settled in") != std::string::npos);
  CHECK(during.get().exit_code <= 1);
  CHECK(next_hops_for(lab.name(), "vm-spoke-a", "10.21.0.0/16") ==
        std::vector<std::string>{"10.1.255.29"});
  CHECK(lab.pings("vm-spoke-a", "10.21.0.4"));
  CHECK(run_hublab({"check", lab.name()}).exit_code == 0);

  REQUIRE(run_hublab({"fault", lab.name(), "gateway", "gw-a", "instance", "0", "up"}).exit_code ==
          0);
  CHECK(next_hops_for(lab.name(), "vm-spoke-a", "10.21.0.0/16") ==
        std::vector<std::string>{"10.1.255.30", "10.1.255.29"});
  CHECK(run_hublab({"status", lab.name()}).out.find("DAEMON-DEAD") == std::string::npos);
}
