// Network security groups (issue P): the lab format's checks, the Azure
// model's verdicts against MS Learn's rules ("How network security groups
// filter network traffic", "Virtual network service tags"), the plan's
// filters beside the model's, and the filters on real namespaces, held
// against the model by `check`.

#include "orchestrator/lab/nsg.h"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "drivers/probe/crafted_packet.h"
#include "drivers/probe/icmp_packet.h"
#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/shared_key.h"
#include "orchestrator/model/azure_model.h"
#include "orchestrator/plan/lab_plan.h"
#include "tests/support/command.h"
#include "tests/support/inline_lab.h"
#include "tests/support/root.h"
#include "tests/support/scratch_lab.h"

using namespace hublab;

namespace {

// A hub and a spoke, peered; the spoke's subnet and vm-b's NIC carry NSGs.
constexpr const char* kHubSpoke = R"(
[lab]
name = "nsg-hub-spoke"
[vnet.hub]
address_space = ["10.0.0.0/16"]
subnets = { default = "10.0.0.0/24" }
[vnet.spoke]
address_space = ["10.1.0.0/16"]
subnets = { default = { prefix = "10.1.0.0/24", nsg = "nsg-subnet" } }
[vnet.lonely]
address_space = ["10.9.0.0/16"]
subnets = { default = "10.9.0.0/24" }
[vm.vm-hub]
vnet = "hub"
application_security_groups = ["asg-admin"]
[vm.vm-a]
vnet = "spoke"
[vm.vm-b]
vnet = "spoke"
address = "10.1.0.5"
nsg = "nsg-nic"
[[peering]]
hub = {}
spoke = {}
[asg.asg-admin]
[nsg.nsg-subnet]
rules = [
  { name = "allow-ssh", priority = 200, direction = "Inbound", access = "Allow", protocol = "Tcp", source_application_security_groups = ["asg-admin"], destination_address_prefix = "*", destination_port_range = "22" },
  { name = "deny-hub", priority = 300, direction = "Inbound", access = "Deny", protocol = "*", source_address_prefix = "10.0.0.0/16", destination_address_prefix = "*" },
  { name = "deny-any-port-80", priority = 150, direction = "Inbound", access = "Deny", protocol = "*", source_address_prefix = "*", destination_address_prefix = "*", destination_port_range = "80" },
  { name = "deny-out-icmp", priority = 100, direction = "Outbound", access = "Deny", protocol = "Icmp", source_address_prefix = "*", destination_address_prefix = "10.0.0.0/16" },
]
[nsg.nsg-nic]
rules = [
  { name = "nic-deny-ssh", priority = 100, direction = "Inbound", access = "Deny", protocol = "Tcp", source_address_prefix = "*", destination_address_prefix = "*", destination_port_range = "22" },
  { name = "nic-deny-out-icmp", priority = 100, direction = "Outbound", access = "Deny", protocol = "Icmp", source_address_prefix = "*", destination_address_prefix = "*" },
]
)";

const Vm& vm(const Lab& lab, const std::string& name) {
  return *lab.find_vm(name);
}

Flow tcp(int port) {
  return Flow{.protocol = ProbeProtocol::kTcp, .destination_port = port};
}

std::vector<std::string> texts(const std::vector<Prefix>& prefixes) {
  std::vector<std::string> out;
  for (const Prefix& p : prefixes) out.push_back(p.str());
  return out;
}

}  // namespace

TEST_CASE("Every NSG holds Azure's six default rules behind the user's, by priority", "[nsg]") {
  const Lab lab = test::inline_lab(kHubSpoke);
  const Nsg& nsg = *lab.find_nsg("nsg-nic");
  std::vector<std::string> rows;
  for (const SecurityRule& r : nsg.rules)
    rows.push_back(std::string(direction_name(r.direction)) + " " + std::to_string(r.priority) +
                   " " + r.name + (r.allow ? " Allow" : " Deny"));
  CHECK(rows == std::vector<std::string>{
                    "Inbound 100 nic-deny-ssh Deny",
                    "Inbound 65000 AllowVnetInBound Allow",
                    "Inbound 65001 AllowAzureLoadBalancerInBound Allow",
                    "Inbound 65500 DenyAllInBound Deny",
                    "Outbound 100 nic-deny-out-icmp Deny",
                    "Outbound 65000 AllowVnetOutBound Allow",
                    "Outbound 65001 AllowInternetOutBound Allow",
                    "Outbound 65500 DenyAllOutBound Deny",
                });
}

