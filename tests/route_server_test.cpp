// Route Server and BGP-speaking NVAs: the lab format, the model's rows
// against MS Learn's rules (docs/azure-rules.md, Route Server), the plan's
// nodes, BIRD and FRR configurations without root, and the live lab with
// real namespaces, BIRDs and FRRouting, held against the model.

#include "orchestrator/plan/route_server.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "drivers/frr/frr_vty.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/lab_validator.h"
#include "orchestrator/lab/route_server.h"
#include "orchestrator/model/azure_model.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/bird_config.h"
#include "orchestrator/plan/fabric.h"
#include "tests/support/command.h"
#include "tests/support/scratch_lab.h"

using namespace hublab;
using namespace hublab::test;

namespace {

const char* kLab = "route-server-nva.toml";
const char* kFrrConfLab = "route-server-frr-conf.toml";
const char* kTwoHubsLab = "route-server-two-hubs.toml";
const char* kExpressRouteLab = "route-server-expressroute.toml";
const char* kBranchLab = "route-server-branch-to-branch.toml";

// The branch-to-branch lab without the route table on hub00's GatewaySubnet.
void without_gateway_subnet_table(std::string& text) {
  replace_once(text,
               "GatewaySubnet = { prefix = \"10.0.200.0/24\", route_table = \"vnet10-via-nva\" }",
               "GatewaySubnet = \"10.0.200.0/24\"");
}

// The two-hub lab with neither NVA taking 65515 out.
void without_as_override(std::string& text) {
  for (int i = 0; i < 2; ++i) replace_once(text, "as_override = true", "as_override = false");
}

Lab valid_lab(const std::string& path) {
  Lab lab = load_lab_file(path).lab;
  INFO(path);
  for (const Diagnostic& d : validate_lab(lab)) FAIL(d.message);
  return lab;
}

using Rows = std::vector<std::tuple<std::string, std::string, std::string>>;

// The model's Route Server rows of a VM: (state, prefix, next hop IP).
Rows model_rows(const Lab& lab, const std::string& vm) {
  Rows rows;
  for (const EffectiveRoute& r : AzureModel(lab).effective_routes(*lab.find_vm(vm)))
    if (r.source == "Virtual network gateway")
      rows.emplace_back(r.state, r.prefix.str(), r.next_hop_ip);
  return rows;
}

// The same rows of a running lab, as `hublab routes --json` gives them.
Rows live_rows(const std::string& lab, const std::string& vm) {
  auto routes = run_hublab({"routes", lab, vm, "--json"});
  INFO(routes.err);
  REQUIRE(routes.exit_code == 0);
  Rows rows;
  const nlohmann::json parsed = nlohmann::json::parse(routes.out);
  for (const auto& r : parsed["routes"])
    if (r["source"] == "Virtual network gateway")
      rows.emplace_back(r["state"], r["address_prefix"],
                        r["next_hop_ip"].is_null() ? "" : r["next_hop_ip"].get<std::string>());
  return rows;
}

const BgpRouter& router_of(const std::vector<BgpRouter>& routers, const std::string& node) {
  for (const BgpRouter& r : routers)
    if (r.node == node) return r;
  FAIL("no BGP speaker " << node);
  return routers.front();
}

// The lab with a second NVA, vm-nva01 (10.0.0.6), advertising `prefixes`.
void add_second_nva(std::string& text, const std::string& prefixes) {
  replace_once(text, "[vm.vm-hub00]",
               "[vm.vm-nva01]\nvnet = \"hub00\"\naddress = \"10.0.0.6\"\nip_forwarding = true\n"
               "bgp = { asn = 65002, advertise = [" +
                   prefixes + "] }\n\n[vm.vm-hub00]");
  replace_once(text, "{ name = \"nva00\", peer_ip = \"10.0.0.4\", peer_asn = 65001 }",
               "{ name = \"nva00\", peer_ip = \"10.0.0.4\", peer_asn = 65001 },\n"
               "  { name = \"nva01\", peer_ip = \"10.0.0.6\", peer_asn = 65002 }");
}

}  // namespace

TEST_CASE("The model: an NVA's supernet programmed into the hub and both spokes, next hop the NVA",
          "[route-server][model]") {
  const Lab lab = valid_lab(lab_path(kLab));
  // "Virtual network traffic routing": what Route Server learns shows as a
  // gateway route; it beats the default 10.0.0.0/8 None of the same prefix.
  for (const char* vm : {"vm-hub00", "vm-nva00", "vm-spoke10", "vm-spoke20"}) {
    INFO(vm);
    CHECK(model_rows(lab, vm) == Rows{{"Active", "10.0.0.0/8", "10.0.0.4"}});
    bool default_invalid = false;
    for (const EffectiveRoute& r : AzureModel(lab).effective_routes(*lab.find_vm(vm)))
      default_invalid |=
          r.prefix.str() == "10.0.0.0/8" && r.next_hop_type == "None" && r.state == "Invalid";
    CHECK(default_invalid);
  }
  // Spoke to spoke: through the NVA, which forwards (two hops).
  const AzureModel model(lab);
  const PairPrediction pair = model.pair(*lab.find_vm("vm-spoke10"), *lab.find_vm("vm-spoke20"));
  CHECK(pair.reachable);
  const PathPrediction path = model.path(*lab.find_vm("vm-spoke10"), *Ipv4::parse("10.20.0.4"));
  REQUIRE(path.steps.size() >= 2);
  CHECK(path.steps[0].route.find("from Route Server rs-hub00: NVA vm-nva00 (10.0.0.4, AS path "
                                 "65001)") != std::string::npos);
  CHECK(path.steps[1].where == "appliance vm-nva00 (10.0.0.4)");
}

TEST_CASE("The model: ECMP over NVAs of equal AS paths, VNet spaces win, faults withdraw",
          "[route-server][model]") {
  // Two NVAs offering the same prefix: a row each, in address order.
  EditedLab two(lab_path(kLab),
                [](std::string& text) { add_second_nva(text, "\"10.0.0.0/8\", \"10.0.1.0/24\""); });
  const Lab lab = valid_lab(two.path());
  // 10.0.1.0/24 lies inside the hub's space: Route Server takes it from
  // neither NVA ("Route injection in spokes").
  CHECK(model_rows(lab, "vm-spoke10") ==
        Rows{{"Active", "10.0.0.0/8", "10.0.0.4"}, {"Active", "10.0.0.0/8", "10.0.0.6"}});
  // An NVA stopped: only the other's routes stay.
  const Lab nva_down = lab_under_faults(lab, {nva_fault("vm-nva00")});
  CHECK(model_rows(nva_down, "vm-spoke10") == Rows{{"Active", "10.0.0.0/8", "10.0.0.6"}});
  // One instance down: both carry every route, nothing changes; both: nothing.
  const Lab one = lab_under_faults(lab, {route_server_instance_fault("rs-hub00", 0)});
  CHECK(model_rows(one, "vm-spoke10") == model_rows(lab, "vm-spoke10"));
  const Lab both = lab_under_faults(lab, {route_server_instance_fault("rs-hub00", 0),
                                          route_server_instance_fault("rs-hub00", 1)});
  CHECK(model_rows(both, "vm-spoke10").empty());
  // Without its Route Server's route, spoke to spoke drops (peering is not
  // transitive).
  CHECK_FALSE(
      AzureModel(both).pair(*both.find_vm("vm-spoke10"), *both.find_vm("vm-spoke20")).reachable);
}

