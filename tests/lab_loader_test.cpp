#include "orchestrator/lab/lab_loader.h"

#include <catch2/catch.hpp>

#include "orchestrator/lab/lab_validator.h"
#include "tests/support/command.h"
#include "tests/support/reference_lab.h"

using namespace hublab;

namespace {

Lab reference_lab() {
  return test::loaded_reference_lab();
}

}  // namespace

TEST_CASE("The reference lab reads as the design describes it (docs/azure-rules.md)", "[lab]") {
  Lab lab = reference_lab();
  CHECK(lab.name == "multi-hub-internet-vpn");
  REQUIRE(lab.vnets.size() == 6);
  CHECK(lab.vnets[0].name == "hub00");
  CHECK(lab.vnets[0].address_space == std::vector{*Prefix::parse("10.0.0.0/16")});
  // Subnets keep their order in the file, not TOML's key order.
  REQUIRE(lab.vnets[0].subnets.size() == 3);
  CHECK(lab.vnets[0].subnets[0].name == "default");
  CHECK(lab.vnets[0].subnets[1].name == "AzureBastionSubnet");
  CHECK(lab.vnets[0].subnets[2].name == "GatewaySubnet");
  CHECK(lab.vnets[0].subnets[2].prefix.str() == "10.0.200.0/24");

  REQUIRE(lab.vms.size() == 6);
  for (const Vm& vm : lab.vms) {
    CHECK(vm.subnet == "default");
    CHECK(lab.vm_address(vm) ==
          lab.find_vnet(vm.vnet)->find_subnet("default")->prefix.first_usable());
  }
  CHECK(lab.vm_address(*lab.find_vm("vm-spoke10")).str() == "10.10.0.4");

  REQUIRE(lab.peerings.size() == 4);
  for (const Peering& p : lab.peerings) {
    CHECK(p.sides[0].allow_gateway_transit);
    CHECK(p.sides[0].allow_forwarded_traffic);
    CHECK_FALSE(p.sides[0].use_remote_gateways);
    CHECK(p.sides[1].use_remote_gateways);
    CHECK_FALSE(p.sides[1].allow_gateway_transit);
  }

  REQUIRE(lab.gateways.size() == 2);
  CHECK(lab.gateways[0].asn == 65150);
  CHECK(lab.gateways[1].asn == 65151);
  CHECK(lab.bgp_peer_ip(lab.gateways[0]).str() == "10.0.200.254");
  CHECK(lab.bgp_peer_ip(lab.gateways[1]).str() == "10.100.200.254");

  REQUIRE(lab.connections.size() == 1);
  CHECK(lab.connections[0].enable_bgp);
  CHECK(lab.connections[0].shared_key.kind == SharedKeySource::Kind::kGenerated);

  CHECK(lab.expectations.default_reachability == Expectations::Default::kReachable);
  REQUIRE(lab.expectations.default_hops);
  CHECK(lab.expectations.default_hops->min == 1);
  CHECK(lab.expectations.rules.size() == 2);
  CHECK_FALSE(lab.expectations.rules[0].reachable);
}

TEST_CASE("Shared keys come from one of three places", "[lab]") {
  std::string base = R"(
[vnet.a]
address_space = ["10.0.0.0/16"]
subnets = { GatewaySubnet = "10.0.200.0/24" }
[vnet.b]
address_space = ["10.1.0.0/16"]
subnets = { GatewaySubnet = "10.1.200.0/24" }
[gateway.ga]
vnet = "a"
asn = 65001
[gateway.gb]
vnet = "b"
asn = 65002
bgp_peer_ip = "10.1.200.100"
public_ip = "203.0.113.7"
[connection.ab]
gateways = ["ga", "gb"]
)";
  auto key_of = [&](const std::string& line) {
    LoadedLab loaded = load_lab_text(base + line + "\n", "keys.toml");
    REQUIRE(loaded.diagnostics.empty());
    REQUIRE(validate_lab(loaded.lab).empty());
    return loaded.lab.connections[0].shared_key;
  };
  CHECK(key_of("shared_key = \"s3cret\"").kind == SharedKeySource::Kind::kInline);
  CHECK(key_of("shared_key_file = \"psk.txt\"").value == "psk.txt");
  CHECK(key_of("shared_key_env = \"LAB_PSK\"").kind == SharedKeySource::Kind::kEnv);

  LoadedLab loaded = load_lab_text(base, "keys.toml");
  CHECK(loaded.lab.bgp_peer_ip(loaded.lab.gateways[1]).str() == "10.1.200.100");
  CHECK(loaded.lab.gateways[1].public_ip->str() == "203.0.113.7");
  CHECK(loaded.lab.name == "keys");  // no [lab] name: the file's stem
}