TEST_CASE("The first matching rule by priority decides, whatever the file's order", "[nsg]") {
  const Lab lab = test::inline_lab(kHubSpoke);
  AzureModel model(lab);
  // deny-any-port-80 (150) comes before allow-ssh (200) and deny-hub (300).
  PathPrediction http = model.path(vm(lab, "vm-hub"), lab.vm_address(vm(lab, "vm-a")), tcp(80));
  CHECK_FALSE(http.delivered);
  CHECK(http.outcome ==
        "denied by nsg-subnet rule deny-any-port-80 (Inbound, subnet spoke/default)");
  // The admins' group may SSH to vm-a; the rest of the hub may not start anything.
  CHECK(model.path(vm(lab, "vm-hub"), lab.vm_address(vm(lab, "vm-a")), tcp(22)).delivered);
  PathPrediction ping = model.path(vm(lab, "vm-hub"), lab.vm_address(vm(lab, "vm-a")));
  CHECK(ping.outcome == "denied by nsg-subnet rule deny-hub (Inbound, subnet spoke/default)");
  // A rule that names a port does not match ICMP: vm-a pings within its VNet.
  CHECK(model.path(vm(lab, "vm-a"), lab.vm_address(vm(lab, "vm-b"))).delivered);
  // vm-b's own NIC denies its pings out, before its subnet's NSG is asked.
  CHECK(model.path(vm(lab, "vm-b"), lab.vm_address(vm(lab, "vm-a"))).outcome ==
        "denied by nsg-nic rule nic-deny-out-icmp (Outbound, NIC of vm-b)");
}

TEST_CASE("Inbound the subnet's NSG decides first then the NIC's, outbound the NIC's first",
          "[nsg]") {
  const Lab lab = test::inline_lab(kHubSpoke);
  AzureModel model(lab);
  // SSH from the admins' group: the subnet allows it, the NIC then denies it.
  NsgVerdict in = model.nsgs().at_nic(vm(lab, "vm-b"), SecurityRule::Direction::kInbound,
                                      Flow{.protocol = ProbeProtocol::kTcp,
                                           .source = lab.vm_address(vm(lab, "vm-hub")),
                                           .destination = lab.vm_address(vm(lab, "vm-b")),
                                           .destination_port = 22});
  CHECK_FALSE(in.allowed);
  REQUIRE(in.decisions.size() == 2);
  CHECK(in.decisions[0].rule->name == "allow-ssh");
  CHECK(in.decisions[1].rule->name == "nic-deny-ssh");
  // A ping to the hub: both deny it; the NIC's is the one that decides.
  NsgVerdict out = model.nsgs().at_nic(vm(lab, "vm-b"), SecurityRule::Direction::kOutbound,
                                       Flow{.source = lab.vm_address(vm(lab, "vm-b")),
                                            .destination = lab.vm_address(vm(lab, "vm-hub"))});
  CHECK_FALSE(out.allowed);
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].nsg == "nsg-nic");
  CHECK(out.text() == "denied by nsg-nic rule nic-deny-out-icmp (Outbound, NIC of vm-b)");
}

TEST_CASE("NSGs are stateful: a reply passes where its flow was allowed, a new flow back does not",
          "[nsg]") {
  const Lab lab = test::inline_lab(kHubSpoke);
  AzureModel model(lab);
  // vm-a may SSH to the hub (outbound allowed), and the answer comes back
  // though deny-hub would refuse the hub starting anything.
  PairPrediction ssh = model.pair(vm(lab, "vm-a"), vm(lab, "vm-hub"), ProbeProtocol::kTcp, 22);
  CHECK(ssh.reachable);
  REQUIRE(ssh.back.flow);
  CHECK(ssh.back.flow->reply);
  CHECK(ssh.back.flow->source_port == 22);
  CHECK_FALSE(model.pair(vm(lab, "vm-hub"), vm(lab, "vm-a"), ProbeProtocol::kTcp, 443).reachable);
}