TEST_CASE("The model: a spoke that does not use the remote Route Server, and propagation off",
          "[route-server][model]") {
  EditedLab edited(lab_path(kLab), [](std::string& text) {
    replace_once(text, "spoke20 = { use_remote_gateways = true, allow_forwarded_traffic = true }",
                 "spoke20 = { allow_forwarded_traffic = true }");
    replace_once(text, "subnets = { default = \"10.10.0.0/24\" }",
                 "subnets = { default = { prefix = \"10.10.0.0/24\", route_table = \"rt\" } }\n"
                 "[route_table.rt]\nbgp_route_propagation = false\nroutes = []");
    replace_once(text, "hops = 2", "reachable = false");
  });
  const Lab lab = valid_lab(edited.path());
  CHECK(model_rows(lab, "vm-spoke20").empty());
  CHECK(model_rows(lab, "vm-spoke10").empty());  // "Propagate gateway routes" off
  CHECK(model_rows(lab, "vm-hub00") == Rows{{"Active", "10.0.0.0/8", "10.0.0.4"}});
}

TEST_CASE("The plan: two instances at .4 and .5 of RouteServerSubnet, each a BIRD as Azure's",
          "[route-server][plan]") {
  const Lab lab = valid_lab(lab_path(kLab));
  const FabricPlan fabric = plan_fabric(lab);
  std::vector<std::string> instances;
  for (const NamespaceSpec& ns : fabric.namespaces)
    if (ns.role == NodeRole::kRouteServer) instances.push_back(ns.name);
  CHECK(instances ==
        std::vector<std::string>{"route-server-nva.rs-hub00.0", "route-server-nva.rs-hub00.1"});
  std::vector<std::string> addresses;
  for (const AddressSpec& a : fabric.addresses)
    if (a.interface.netns.find(".rs-hub00.") != std::string::npos)
      addresses.push_back(a.address.str() + "/" + std::to_string(a.prefix_length));
  CHECK(addresses == std::vector<std::string>{"10.0.210.4/24", "10.0.210.5/24"});
  for (const SysctlSpec& s : fabric.sysctls)
    if (s.netns == "route-server-nva.rs-hub00.0" && s.path == "net/ipv4/ip_forward")
      CHECK(s.value == "0");  // it forwards no data traffic

  const std::vector<BgpRouter> bgp = plan_bgp(lab);
  const BgpRouter& instance = router_of(bgp, "rs-hub00.1");
  CHECK(instance.kind == BgpRouter::Kind::kRouteServer);
  REQUIRE(instance.sessions.size() == 2);
  CHECK(instance.sessions[0].kind == BgpSession::Kind::kToNva);
  CHECK(instance.sessions[0].local_as == 65515);
  CHECK(instance.sessions[0].neighbor.str() == "10.0.0.4");
  CHECK(instance.sessions[0].neighbor_as == 65001);
  CHECK(instance.sessions[1].kind == BgpSession::Kind::kToVnetRouter);
  CHECK(instance.sessions[1].neighbor.str() == "10.0.210.1");
  // It advertises the VNets it serves: the hub and both spokes.
  REQUIRE(instance.advertised.size() == 3);
  const std::string config = bird_config(instance);
  CHECK(config.find("multihop;") != std::string::npos);
  CHECK(config.find("receive limit 4000 action disable;") != std::string::npos);
  CHECK(config.find("graceful restart off;") != std::string::npos);
  CHECK(config.find("add paths tx;") != std::string::npos);
  CHECK(config.find("route 10.0.0.4/32 via 10.0.210.1;") != std::string::npos);

  const BgpRouter& hub = router_of(bgp, "hub00");
  std::vector<std::string> hub_sessions;
  for (const BgpSession& s : hub.sessions) hub_sessions.push_back(s.name);
  CHECK(hub_sessions == std::vector<std::string>{"route_server_rs_hub00_0",
                                                 "route_server_rs_hub00_1", "spoke_spoke10",
                                                 "spoke_spoke20"});
  CHECK(bird_config(hub).find("add paths rx;") != std::string::npos);
  CHECK(hub.installed == std::vector<Prefix>{*Prefix::parse("10.0.0.0/8")});
  const BgpRouter& spoke = router_of(bgp, "spoke10");
  REQUIRE(spoke.sessions.size() == 1);
  CHECK(spoke.sessions[0].kind == BgpSession::Kind::kFromHub);
  CHECK(spoke.sessions[0].local_as == 65515);
}

TEST_CASE("The plan: hublab's FRR configuration, or the user's own file as it is",
          "[route-server][plan]") {
  const Lab lab = valid_lab(lab_path(kLab));
  const std::vector<NvaSpec> nvas = plan_nvas(lab, {});
  REQUIRE(nvas.size() == 1);
  CHECK(nvas[0].vm == "vm-nva00");
  CHECK(nvas[0].config_source == "hublab");
  const std::string& c = nvas[0].config;
  for (const char* line :
       {"router bgp 65001\n", " bgp router-id 10.0.0.4\n", " neighbor 10.0.210.4 remote-as 65515\n",
        " neighbor 10.0.210.5 ebgp-multihop 255\n", "  network 10.0.0.0/8\n",
        "ip route 10.0.0.0/8 10.0.0.1\n", "ip route 10.0.210.0/24 10.0.0.1\n"})
    CHECK(c.find(line) != std::string::npos);

  // graph draws both instances and their sessions to the NVA.
  auto graph = run_hublab({"graph", lab_path(kLab)});
  INFO(graph.err);
  CHECK(graph.out.find("Route Server rs-hub00\ninstance 1, 10.0.210.5") != std::string::npos);
  CHECK(graph.out.find("\"rs-hub00.0\" -- \"vm-nva00\" [style=dashed") != std::string::npos);

  const Lab own = valid_lab(lab_path(kFrrConfLab));
  const FrrConfigs configs = read_frr_configs(own);
  REQUIRE(configs.count("vm-nva00"));
  const std::vector<NvaSpec> theirs = plan_nvas(own, configs);
  CHECK(theirs[0].config_source == "route-server-frr-conf/frr.conf");
  CHECK(theirs[0].config == configs.at("vm-nva00"));
  CHECK(theirs[0].config.find("route-map rmap-azure-asns deny 5") != std::string::npos);
}

