// Route Server and BGP-speaking NVAs: the lab format, the model's rows
// against MS Learn's rules (docs/azure-rules.md, Route Server), the plan's
// nodes, BIRD and FRR configurations without root, and the live lab with
// real namespaces, BIRDs and FRRouting, held against the model.

#include "orchestrator/plan/route_server.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

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