TEST_CASE(
    "An answer that comes back through an NVA its question did not cross is judged there "
    "anew",
    "[nsg]") {
  // vm-hub reaches vm-spoke over the peering; vm-spoke's answer goes to
  // vm-hub through the NVA (a /32 user route), whose NSG saw no question.
  const Lab lab = test::inline_lab(R"(
[lab]
name = "nsg-asymmetric"
[vnet.hub]
address_space = ["10.0.0.0/16"]
subnets = { default = "10.0.0.0/24", nva = { prefix = "10.0.1.0/24", nsg = "nsg-nva" } }
[vnet.spoke]
address_space = ["10.1.0.0/16"]
subnets = { default = { prefix = "10.1.0.0/24", route_table = "rt" } }
[vm.vm-hub]
vnet = "hub"
[vm.vm-nva]
vnet = "hub"
subnet = "nva"
ip_forwarding = true
[vm.vm-spoke]
vnet = "spoke"
[[peering]]
hub = { allow_forwarded_traffic = true }
spoke = { allow_forwarded_traffic = true }
[route_table.rt]
routes = [{ name = "to-vm-hub", address_prefix = "10.0.0.4/32", next_hop_type = "VirtualAppliance", next_hop_ip = "10.0.1.4" }]
[nsg.nsg-nva]
rules = [{ name = "deny-vnet", priority = 100, direction = "Inbound", access = "Deny", protocol = "*", source_address_prefix = "VirtualNetwork", destination_address_prefix = "VirtualNetwork" }]
)");
  AzureModel model(lab);
  PairPrediction pair = model.pair(vm(lab, "vm-hub"), vm(lab, "vm-spoke"));
  CHECK(pair.forward.delivered);
  CHECK(pair.forward.appliances == 0);
  CHECK_FALSE(pair.back.delivered);
  CHECK(pair.back.outcome == "denied by nsg-nva rule deny-vnet (Inbound, subnet hub/nva)");
  // Its own question through the NVA is denied the same way.
  CHECK_FALSE(model.pair(vm(lab, "vm-spoke"), vm(lab, "vm-hub")).forward.delivered);
}

TEST_CASE(
    "The VirtualNetwork tag: the VNet, its peers, what its gateway brings, user routes' "
    "prefixes and Azure's host address",
    "[nsg]") {
  SECTION("a spoke peered with its hub: not a VNet it is not peered with") {
    const Lab lab = test::inline_lab(kHubSpoke);
    AzureModel model(lab);
    CHECK(texts(model.nsgs().virtual_network(vm(lab, "vm-a"))) ==
          std::vector<std::string>{"10.0.0.0/16", "10.1.0.0/16", "168.63.129.16/32"});
  }
  SECTION("the reference lab: the gateway's routes, on-premises or far VNets, are in it") {
    const Lab lab = load_lab_file(test::lab_path("multi-hub-internet-vpn-nsg.toml")).lab;
    AzureModel model(lab);
    const auto tag = texts(model.nsgs().virtual_network(vm(lab, "vm-spoke10")));
    for (const char* space : {"10.0.0.0/16", "10.10.0.0/16", "10.100.0.0/16", "10.110.0.0/16"})
      CHECK(std::count(tag.begin(), tag.end(), space) == 1);
    CHECK(std::count(tag.begin(), tag.end(), "10.20.0.0/16") == 0);  // spoke20: no route
  }
  SECTION("a user route's prefix, even 0.0.0.0/0, is in it") {
    std::string text = kHubSpoke;
    text.replace(text.find("subnets = { default = { prefix = \"10.1.0.0/24\", nsg"),
                 std::string("subnets = { default = { prefix = \"10.1.0.0/24\",").size(),
                 "subnets = { default = { prefix = \"10.1.0.0/24\", route_table = \"rt\",");
    text += R"(
[route_table.rt]
routes = [{ name = "all", address_prefix = "0.0.0.0/0", next_hop_type = "VirtualAppliance", next_hop_ip = "10.0.0.4" }]
)";
    const Lab lab = test::inline_lab(text);
    AzureModel model(lab);
    const auto tag = texts(model.nsgs().virtual_network(vm(lab, "vm-a")));
    CHECK(std::count(tag.begin(), tag.end(), "0.0.0.0/0") == 1);
  }
}