TEST_CASE(
    "Live: spokes reach each other through the NVA with no route table, routes as the model's",
    "[route-server][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(lab_path(kLab), "rs");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  for (const char* vm : {"vm-spoke10", "vm-hub00"})
    CHECK(live_rows(lab.name(), vm) == Rows{{"Active", "10.0.0.0/8", "10.0.0.4"}});
  auto trace = run_hublab({"trace", lab.name(), "vm-spoke10", "vm-spoke20"});
  INFO(trace.out << trace.err);
  REQUIRE(trace.exit_code == 0);
  CHECK(trace.out.find(" 1  10.0.0.4") != std::string::npos);
  CHECK(trace.out.find(" 2  10.20.0.4") != std::string::npos);
  // The kernel: each subnet's table sends 10/8 to the NVA.
  auto table = lab.exec("hub00", {"ip", "route", "show", "table", "all", "10.0.0.0/8"});
  CHECK(table.out.find("10.0.0.0/8 via 10.0.0.4 dev br0 table 100 proto bird") !=
        std::string::npos);

  // status: both instances' sessions, and FRR's memory.
  auto status = run_hublab({"status", lab.name()});
  INFO(status.out);
  CHECK(status.out.find("rs-hub00.0     nva_nva00") != std::string::npos);
  CHECK(status.out.find("route_server_rs_hub00_1") != std::string::npos);
  CHECK(status.out.find("frr-bgpd") != std::string::npos);
  // logs: the NVA's FRR, a log per daemon.
  auto logs = run_hublab({"logs", lab.name(), "vm-nva00"});
  INFO(logs.out << logs.err);
  CHECK(logs.exit_code == 0);
  CHECK(logs.out.find("bgpd.log <==") != std::string::npos);
  CHECK(logs.out.find("bgpd 8.") != std::string::npos);

  // The NVA's routing stopped: the routes go, the spokes no longer meet.
  auto down = run_hublab({"fault", lab.name(), "nva", "vm-nva00", "down"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(live_rows(lab.name(), "vm-spoke10").empty());
  CHECK_FALSE(lab.pings("vm-spoke10", "10.20.0.4"));
  CHECK(every_vm_agrees(passing_check(lab.name())));
  auto up = run_hublab({"fault", lab.name(), "nva", "vm-nva00", "up"});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(live_rows(lab.name(), "vm-spoke10") == Rows{{"Active", "10.0.0.0/8", "10.0.0.4"}});
  CHECK(lab.pings("vm-spoke10", "10.20.0.4"));

  // One instance down: the other carries everything.
  auto instance =
      run_hublab({"fault", lab.name(), "route-server", "rs-hub00", "instance", "0", "down"});
  INFO(instance.out << instance.err);
  REQUIRE(instance.exit_code == 0);
  CHECK(live_rows(lab.name(), "vm-spoke10") == Rows{{"Active", "10.0.0.0/8", "10.0.0.4"}});
  CHECK(lab.pings("vm-spoke10", "10.20.0.4"));
  REQUIRE(run_hublab({"fault", lab.name(), "clear"}).exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
}

TEST_CASE("Live: two NVAs share a prefix over ECMP, each a row and a next hop in the kernel",
          "[route-server][root]") {
  REQUIRE_ROOT();
  EditedLab two(lab_path(kLab), [](std::string& text) { add_second_nva(text, "\"10.0.0.0/8\""); });
  ScratchLab lab(two.path(), "rs-ecmp");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  CHECK(live_rows(lab.name(), "vm-spoke10") ==
        Rows{{"Active", "10.0.0.0/8", "10.0.0.4"}, {"Active", "10.0.0.0/8", "10.0.0.6"}});
  auto main_table = lab.exec("hub00", {"ip", "route", "show", "10.0.0.0/8", "proto", "bird"});
  CHECK(main_table.out.find("nexthop via 10.0.0.4") != std::string::npos);
  CHECK(main_table.out.find("nexthop via 10.0.0.6") != std::string::npos);
}

TEST_CASE("Live: a design's own frr.conf runs as it is and hears what its README shows",
          "[route-server][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(lab_path(kFrrConfLab), "rs-frr");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  // skmkzyk/bicep-templates 20220816_frrouting-ars-cloud-init/README.md:
  //   *> 10.0.0.0/16      10.0.210.4                             0 65515 i
  const std::string vty = "/run/hublab/" + lab.name() + "/frr/vm-nva00";
  std::string received;
  for (int attempt = 0; attempt < 50; ++attempt) {
    received =
        run({"vtysh", "--vty_socket", vty, "-c", "show ip bgp neighbors 10.0.210.4 received"}).out;
    if (received.find("10.0.0.0/16") != std::string::npos) break;
    usleep(100 * 1000);
  }
  INFO(received);
  CHECK(received.find("*> 10.0.0.0/16      10.0.210.4                             0 65515 i") !=
        std::string::npos);
  const std::string summary = run({"vtysh", "--vty_socket", vty, "-c", "show ip bgp summary"}).out;
  INFO(summary);
  CHECK(summary.find("local AS number 65001") != std::string::npos);
}

namespace {

// "10.0.0.0/8" and 4,001 /32s of 192.168.0.0/16, for vm-nva01.
std::string over_the_limit() {
  std::string prefixes = "\"10.0.0.0/8\"";
  for (int i = 0; i < 4001; ++i)
    prefixes +=
        ", \"192.168." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + "/32\"";
  return prefixes;
}

}  // namespace

TEST_CASE(
    "More than 4000 routes from one NVA: Route Server drops its session and the other NVA stays",
    "[route-server][model]") {
  EditedLab over(lab_path(kLab), [](std::string& text) { add_second_nva(text, over_the_limit()); });
  const Lab lab = valid_lab(over.path());
  CHECK(model_rows(lab, "vm-spoke10") == Rows{{"Active", "10.0.0.0/8", "10.0.0.4"}});
  // The plan: its sessions need not be Established for the lab to converge.
  const std::vector<BgpRouter> bgp = plan_bgp(lab);
  const BgpRouter& instance = router_of(bgp, "rs-hub00.0");
  REQUIRE(instance.sessions.size() == 3);
  CHECK_FALSE(instance.sessions[0].optional);
  CHECK(instance.sessions[1].optional);
  REQUIRE(instance.expected.size() == 1);
  CHECK(instance.expected[0].str() == "10.0.0.0/8");
}

TEST_CASE("Live: an NVA over the route limit loses its sessions, the lab agrees with the model",
          "[route-server][root]") {
  REQUIRE_ROOT();
  EditedLab over(lab_path(kLab), [](std::string& text) { add_second_nva(text, over_the_limit()); });
  ScratchLab lab(over.path(), "rs-limit");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  // FRR sends its routes in several updates: the limit trips on the one
  // that passes 4,000, and what came before is withdrawn then.
  auto disabled = [&] {
    auto status = run_hublab({"status", lab.name(), "--json"});
    const nlohmann::json parsed = nlohmann::json::parse(status.out);
    int down = 0;
    for (const auto& s : parsed["bgp_sessions"])
      down += s["session"] == "nva_nva01" && s["state"] == "Down" &&
              s["last_error"].get<std::string>().find("Route limit exceeded") != std::string::npos;
    return down == 2;
  };
  // Then the withdrawals (4,000 of them) cross the VNet router to the spokes.
  auto settled = [&] {
    return disabled() &&
           live_rows(lab.name(), "vm-spoke20") == Rows{{"Active", "10.0.0.0/8", "10.0.0.4"}};
  };
  for (int attempt = 0; attempt < 100 && !settled(); ++attempt) usleep(100 * 1000);
  REQUIRE(settled());
  CHECK(every_vm_agrees(passing_check(lab.name())));
  CHECK(live_rows(lab.name(), "vm-spoke10") == Rows{{"Active", "10.0.0.0/8", "10.0.0.4"}});
  auto status = run_hublab({"status", lab.name()});
  INFO(status.out);
  CHECK(status.out.find("rs-hub00.0     nva_nva01               10.0.0.6         Established") ==
        std::string::npos);
}

// RS12 ("Multi-region networking with Route Server"): two hubs, each with
// a Route Server and an NVA, the NVAs peered over a VXLAN overlay.

TEST_CASE("The model: NVAs of two hubs over VXLAN, 65515 taken out, spokes reach across hubs",
          "[route-server][model][vxlan]") {
  const Lab lab = valid_lab(lab_path(kTwoHubsLab));
  // Each Route Server programs the far hub's spaces, next hop its own NVA;
  // in a hub the peering's system route beats the far hub's (rule 5).
  const Rows across = {{"Active", "10.2.0.0/16", "10.1.0.4"},
                       {"Active", "10.21.0.0/16", "10.1.0.4"}};
  CHECK(model_rows(lab, "vm-spoke11") == across);
  CHECK(model_rows(lab, "vm-hub01") ==
        Rows{{"Invalid", "10.2.0.0/16", "10.1.0.4"}, {"Active", "10.21.0.0/16", "10.1.0.4"}});
  CHECK(model_rows(lab, "vm-spoke21") ==
        Rows{{"Active", "10.1.0.0/16", "10.2.0.4"}, {"Active", "10.11.0.0/16", "10.2.0.4"}});

  const AzureModel model(lab);
  const PathPrediction path = model.path(*lab.find_vm("vm-spoke11"), *Ipv4::parse("10.21.0.4"));
  INFO(path.outcome);
  CHECK(path.delivered);
  CHECK(path.appliances == 2);
  REQUIRE(path.steps.size() == 4);
  // as-override at vm-nva02 (65515 to 65002), then at vm-nva01: FRR's own
  // path, as BIRD shows it in the live test below.
  CHECK(path.steps[0].route.find("NVA vm-nva01 (10.1.0.4, AS path 65001 65002 65001)") !=
        std::string::npos);
  CHECK(path.steps[1].route ==
        "10.21.0.0/16 BGP from NVA vm-nva02 (192.168.100.2, AS path 65002 65515): over VXLAN 100");
  CHECK(path.steps[2].where == "appliance vm-nva02 (192.168.100.2)");
  CHECK(path.steps[3].where == "hub02/default");
  auto hops = [&](const char* from, const char* to) {
    const PairPrediction pair = model.pair(*lab.find_vm(from), *lab.find_vm(to));
    return pair.reachable ? pair.hops : 0;
  };
  CHECK(hops("vm-spoke11", "vm-spoke21") == 3);
  CHECK(hops("vm-hub02", "vm-spoke11") == 3);
  CHECK(hops("vm-hub01", "vm-hub02") == 1);    // the peering, not the NVAs
  CHECK(hops("vm-nva01", "vm-hub02") == 2);    // the NVA's own route: over the overlay
  CHECK(hops("vm-spoke11", "vm-nva02") == 2);  // the far NIC: the underlay, over the peering

  // The far NVA stopped: its overlay session goes, and with it every route
  // across; the hubs still meet over their peering.
  const Lab stopped = lab_under_faults(lab, {nva_fault("vm-nva02")});
  CHECK(model_rows(stopped, "vm-spoke11").empty());
  const AzureModel model_stopped(stopped);
  CHECK_FALSE(
      model_stopped.pair(*stopped.find_vm("vm-spoke11"), *stopped.find_vm("vm-spoke21")).reachable);
  CHECK(model_stopped.pair(*stopped.find_vm("vm-hub01"), *stopped.find_vm("vm-hub02")).reachable);

  // Without as-override each Route Server drops what crossed the other (its
  // own ASN in the path): nothing across, though the NVAs hear each other.
  EditedLab plain(lab_path(kTwoHubsLab), without_as_override);
  const Lab kept = valid_lab(plain.path());
  CHECK(model_rows(kept, "vm-spoke11").empty());
  const AzureModel model_kept(kept);
  CHECK_FALSE(model_kept.pair(*kept.find_vm("vm-spoke11"), *kept.find_vm("vm-spoke21")).reachable);
  CHECK(model_kept.path(*kept.find_vm("vm-nva01"), *Ipv4::parse("10.21.0.4")).appliances == 1);
}

TEST_CASE("The plan: a VXLAN device in each NVA, the far NIC under it, FRR peering over it",
          "[route-server][plan][vxlan]") {
  const Lab lab = valid_lab(lab_path(kTwoHubsLab));
  const FabricPlan fabric = plan_fabric(lab);
  REQUIRE(fabric.vxlans.size() == 2);
  const VxlanSpec& near = fabric.vxlans[0];
  CHECK(near.device.netns == "route-server-two-hubs.vm-nva01");
  CHECK(near.device.name == "vx100");
  CHECK(near.vni == 100);
  CHECK(near.local.str() == "10.1.0.4");
  CHECK(near.remote.str() == "10.2.0.4");
  CHECK(fabric.vxlans[1].remote.str() == "10.1.0.4");
  bool overlay_address = false, far_nic = false, far_neighbor = false;
  for (const AddressSpec& a : fabric.addresses)
    overlay_address |= a.interface.netns == near.device.netns &&
                       a.interface.ifindex == near.device.ifindex &&
                       a.address.str() == "192.168.100.1" && a.prefix_length == 30;
  for (const RouteSpec& r : fabric.routes)
    far_nic |= r.netns == near.device.netns && r.destination.str() == "10.2.0.4/32" && r.via &&
               r.via->str() == "10.1.0.1";
  for (const NeighborSpec& n : fabric.neighbors)
    far_neighbor |= n.interface.ifindex == near.device.ifindex &&
                    n.interface.netns == near.device.netns && n.address.str() == "192.168.100.2" &&
                    n.mac == *fabric.vxlans[1].device.mac;
  CHECK(overlay_address);
  CHECK(far_nic);
  CHECK(far_neighbor);

  const std::vector<NvaSpec> nvas = plan_nvas(lab, {});
  REQUIRE(nvas.size() == 2);
  const std::string& c = nvas[0].config;
  for (const char* line :
       {" neighbor 192.168.100.2 remote-as 65002\n", "  neighbor 10.1.210.4 as-override\n",
        "  neighbor 10.1.210.5 as-override\n", " set src 10.1.0.4\n",
        "ip protocol bgp route-map hublab-source\n"})
    CHECK(c.find(line) != std::string::npos);
  // zebra reads the same file: its part before `router bgp`, whose `exit`
  // would end zebra's configuration mode.
  CHECK(c.find("ip protocol bgp") < c.find("router bgp"));

  // What each instance waits for: the far hub's spaces, from its NVA.
  const std::vector<BgpRouter> bgp = plan_bgp(lab);
  const std::vector<Prefix> far = {*Prefix::parse("10.2.0.0/16"), *Prefix::parse("10.21.0.0/16")};
  CHECK(router_of(bgp, "rs-hub01.0").expected == far);
  // The hub router's main table carries its spoke's traffic to the NVA,
  // into the peered hub's space too: only its own space is shielded there.
  const std::string hub = bird_config(router_of(bgp, "hub01"));
  CHECK(hub.find("filter transit_routes {\n  if source != RTS_BGP then reject;\n  if net ~ [ "
                 "10.1.0.0/16+ ] then reject;") != std::string::npos);
  CHECK(hub.find("peer table main;\n  import none;\n  export filter transit_routes;") !=
        std::string::npos);
  EditedLab plain(lab_path(kTwoHubsLab), without_as_override);
  const Lab kept = valid_lab(plain.path());
  CHECK(router_of(plan_bgp(kept), "rs-hub01.0").expected.empty());
  CHECK(plan_nvas(kept, {})[0].config.find("as-override") == std::string::npos);

  auto graph = run_hublab({"graph", lab_path(kTwoHubsLab)});
  INFO(graph.err);
  CHECK(graph.out.find("\"vm-nva01\" -- \"vm-nva02\" [style=bold, color=darkgreen, "
                       "label=\"VXLAN 100\n192.168.100.1 - 192.168.100.2\"]") != std::string::npos);
}

TEST_CASE("Live: spokes of two hubs meet through both NVAs over VXLAN, as the model predicts",
          "[route-server][root][vxlan]") {
  REQUIRE_ROOT();
  const Lab model_lab = valid_lab(lab_path(kTwoHubsLab));
  ScratchLab lab(lab_path(kTwoHubsLab), "rs-2hubs");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  for (const char* vm : {"vm-spoke11", "vm-hub01", "vm-spoke21"}) {
    INFO(vm);
    CHECK(live_rows(lab.name(), vm) == model_rows(model_lab, vm));
  }
  // The kernel's VXLAN, NIC to NIC.
  auto link = lab.exec("vm-nva01", {"ip", "-d", "link", "show", "vx100"});
  CHECK(link.out.find("vxlan id 100 remote 10.2.0.4 local 10.1.0.4") != std::string::npos);
  // FRR's as-override, end to end: the path the model predicts, in BIRD.
  auto bird = lab.exec("rs-hub01.0",
                       {"birdc", "-s", "/run/hublab/" + lab.name() + "/bird/rs-hub01.0/bird.ctl",
                        "show", "route", "all", "10.21.0.0/16"});
  INFO(bird.out << bird.err);
  CHECK(bird.out.find("BGP.as_path: 65001 65002 65001") != std::string::npos);
  // A trace shows both NVAs, each from its NIC's address.
  auto trace = run_hublab({"trace", lab.name(), "vm-spoke11", "vm-spoke21"});
  INFO(trace.out << trace.err);
  REQUIRE(trace.exit_code == 0);
  CHECK(trace.out.find(" 1  10.1.0.4") != std::string::npos);
  CHECK(trace.out.find(" 2  10.2.0.4") != std::string::npos);
  CHECK(trace.out.find(" 3  10.21.0.4") != std::string::npos);

  // status: each NVA's sessions as its bgpd has them, over the overlay too.
  auto status = run_hublab({"status", lab.name()});
  INFO(status.out);
  CHECK(status.out.find("vm-nva01       vm-nva02 (vxlan 100)    192.168.100.2    Established") !=
        std::string::npos);
  CHECK(status.out.find("vm-nva02       rs-hub02.1              10.2.210.5       Established") !=
        std::string::npos);

  // The far NVA's routing stopped: the overlay session closes, vm-nva01
  // withdraws what it passed its Route Server, the spokes no longer meet.
  auto down = run_hublab({"fault", lab.name(), "nva", "vm-nva02", "down"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(live_rows(lab.name(), "vm-spoke11").empty());
  CHECK_FALSE(lab.pings("vm-spoke11", "10.21.0.4"));
  CHECK(lab.pings("vm-hub01", "10.2.0.5"));
  CHECK(every_vm_agrees(passing_check(lab.name())));
  auto stopped = run_hublab({"status", lab.name(), "--json"});
  bool no_frr = false, idle = false;
  const nlohmann::json report = nlohmann::json::parse(stopped.out);
  for (const auto& s : report["bgp_sessions"]) {
    no_frr |= s["node"] == "vm-nva02" && s["state"] == "NO-FRR";
    idle |=
        s["node"] == "vm-nva01" && s["neighbor"] == "192.168.100.2" && s["state"] != "Established";
  }
  CHECK(no_frr);
  CHECK(idle);
  auto up = run_hublab({"fault", lab.name(), "nva", "vm-nva02", "up"});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(live_rows(lab.name(), "vm-spoke11") == model_rows(model_lab, "vm-spoke11"));
  CHECK(lab.pings("vm-spoke11", "10.21.0.4"));
  REQUIRE(run_hublab({"fault", lab.name(), "clear"}).exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
}

TEST_CASE("FRR's neighbor summary as bgpd prints it, and what is not one", "[route-server][frr]") {
  // The shape of FRR 8.4's `show bgp ipv4 unicast summary json`, trimmed.
  const std::string summary = R"({
  "routerId":"10.1.0.4", "as":65001, "vrfId":0, "vrfName":"default",
  "peers":{
    "10.1.210.4":{"remoteAs":65515, "localAs":65001, "peerUptime":"00:00:01",
      "peerUptimeEstablishedEpoch":1796303527, "pfxRcd":2, "pfxSnt":4, "state":"Established",
      "peerState":"OK", "idType":"ipv4"},
    "192.168.100.2":{"hostname":"vm-nva02", "remoteAs":65002, "localAs":65001,
      "peerUptime":"never", "pfxRcd":0, "pfxSnt":0, "state":"Active", "idType":"ipv4"}
  },
  "failedPeers":0, "totalPeers":2, "dynamicPeers":0, "bestPath":{"multiPathRelax":"false"}
})";
  const std::vector<frr::BgpNeighbor> n = frr::parse_bgp_summary(summary);
  REQUIRE(n.size() == 2);
  CHECK(n[0].address == "10.1.210.4");
  CHECK(n[0].remote_as == 65515);
  CHECK(n[0].state == "Established");
  CHECK(n[0].established_epoch == 1796303527);
  CHECK(n[0].prefixes_received == 2);
  CHECK(n[0].prefixes_sent == 4);
  CHECK(n[1].hostname == "vm-nva02");
  CHECK(n[1].state == "Active");
  CHECK(n[1].uptime == "never");
  CHECK(frr::parse_bgp_summary("{}").empty());  // bgpd without `router bgp`
  CHECK_THROWS_AS(frr::parse_bgp_summary("% Unknown command"), frr::VtyError);
  CHECK_THROWS_AS(frr::parse_bgp_summary(R"({"peers":{"10.0.0.1":{"remoteAs":"x"}}})"),
                  frr::VtyError);
}

// A Route Server beside an ExpressRoute gateway, branch-to-branch off: the
// VNets get both, the NVA and the site never hear each other.

TEST_CASE("The model: beside an ExpressRoute gateway, both programmed, ExpressRoute first",
          "[route-server][model][expressroute]") {
  const Lab lab = valid_lab(lab_path(kExpressRouteLab));
  const auto gateway_rows = [](const Lab& l, const char* vm) {
    Rows rows;
    for (const EffectiveRoute& r : AzureModel(l).effective_routes(*l.find_vm(vm)))
      if (r.source == "Virtual network gateway")
        rows.emplace_back(r.state, r.prefix.str(), r.next_hop_ip);
    return rows;
  };
  // The NVA's supernet next hop the NVA, the site's space over both edges.
  const Rows both = {{"Active", "10.0.0.0/8", "10.0.0.4"},
                     {"Active", "192.168.0.0/16", "169.254.224.1"},
                     {"Active", "192.168.0.0/16", "169.254.224.3"}};
  CHECK(gateway_rows(lab, "vm-spoke10") == both);
  CHECK(gateway_rows(lab, "vm-hub00") == both);
  const AzureModel model(lab);
  CHECK(model.pair(*lab.find_vm("vm-spoke10"), *lab.find_vm("vm-spoke20")).hops == 2);
  CHECK(model.pair(*lab.find_vm("vm-spoke10"), *lab.find_vm("vm-onprem")).hops == 2);

  // The NVA advertising the site's space too: ExpressRoute's route is the
  // one programmed (routing preference's default), not the NVA's.
  EditedLab same(lab_path(kExpressRouteLab), [](std::string& text) {
    replace_once(text, "advertise = [\"10.0.0.0/8\"]",
                 "advertise = [\"10.0.0.0/8\", \"192.168.0.0/16\"]");
  });
  const Lab overlapping = valid_lab(same.path());
  CHECK(gateway_rows(overlapping, "vm-spoke10") == both);
}

TEST_CASE("The plan: the hub's router hears the gateway and both instances, ExpressRoute first",
          "[route-server][plan][expressroute]") {
  const Lab lab = valid_lab(lab_path(kExpressRouteLab));
  const std::vector<BgpRouter> bgp = plan_bgp(lab);
  const BgpRouter& hub = router_of(bgp, "hub00");
  std::vector<std::string> names;
  int local_preference = 0;
  for (const BgpSession& s : hub.sessions) {
    names.push_back(s.name);
    if (s.kind == BgpSession::Kind::kFromGateway) local_preference = s.local_preference;
  }
  CHECK(names == std::vector<std::string>{"route_server_rs_hub00_0", "route_server_rs_hub00_1",
                                          "gateway_ergw_hub00", "spoke_spoke10", "spoke_spoke20"});
  CHECK(local_preference > 100);  // over the Route Server's routes for the same prefix
  CHECK(hub.role.find("gateway ergw-hub00, Route Server rs-hub00") != std::string::npos);
  CHECK(hub.installed ==
        std::vector<Prefix>{*Prefix::parse("10.0.0.0/8"), *Prefix::parse("192.168.0.0/16")});
}

TEST_CASE("Live: an ExpressRoute gateway and a Route Server side by side, branch-to-branch off",
          "[route-server][root][expressroute]") {
  REQUIRE_ROOT();
  const Lab model_lab = valid_lab(lab_path(kExpressRouteLab));
  ScratchLab lab(lab_path(kExpressRouteLab), "rs-er");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  for (const char* vm : {"vm-spoke10", "vm-hub00", "vm-nva00"}) {
    INFO(vm);
    CHECK(live_rows(lab.name(), vm) == model_rows(model_lab, vm));
  }
  // Neither hears the other ("Azure Route Server FAQ", branch-to-branch
  // off): the NVA has nothing of the site, the site nothing of the NVA.
  auto nva = lab.exec("vm-nva00", {"ip", "route", "show", "192.168.0.0/16"});
  CHECK(nva.out.find("proto bgp") == std::string::npos);
  auto site =
      lab.exec("onprem", {"birdc", "-s", "/run/hublab/" + lab.name() + "/bird/onprem/bird.ctl",
                          "show", "route", "10.0.0.0/8"});
  INFO(site.out << site.err);
  CHECK(site.out.find("Network not found") != std::string::npos);  // BIRD answered: none
  CHECK(lab.pings("vm-onprem", "10.20.0.4"));
  // The NVA stopped: its supernet goes, the circuit's routes stay.
  REQUIRE(run_hublab({"fault", lab.name(), "nva", "vm-nva00", "down"}).exit_code == 0);
  CHECK(live_rows(lab.name(), "vm-spoke10") == Rows{{"Active", "192.168.0.0/16", "169.254.224.1"},
                                                    {"Active", "192.168.0.0/16", "169.254.224.3"}});
  CHECK(every_vm_agrees(passing_check(lab.name())));
  REQUIRE(run_hublab({"fault", lab.name(), "clear"}).exit_code == 0);
}

TEST_CASE("Live: a Route Server beside an active-active VPN gateway of ASN 65515, branch-to-branch",
          "[route-server][root][active-active]") {
  REQUIRE_ROOT();
  // labs/active-active.toml with a Route Server and an NVA in hub-a, whose
  // gateway keeps Azure's 65515 ("Azure Route Server FAQ").
  EditedLab edited(lab_path("active-active.toml"), [](std::string& text) {
    replace_once(text, "GatewaySubnet = \"10.1.255.0/27\" }",
                 "GatewaySubnet = \"10.1.255.0/27\", RouteServerSubnet = \"10.1.210.0/24\" }");
    replace_once(text, "vnet = \"hub-a\"\nasn = 65001\n", "vnet = \"hub-a\"\n");
    replace_once(
        text, "[vm.vm-hub-a]\nvnet = \"hub-a\"",
        "[vm.vm-nva-a]\nvnet = \"hub-a\"\nip_forwarding = true\n"
        "bgp = { asn = 65010, advertise = [\"172.16.0.0/12\"] }\n\n"
        "[route_server.rs-a]\nvnet = \"hub-a\"\nbranch_to_branch = true\n"
        "bgp_connections = [{ name = \"nva\", peer_ip = \"10.1.0.4\", peer_asn = 65010 }]\n\n"
        "[vm.vm-hub-a]\nvnet = \"hub-a\"\naddress = \"10.1.0.5\"");
  });
  const Lab model_lab = valid_lab(edited.path());
  ScratchLab lab(edited.path(), "rs-aa");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  const Rows rows = live_rows(lab.name(), "vm-spoke-a");
  CHECK(rows == model_rows(model_lab, "vm-spoke-a"));
  // Both instances' routes to the far hub, and the NVA's.
  CHECK(std::count(rows.begin(), rows.end(),
                   std::make_tuple(std::string("Active"), std::string("10.2.0.0/16"),
                                   std::string("10.1.255.29"))) == 1);
  CHECK(std::count(rows.begin(), rows.end(),
                   std::make_tuple(std::string("Active"), std::string("172.16.0.0/12"),
                                   std::string("10.1.0.4"))) == 1);
  // Branch-to-branch: the far hub hears the NVA's prefix over the tunnels,
  // the NVA the far hub's space from its Route Server (65515 in front of
  // what the gateway learned).
  const Rows far = live_rows(lab.name(), "vm-spoke-b");
  CHECK(far == model_rows(model_lab, "vm-spoke-b"));
  CHECK(std::any_of(far.begin(), far.end(), [](const auto& r) {
    return std::get<1>(r) == "172.16.0.0/12" && std::get<0>(r) == "Active";
  }));
  auto bgp =
      lab.exec("vm-nva-a", {"vtysh", "--vty_socket", "/run/hublab/" + lab.name() + "/frr/vm-nva-a",
                            "-c", "show ip bgp 10.2.0.0/16"});
  INFO(bgp.out << bgp.err);
  CHECK(bgp.out.find("65515 65002") != std::string::npos);
}

TEST_CASE("FRR's vty protocol: a reply in pieces, a refused command, a daemon that says nothing",
          "[route-server][frr]") {
  // A daemon's vty socket as FRR's lib/vty.c serves vtysh: the command up
  // to its NUL, then the output, three NULs and the command's status.
  const std::string path = "/tmp/hublab-vty-test-" + std::to_string(getpid()) + ".vty";
  ::unlink(path.c_str());
  int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  std::thread daemon([listener] {
    int client = ::accept(listener, nullptr, nullptr);
    auto read_command = [client] {
      std::string command;
      char c = 0;
      while (::read(client, &c, 1) == 1 && c != '\0') command += c;
      return command;
    };
    auto send = [client](const std::string& bytes) {
      (void)!::write(client, bytes.data(), bytes.size());
    };
    if (read_command() == "show version") {
      send("FRRouting 8.4");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      send(std::string(" (hublab)\n\0\0\0\0", 14));
    }
    if (read_command() == "show nothing") send(std::string("% Unknown command\n\0\0\0\x02", 22));
    read_command();  // the third: never answered
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    ::close(client);
  });
  frr::Vty vty = frr::Vty::connect(path, std::chrono::milliseconds(1000));
  CHECK(vty.command("show version", std::chrono::milliseconds(1000)) == "FRRouting 8.4 (hublab)\n");
  CHECK_THROWS_WITH(vty.command("show nothing", std::chrono::milliseconds(1000)),
                    Catch::Contains("refused (status 2)") && Catch::Contains("% Unknown command"));
  CHECK_THROWS_WITH(vty.command("show later", std::chrono::milliseconds(100)),
                    Catch::Contains("no reply"));
  daemon.join();
  ::close(listener);
  ::unlink(path.c_str());
}

// Branch-to-branch (RS11), as the series' 20220930 design shows it.

TEST_CASE("The model: branch-to-branch carries an NVA's route over ExpressRoute, and back",
          "[route-server][model][expressroute]") {
  const Lab lab = valid_lab(lab_path(kBranchLab));
  const AzureModel model(lab);
  // hub100 hears vnet10's space over the circuit: the NVA's path behind
  // the edges' 12076 12076 (hub00's 65515 replaced by the edge's ASN).
  const PathPrediction across = model.path(*lab.find_vm("vm-hub100"), *Ipv4::parse("10.10.0.4"));
  INFO(across.outcome);
  CHECK(across.delivered);
  REQUIRE(across.steps.size() >= 6);
  CHECK(across.steps[1].as_path == "12076 12076 65001");
  CHECK(across.steps[3].route ==
        "10.10.0.0/16 from Route Server rs-hub00 (branch-to-branch; NVA vm-hub00, AS path 65001)");
  CHECK(across.steps[4].route.find("user route vnet10-via-nva") != std::string::npos);
  const auto hops = [](const Lab& l, const char* from, const char* to) {
    const PairPrediction pair = AzureModel(l).pair(*l.find_vm(from), *l.find_vm(to));
    return pair.reachable ? pair.hops : 0;
  };
  CHECK(hops(lab, "vm-hub100", "vm-spoke10") == 3);  // ???, 10.0.0.4, 10.10.0.4
  CHECK(hops(lab, "vm-spoke10", "vm-hub100") == 3);  // 10.0.0.4, ???, 10.100.0.4
  // Without the GatewaySubnet's route table the peering's system route wins
  // there: the NVA is bypassed ("??? then 10.10.0.4", the README's last trace).
  EditedLab bypass(lab_path(kBranchLab), without_gateway_subnet_table);
  CHECK(hops(valid_lab(bypass.path()), "vm-hub100", "vm-spoke10") == 2);
  // Branch-to-branch off: the circuit never hears of vnet10.
  EditedLab off(lab_path(kBranchLab), [](std::string& text) {
    replace_once(text, "branch_to_branch = true", "branch_to_branch = false");
  });
  CHECK(hops(valid_lab(off.path()), "vm-hub100", "vm-spoke10") == 0);
  // The NVA stopped: nothing of vnet10 reaches hub100.
  CHECK(hops(lab_under_faults(lab, {nva_fault("vm-hub00")}), "vm-hub100", "vm-spoke10") == 0);
}

TEST_CASE("The plan: branch-to-branch makes the hub's router reflect, the gateway pass it on",
          "[route-server][plan][expressroute]") {
  const Lab lab = valid_lab(lab_path(kBranchLab));
  const std::vector<BgpRouter> bgp = plan_bgp(lab);
  const std::string hub = bird_config(router_of(bgp, "hub00"));
  CHECK(hub.find("protocol bgp gateway_ergw_hub00 {") != std::string::npos);
  CHECK(hub.find("  direct;\n  rr client;\n") != std::string::npos);
  CHECK(hub.find("export where source = RTS_BGP && proto ~ \"route_server_*\";") !=
        std::string::npos);
  CHECK(hub.find("export where source = RTS_BGP && proto ~ \"gateway_*\";") != std::string::npos);
  const BgpRouter& gateway = router_of(bgp, "ergw-hub00");
  const std::string g = bird_config(gateway);
  CHECK(
      g.find("export where proto = \"advertised\" || (source = RTS_BGP && proto ~ \"vnet_*\");") !=
      std::string::npos);
  CHECK(std::count(gateway.expected.begin(), gateway.expected.end(),
                   *Prefix::parse("10.10.0.0/16")) == 1);
  // The far gateway waits for it too, from both edges.
  const BgpRouter& far = router_of(bgp, "ergw-hub100");
  CHECK(std::count(far.installed.begin(), far.installed.end(), *Prefix::parse("10.10.0.0/16")) ==
        1);
  CHECK(bird_config(router_of(bgp, "rs-hub00.0")).find("import all;") != std::string::npos);
  // Off: none of it.
  EditedLab off(lab_path(kBranchLab), [](std::string& text) {
    replace_once(text, "branch_to_branch = true", "branch_to_branch = false");
  });
  const std::vector<BgpRouter> plain = plan_bgp(valid_lab(off.path()));
  CHECK(bird_config(router_of(plain, "hub00")).find("rr client;\n  hold") == std::string::npos);
  CHECK(router_of(plain, "ergw-hub100").installed ==
        std::vector<Prefix>{*Prefix::parse("10.0.0.0/16")});

  auto graph = run_hublab({"graph", lab_path(kBranchLab)});
  INFO(graph.err);
  CHECK(graph.out.find("\"rs-hub00.1\" -- \"ergw-hub00\" [style=dashed, color=darkgreen, "
                       "label=\"branch-to-branch\"]") != std::string::npos);
}

TEST_CASE("Live: branch-to-branch, traces and AS paths as the design's README shows them",
          "[route-server][root][expressroute]") {
  REQUIRE_ROOT();
  ScratchLab lab(lab_path(kBranchLab), "rs-b2b");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  // The NVA hears hub100 as the README's `show ip bgp ... received-routes`
  // shows it (hublab's frr.conf keeps no copy of what it received: its
  // table).
  auto received =
      lab.exec("vm-hub00", {"vtysh", "--vty_socket", "/run/hublab/" + lab.name() + "/frr/vm-hub00",
                            "-c", "show ip bgp"});
  INFO(received.out << received.err);
  CHECK(received.out.find("10.100.0.0/16") != std::string::npos);
  CHECK(received.out.find("65515 12076 12076 i") != std::string::npos);
  auto trace = run_hublab({"trace", lab.name(), "vm-hub100", "vm-spoke10"});
  INFO(trace.out << trace.err);
  CHECK(trace.out.find(" 1  *") != std::string::npos);
  CHECK(trace.out.find(" 2  10.0.0.4") != std::string::npos);
  CHECK(trace.out.find(" 3  10.10.0.4") != std::string::npos);
  auto back = run_hublab({"trace", lab.name(), "vm-spoke10", "vm-hub100"});
  INFO(back.out << back.err);
  CHECK(back.out.find(" 1  10.0.0.4") != std::string::npos);
  CHECK(back.out.find(" 3  10.100.0.4") != std::string::npos);
  // The NVA stopped: its route leaves the circuit, hub100 no longer reaches vnet10.
  REQUIRE(run_hublab({"fault", lab.name(), "nva", "vm-hub00", "down"}).exit_code == 0);
  CHECK_FALSE(lab.pings("vm-hub100", "10.10.0.4"));
  CHECK(every_vm_agrees(passing_check(lab.name())));
  REQUIRE(run_hublab({"fault", lab.name(), "nva", "vm-hub00", "up"}).exit_code == 0);
  CHECK(lab.pings("vm-hub100", "10.10.0.4"));
}

TEST_CASE("Live: branch-to-branch without the GatewaySubnet's route table bypasses the NVA",
          "[route-server][root][expressroute]") {
  REQUIRE_ROOT();
  EditedLab bypass(lab_path(kBranchLab), [](std::string& text) {
    without_gateway_subnet_table(text);
    replace_once(text, "from = [\"vm-hub100\"]\nto = [\"vm-spoke10\"]\nhops = 3",
                 "from = [\"vm-hub100\"]\nto = [\"vm-spoke10\"]\nhops = 2");
  });
  ScratchLab lab(bypass.path(), "rs-b2b-bypass");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  auto trace = run_hublab({"trace", lab.name(), "vm-hub100", "vm-spoke10"});
  INFO(trace.out << trace.err);
  CHECK(trace.out.find(" 1  *") != std::string::npos);
  CHECK(trace.out.find(" 2  10.10.0.4") != std::string::npos);
}
