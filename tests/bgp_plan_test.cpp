#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "lab/lab_loader.h"
#include "plan/bgp.h"
#include "tests/support/command.h"
#include "tests/support/reference_lab.h"

using namespace hublab;

namespace {

Lab reference_lab() {
  return test::loaded_reference_lab();
}

const BirdNode& node_named(const std::vector<BirdNode>& nodes, const std::string& name) {
  for (const BirdNode& n : nodes)
    if (n.node == name) return n;
  FAIL("no BIRD for " << name);
  return nodes.front();
}

std::vector<std::string> strs(const std::vector<Prefix>& prefixes) {
  std::vector<std::string> out;
  for (const Prefix& p : prefixes) out.push_back(p.str());
  return out;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("A gateway advertises its VNet, its spokes and its BGP peer IP (rule 3)", "[bgp]") {
  Lab lab = reference_lab();
  CHECK(strs(advertised_by(lab, lab.gateways[0])) ==
        std::vector<std::string>{"10.0.0.0/16", "10.10.0.0/16", "10.20.0.0/16", "10.0.200.254/32"});
}

TEST_CASE("Each gateway and each VNet router it serves gets a BIRD", "[bgp]") {
  std::vector<BirdNode> nodes = plan_bgp(reference_lab());
  REQUIRE(nodes.size() == 8);
  const BirdNode& gateway = node_named(nodes, "vpngw-hub01");
  CHECK(gateway.is_gateway);
  CHECK(gateway.sessions == std::vector<std::string>{"conn_hub01_hub02", "vnet_hub00"});
  CHECK(has(gateway.config, "local 10.0.200.254 as 65150;"));
  CHECK(has(gateway.config, "neighbor 10.100.200.254 as 65151;"));
  CHECK(has(gateway.config, "route 10.100.200.254/32 via \"ipsec0\";"));
  CHECK(has(gateway.config, "route 10.20.0.0/16 blackhole;"));
  CHECK(strs(gateway.expected) == std::vector<std::string>{"10.100.0.0/16", "10.100.200.254/32",
                                                           "10.110.0.0/16", "10.120.0.0/16"});

  const BirdNode& hub = node_named(nodes, "hub00");
  CHECK(hub.sessions ==
        std::vector<std::string>{"gateway_vpngw_hub01", "spoke_spoke10", "spoke_spoke20"});
  CHECK(has(hub.config, "rr client;"));
  CHECK(has(hub.config, "kernel table 102;"));  // GatewaySubnet, the third subnet

  const BirdNode& spoke = node_named(nodes, "spoke10");
  CHECK(spoke.sessions == std::vector<std::string>{"hub_hub00"});
  CHECK(has(spoke.config, "local 169.254.0.1 as 65150;"));
  CHECK(has(spoke.config, "if net ~ [ 10.10.0.0/16+, 10.0.0.0/16+ ] then reject;"));
  CHECK(strs(spoke.expected) == strs(gateway.expected));
}

TEST_CASE("BGP routes inside the VNet's or its peers' spaces are refused (rule 5)", "[bgp]") {
  // hub100 advertises 10.0.5.0/24, inside hub00's space: hub00 and its
  // spokes keep their system route for 10.0.0.0/16 and refuse it.
  Lab lab = reference_lab();
  lab.vnets[3].address_space.push_back(*Prefix::parse("10.0.5.0/24"));  // hub100
  std::vector<BirdNode> nodes = plan_bgp(lab);
  auto expects = [&](const std::string& node, const std::string& prefix) {
    for (const Prefix& p : node_named(nodes, node).expected)
      if (p.str() == prefix) return true;
    return false;
  };
  CHECK(expects("vpngw-hub01", "10.0.5.0/24"));  // the gateway learns it
  CHECK(expects("spoke10", "10.0.5.0/24"));      // reflected to the spoke, whose BIRD keeps it
  // but no kernel table of hub00 or spoke10 gets it.
  CHECK(has(node_named(nodes, "spoke10").config,
            "if net ~ [ 10.10.0.0/16+, 10.0.0.0/16+ ] then reject;"));
  CHECK(has(node_named(nodes, "spoke10").config, "export filter kernel_routes;"));
}

TEST_CASE("Without BGP on any connection there is no BIRD", "[bgp]") {
  Lab lab = reference_lab();
  lab.connections[0].enable_bgp = false;
  CHECK(plan_bgp(lab).empty());
}

TEST_CASE("Every generated BIRD config parses with bird -p", "[bgp][bird]") {
  for (const BirdNode& node : plan_bgp(reference_lab())) {
    std::string path = "/tmp/hublab-bird-" + std::to_string(getpid()) + "-" + node.node + ".conf";
    {
      std::ofstream out(path);
      out << node.config;
    }
    auto check = test::run({"bird", "-p", "-c", path});
    INFO(node.node << ": " << check.err);
    CHECK(check.exit_code == 0);
    std::remove(path.c_str());
  }
}