TEST_CASE(
    "The plan expands the VirtualNetwork tag from its own routes as the model does, on "
    "every lab",
    "[nsg]") {
  // Every lab of labs/: gateways of both kinds, Route Servers, route tables
  // that turn propagation off, static connections.
  for (const auto& entry : std::filesystem::directory_iterator(test::source_path("labs"))) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path().filename().string());
    const Lab lab = load_lab_file(entry.path().string()).lab;
    AzureModel model(lab);
    const LabPlan plan = plan_lab(lab, resolve_shared_keys(lab));
    for (const Vm& v : lab.vms) {
      INFO(v.name);
      const Vnet& vnet = *lab.find_vnet(v.vnet);
      if (vnet.on_premises) continue;
      CHECK(texts(planned_virtual_network(lab, plan.fabric, plan.bgp, vnet,
                                          *vnet.find_subnet(v.subnet))) ==
            texts(model.nsgs().virtual_network(v)));
    }
  }
}

TEST_CASE("The plan puts a VM's lists on its port in Azure's order", "[nsg]") {
  const Lab lab = test::inline_lab(kHubSpoke);
  const LabPlan plan = plan_lab(lab, resolve_shared_keys(lab));
  REQUIRE(plan.nsg_filters.size() == 1);
  const NsgFilterSpec& spec = plan.nsg_filters[0];
  CHECK(spec.netns == "nsg-hub-spoke.spoke");
  auto lists_of = [&](const std::string& port, bool outgoing) {
    std::vector<std::string> names;
    for (const PortFilter& p : spec.ports)
      if (p.interface == port && p.outgoing == outgoing)
        for (size_t i : p.lists) names.push_back(spec.lists[i].nsg + " " + spec.lists[i].direction);
    return names;
  };
  CHECK(lists_of("v-vm-b", false) ==
        std::vector<std::string>{"nsg-nic Outbound", "nsg-subnet Outbound"});
  CHECK(lists_of("v-vm-b", true) ==
        std::vector<std::string>{"nsg-subnet Inbound", "nsg-nic Inbound"});
  CHECK(lists_of("v-vm-a", true) == std::vector<std::string>{"nsg-subnet Inbound"});
  // "*" with a port: TCP and UDP, for ICMP has none.
  for (const PlannedNsgList& list : spec.lists)
    for (const PlannedSecurityRule& r : list.rules)
      if (r.name == "deny-any-port-80") {
        REQUIRE(r.test.ip_protocol);
        CHECK((*r.test.ip_protocol == 6 || *r.test.ip_protocol == 17));
        CHECK(r.test.destination_ports == std::optional(std::pair<uint16_t, uint16_t>(80, 80)));
      }
}

TEST_CASE("The Internet tag is the public address space", "[nsg]") {
  const std::vector<Prefix> internet = internet_prefixes();
  auto in = [&](const char* address) {
    return std::any_of(internet.begin(), internet.end(),
                       [&](const Prefix& p) { return p.contains(*Ipv4::parse(address)); });
  };
  CHECK(in("8.8.8.8"));
  CHECK(in("20.1.2.3"));
  CHECK_FALSE(in("10.1.2.3"));
  CHECK_FALSE(in("172.16.0.1"));
  CHECK_FALSE(in("192.168.1.1"));
  CHECK_FALSE(in("100.64.0.1"));
  CHECK_FALSE(in("127.0.0.1"));
  CHECK_FALSE(in("224.0.0.1"));
}

TEST_CASE(
    "NSGs on real namespaces: the reference lab's spoke, hubs and NIC, held against the "
    "model by check",
    "[nsg][root]") {
  REQUIRE_ROOT();
  test::ScratchLab lab(test::lab_path("multi-hub-internet-vpn-nsg.toml"), "nsgref");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  auto check = test::run_hublab({"check", lab.name()});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("0 failed") != std::string::npos);
  CHECK(check.out.find("6 of 6 VMs agree") != std::string::npos);
  // The filters are the VNet router's, on the VM's port; none on the host.
  auto ruleset = test::run({"ip", "netns", "exec", lab.netns("spoke10"), "nft", "list", "table",
                            "bridge", "hublab_ports"});
  CHECK(ruleset.out.find("iifname \"v-vm-spoke10\"") != std::string::npos);
  CHECK(ruleset.out.find("oifname \"v-vm-spoke10\"") != std::string::npos);
  CHECK(test::run({"nft", "list", "table", "bridge", "hublab_ports"}).exit_code != 0);
}

TEST_CASE("NSGs on real namespaces: two VMs of one subnet, filtered between them, stateful",
          "[nsg][root]") {
  REQUIRE_ROOT();
  test::ScratchLab lab(test::LabText{R"(
[vnet.one]
address_space = ["10.5.0.0/16"]
subnets = { default = { prefix = "10.5.0.0/24", nsg = "nsg-one" } }
[vm.vm-a]
vnet = "one"
[vm.vm-b]
vnet = "one"
address = "10.5.0.5"
[nsg.nsg-one]
rules = [
  { name = "deny-b-icmp", priority = 100, direction = "Inbound", access = "Deny", protocol = "Icmp", source_address_prefix = "10.5.0.5", destination_address_prefix = "*" },
  { name = "deny-udp-53", priority = 110, direction = "Inbound", access = "Deny", protocol = "Udp", source_address_prefix = "*", destination_address_prefix = "*", destination_port_range = "53" },
]
[expect]
default = "unchecked"
[[expect.rule]]
from = "vm-a"
to = "vm-b"
[[expect.rule]]
from = "vm-b"
to = "vm-a"
reachable = false
[[expect.rule]]
from = "vm-b"
to = "vm-a"
protocol = "tcp"
port = 22
[[expect.rule]]
from = "vm-b"
to = "vm-a"
protocol = "udp"
port = 53
reachable = false
[[expect.rule]]
from = "vm-b"
to = "vm-a"
protocol = "udp"
port = 54
)"},
                       "nsgone");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  auto check = test::run_hublab({"check", lab.name()});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("5 expectations, 5 held") != std::string::npos);
  // Bridged, not routed: the ping between them crosses only the bridge.
  CHECK(lab.pings("vm-a", "10.5.0.5"));
  CHECK_FALSE(lab.pings("vm-b", "10.5.0.4"));
}

TEST_CASE("NSGs on real namespaces: the hub NVA's NSG lets through what it forwards",
          "[nsg][root]") {
  REQUIRE_ROOT();
  test::ScratchLab lab(test::lab_path("hub-nva-spoke-to-spoke-nsg.toml"), "nsgnva");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  auto check = test::run_hublab({"check", lab.name()});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("0 failed") != std::string::npos);
  auto explain = test::run_hublab({"explain", lab.name(), "vm-spoke110", "vm-spoke20"});
  INFO(explain.out << explain.err);
  CHECK(explain.out.find("deny-vnet-inbound") != std::string::npos);
}

TEST_CASE("hublab rules: a VM's effective security rules per NSG, tags expanded, as az prints them",
          "[nsg]") {
  const std::string lab = test::lab_path("multi-hub-internet-vpn-nsg.toml");
  auto table = test::run_hublab({"rules", lab, "vm-spoke10"});
  INFO(table.out << table.err);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("nsg-spoke10 (subnet spoke10/default)") != std::string::npos);
  CHECK(table.out.find("securityRules/allow-ssh-from-hub") != std::string::npos);
  CHECK(table.out.find("defaultSecurityRules/DenyAllInBound") != std::string::npos);
  auto az = test::run_hublab({"rules", lab, "vm-spoke120", "--format", "az"});
  INFO(az.out << az.err);
  REQUIRE(az.exit_code == 0);
  const nlohmann::json value = nlohmann::json::parse(az.out).at("value");
  REQUIRE(value.size() == 1);  // only the NIC's: spoke120's subnet has none
  CHECK(value[0]["association"].contains("networkInterface"));
  auto rule_named = [&](const std::string& name) {
    for (const nlohmann::json& rule : value[0]["effectiveSecurityRules"])
      if (rule["name"] == name) return rule;
    FAIL("no rule " << name);
    return nlohmann::json();
  };
  const nlohmann::json first = rule_named("securityRules/deny-ping-spoke20");
  CHECK(first["protocol"] == "Icmp");
  CHECK(first["direction"] == "Outbound");
  CHECK(first["destinationPortRange"] == "0-65535");
  // AllowVnetOutBound's VirtualNetwork, expanded for this NIC.
  const nlohmann::json vnet_out = rule_named("defaultSecurityRules/AllowVnetOutBound");
  const auto& expanded = vnet_out["expandedDestinationAddressPrefix"];
  CHECK(std::find(expanded.begin(), expanded.end(), "10.120.0.0/16") != expanded.end());
  CHECK(std::find(expanded.begin(), expanded.end(), "10.100.0.0/16") != expanded.end());
  auto none = test::run_hublab({"rules", lab, "vm-spoke20"});
  CHECK(none.out.find("no NSG") != std::string::npos);
}

TEST_CASE("hublab verify: IP flow verify from the model, the rule that decided", "[nsg]") {
  const std::string lab = test::lab_path("multi-hub-internet-vpn-nsg.toml");
  auto ssh = test::run_hublab({"verify", lab, "vm-spoke10", "--direction", "in", "--protocol",
                               "tcp", "--local", "10.10.0.4:22", "--remote", "10.0.0.4:50000"});
  INFO(ssh.out << ssh.err);
  CHECK(ssh.exit_code == 0);
  CHECK(ssh.out.find("Access: Allow") != std::string::npos);
  CHECK(ssh.out.find("securityRules/allow-ssh-from-hub") != std::string::npos);
  auto far =
      test::run_hublab({"verify", lab, "vm-spoke10", "--direction", "in", "--protocol", "tcp",
                        "--local", "10.10.0.4:22", "--remote", "10.100.0.4:50000", "--json"});
  INFO(far.out << far.err);
  const nlohmann::json verdict = nlohmann::json::parse(far.out);
  CHECK(verdict["access"] == "Deny");
  CHECK(verdict["ruleName"] == "securityRules/deny-vnet-inbound");
  auto bad = test::run_hublab({"verify", lab, "vm-spoke10", "--direction", "in", "--protocol",
                               "tcp", "--local", "10.10.0.9:22", "--remote", "10.0.0.4:1"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("is not vm-spoke10's address") != std::string::npos);
  auto no_port = test::run_hublab({"verify", lab, "vm-spoke10", "--direction", "out", "--protocol",
                                   "udp", "--local", "10.10.0.4", "--remote", "10.0.0.4:53"});
  CHECK(no_port.exit_code == 2);
}

TEST_CASE("An NVA's own packet over a VXLAN overlay meets its NIC's NSG as the VXLAN packet",
          "[nsg]") {
  std::ifstream in(test::lab_path("route-server-two-hubs.toml"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string vm = "[vm.vm-nva01]\n";
  text.insert(text.find(vm) + vm.size(), "nsg = \"nsg-nva01\"\n");
  text += R"(
[nsg.nsg-nva01]
rules = [{ name = "deny-ping-spoke21", priority = 100, direction = "Outbound", access = "Deny", protocol = "Icmp", source_address_prefix = "*", destination_address_prefix = "10.21.0.0/16" }]
)";
  const Lab lab = test::inline_lab(text);
  AzureModel model(lab);
  const Vm& nva = *lab.find_vm("vm-nva01");
  // Its own ping to spoke21 goes over the overlay: the NIC sees UDP 4789.
  CHECK(model.path(nva, lab.vm_address(*lab.find_vm("vm-spoke21"))).delivered);
  // What it forwards for spoke11 the same way; the rule is for ICMP the
  // NIC itself carries toward spoke21, and none does.
  CHECK(model.pair(*lab.find_vm("vm-spoke11"), *lab.find_vm("vm-spoke21")).reachable);
}

TEST_CASE(
    "hublab explain follows -P and -p through the NSGs: the rule that denied, the answer "
    "passing",
    "[nsg]") {
  const std::string lab = test::lab_path("multi-hub-internet-vpn-nsg.toml");
  auto http = test::run_hublab({"explain", lab, "vm-hub00", "vm-spoke10", "-P", "tcp", "-p", "80"});
  INFO(http.out << http.err);
  CHECK(http.out.find("tcp port 80: routed by destination, filtered by the NSGs on its way") !=
        std::string::npos);
  CHECK(http.out.find("=> denied by nsg-spoke10 rule deny-vnet-inbound (Inbound, subnet "
                      "spoke10/default)") != std::string::npos);
  CHECK(http.out.find("not reachable") != std::string::npos);
  auto ssh = test::run_hublab({"explain", lab, "vm-hub00", "vm-spoke10", "-P", "tcp", "-p", "22"});
  INFO(ssh.out << ssh.err);
  CHECK(ssh.out.find("Inbound rule allow-ssh-from-hub (100): Allow") != std::string::npos);
  CHECK(ssh.out.find("and back, vm-spoke10 -> vm-hub00") != std::string::npos);
  CHECK(ssh.out.rfind("reachable") == ssh.out.size() - std::string("reachable\n").size());
}

TEST_CASE("A crafted packet carries the question's addresses and ports, its checksums valid",
          "[nsg]") {
  using probe::CraftedPacket;
  const Ipv4 a = *Ipv4::parse("10.5.0.4"), b = *Ipv4::parse("10.5.0.5");
  for (ProbeProtocol protocol : {ProbeProtocol::kTcp, ProbeProtocol::kUdp, ProbeProtocol::kIcmp}) {
    const CraftedPacket asked{.protocol = protocol,
                              .source = a,
                              .destination = b,
                              .source_port = 40000,
                              .destination_port = 8080,
                              .ip_id = 4242};
    const std::vector<uint8_t> bytes = probe::crafted_packet_bytes(asked);
    INFO(protocol_name(protocol));
    REQUIRE(bytes.size() >= 28);
    CHECK(bytes[0] == 0x45);
    CHECK(((bytes[2] << 8) | bytes[3]) == static_cast<int>(bytes.size()));
    CHECK(((bytes[4] << 8) | bytes[5]) == 4242);
    CHECK(probe::internet_checksum({bytes.data(), 20}) == 0);  // a valid header sums to 0
    std::vector<uint8_t> summed;
    if (protocol == ProbeProtocol::kIcmp) {
      CHECK(bytes[9] == 1);
      CHECK(bytes[20] == 8);  // echo request
      summed.assign(bytes.begin() + 20, bytes.end());
    } else {
      CHECK(((bytes[20] << 8) | bytes[21]) == 40000);
      CHECK(((bytes[22] << 8) | bytes[23]) == 8080);
      // The pseudo header: addresses, protocol, length; then the segment.
      summed.assign(bytes.begin() + 12, bytes.begin() + 20);
      summed.push_back(0);
      summed.push_back(bytes[9]);
      summed.push_back(0);
      summed.push_back(static_cast<uint8_t>(bytes.size() - 20));
      summed.insert(summed.end(), bytes.begin() + 20, bytes.end());
    }
    CHECK(probe::internet_checksum(summed) == 0);
  }
}

TEST_CASE(
    "hublab verify on a running lab: a real packet traced through the filters, the same "
    "rule as the model, and a filter that differs is caught",
    "[nsg][root]") {
  REQUIRE_ROOT();
  test::ScratchLab lab(test::LabText{R"(
[vnet.one]
address_space = ["10.5.0.0/16"]
subnets = { default = { prefix = "10.5.0.0/24", nsg = "nsg-subnet" } }
[vm.vm-a]
vnet = "one"
[vm.vm-b]
vnet = "one"
address = "10.5.0.5"
nsg = "nsg-nic-b"
[nsg.nsg-subnet]
rules = [
  { name = "deny-udp-53", priority = 110, direction = "Inbound", access = "Deny", protocol = "Udp", source_address_prefix = "*", destination_address_prefix = "*", destination_port_range = "53" },
]
[nsg.nsg-nic-b]
rules = [
  { name = "deny-8080", priority = 200, direction = "Inbound", access = "Deny", protocol = "Tcp", source_address_prefix = "VirtualNetwork", destination_address_prefix = "*", destination_port_range = "8080-8090" },
  { name = "deny-ping-out", priority = 300, direction = "Outbound", access = "Deny", protocol = "Icmp", source_address_prefix = "*", destination_address_prefix = "10.5.0.4" },
]
)"},
                       "nsgverify");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  auto verify = [&](const std::vector<std::string>& question) {
    std::vector<std::string> args{"verify", lab.name()};
    args.insert(args.end(), question.begin(), question.end());
    args.push_back("--json");
    auto result = test::run_hublab(args);
    INFO(result.out << result.err);
    REQUIRE(result.exit_code <= 1);
    nlohmann::json verdict = nlohmann::json::parse(result.out);
    verdict["exit"] = result.exit_code;
    return verdict;
  };
  // Inbound, the NIC's rule after the subnet's AllowVnetInBound.
  auto web = verify({"vm-b", "--direction", "in", "--protocol", "tcp", "--local", "10.5.0.5:8085",
                     "--remote", "10.5.0.4:40000"});
  CHECK(web["live"]["access"] == "Deny");
  CHECK(web["live"]["ruleName"] == "securityRules/deny-8080");
  CHECK(web["live"]["association"] == "NIC of vm-b");
  CHECK(web["agree"] == true);
  CHECK(web["exit"] == 0);
  // IPv4 packets vm-b's kernel received: the allowed packet stops at the
  // port, after the filters, so the VM neither sees nor answers it.
  auto received = [&] {
    auto snmp = lab.exec("vm-b", {"cat", "/proc/net/snmp"});
    std::istringstream lines(snmp.out);
    std::string names, values;
    std::getline(lines, names);
    std::getline(lines, values);
    std::istringstream n(names), v(values);
    std::string name, value;
    while (n >> name && v >> value)
      if (name == "InReceives") return std::stol(value);
    return -1L;
  };
  const long before = received();
  auto ssh = verify({"vm-b", "--direction", "in", "--protocol", "tcp", "--local", "10.5.0.5:22",
                     "--remote", "10.5.0.4:40000"});
  CHECK(received() == before);
  CHECK(before >= 0);
  CHECK(ssh["live"]["access"] == "Allow");
  CHECK(ssh["live"]["ruleName"] == "defaultSecurityRules/AllowVnetInBound");
  CHECK(ssh["live"]["association"] == "NIC of vm-b");  // the last NSG that decided
  CHECK(ssh["agree"] == true);
  // The subnet's NSG decides first inbound.
  auto dns = verify({"vm-b", "--direction", "in", "--protocol", "udp", "--local", "10.5.0.5:53",
                     "--remote", "10.5.0.4:40000"});
  CHECK(dns["live"]["ruleName"] == "securityRules/deny-udp-53");
  CHECK(dns["live"]["association"] == "subnet one/default");
  CHECK(dns["agree"] == true);
  // Outbound from the VM: the NIC's NSG first.
  auto ping = verify({"vm-b", "--direction", "out", "--protocol", "icmp", "--local", "10.5.0.5",
                      "--remote", "10.5.0.4"});
  CHECK(ping["live"]["access"] == "Deny");
  CHECK(ping["live"]["ruleName"] == "securityRules/deny-ping-out");
  CHECK(ping["agree"] == true);
  auto tables = test::run({"ip", "netns", "exec", lab.netns("one"), "nft", "list", "tables"});
  CHECK(tables.out.find("hublab_trace") == std::string::npos);  // the trace's table is gone
  // The live answer is the kernel's: without the filters on vm-b's port
  // the packet passes, the model still denies, and verify says they differ.
  REQUIRE(test::run({"ip", "netns", "exec", lab.netns("one"), "nft", "flush", "chain", "bridge",
                     "hublab_ports", "to_ports"})
              .exit_code == 0);
  auto unfiltered = verify({"vm-b", "--direction", "in", "--protocol", "tcp", "--local",
                            "10.5.0.5:8085", "--remote", "10.5.0.4:40000"});
  CHECK(unfiltered["access"] == "Deny");
  CHECK(unfiltered["live"]["access"] == "Allow");
  CHECK(unfiltered["agree"] == false);
  CHECK(unfiltered["exit"] == 1);
  // From a file the model answers alone.
  auto from_file = test::run_hublab({"verify", test::lab_path("multi-hub-internet-vpn-nsg.toml"),
                                     "vm-spoke10", "--direction", "in", "--protocol", "icmp",
                                     "--local", "10.10.0.4", "--remote", "10.0.0.4"});
  CHECK(from_file.exit_code == 0);
  CHECK(from_file.out.find("Live:") == std::string::npos);
}
