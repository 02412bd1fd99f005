// ExpressRoute: the circuit's two edge routers, the gateways' BGP to both,
// the silent hop, VNet-to-VNet over one circuit and the gateway setting that
// allows it. Plans and the model from the lab file; the live lab with real
// namespaces and BIRDs.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/lab_validator.h"
#include "orchestrator/model/azure_model.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/bird_config.h"
#include "orchestrator/plan/fabric.h"
#include "tests/support/command.h"
#include "tests/support/scratch_lab.h"

using namespace hublab;
using namespace hublab::test;

namespace {

const char* kLab = "multi-hub-expressroute.toml";
const char* kCoexistLab = "expressroute-vpn-coexist.toml";

Lab valid_lab(const char* file) {
  Lab lab = load_lab_file(lab_path(file)).lab;
  REQUIRE(validate_lab(lab).empty());
  return lab;
}

Lab sibling_design() {
  return valid_lab(kLab);
}

using Rows = std::vector<std::pair<std::string, std::string>>;

// The model's gateway rows of a VM: (prefix, next hop IP).
Rows model_gateway_rows(const Lab& lab, const std::string& vm) {
  Rows rows;
  for (const EffectiveRoute& r : AzureModel(lab).effective_routes(*lab.find_vm(vm)))
    if (r.source == "Virtual network gateway" && r.state == "Active")
      rows.emplace_back(r.prefix.str(), r.next_hop_ip);
  return rows;
}

bool has_as_path(const PathPrediction& path, const std::string& as_path) {
  for (const ModelStep& step : path.steps)
    if (step.as_path == as_path) return true;
  return false;
}

const BgpRouter& router_of(const std::vector<BgpRouter>& routers, const std::string& node) {
  for (const BgpRouter& r : routers)
    if (r.node == node) return r;
  FAIL("no BGP speaker " << node);
  return routers.front();
}

// The gateway routes of a VM's effective routes: (prefix, next hop IP).
std::vector<std::pair<std::string, std::string>> gateway_rows(const nlohmann::json& routes) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& r : routes)
    if (r["source"] == "Virtual network gateway" && r["state"] == "Active")
      rows.emplace_back(r["address_prefix"], r["next_hop_ip"]);
  return rows;
}

// The gateway rows of a running lab's VM, as `hublab routes --json` gives them.
std::vector<std::pair<std::string, std::string>> live_gateway_rows(const std::string& lab,
                                                                   const std::string& vm) {
  auto routes = run_hublab({"routes", lab, vm, "--json"});
  INFO(routes.err);
  REQUIRE(routes.exit_code == 0);
  return gateway_rows(nlohmann::json::parse(routes.out)["routes"]);
}

}  // namespace

TEST_CASE("A circuit is two edge routers, each a silent hop, joined to each gateway by a link",
          "[expressroute][plan]") {
  const Lab lab = sibling_design();
  const FabricPlan fabric = plan_fabric(lab);
  int edges = 0;
  for (const NamespaceSpec& ns : fabric.namespaces)
    if (ns.role == NodeRole::kEdgeRouter) ++edges;
  CHECK(edges == 2);
  REQUIRE(fabric.silent_hops.size() == 2);
  CHECK(fabric.silent_hops[0].netns == "multi-hub-expressroute.er-circuit.primary");
  // Two connections, two links each, a delay on both ends of every link.
  CHECK(fabric.link_delays.size() == 8);
  for (const LinkDelaySpec& d : fabric.link_delays) CHECK(d.delay_ms == 25);

  const std::vector<BgpRouter> bgp = plan_bgp(lab);
  const BgpRouter& gateway = router_of(bgp, "ergw-hub00");
  CHECK(gateway.kind == BgpRouter::Kind::kExpressRouteGateway);
  REQUIRE(gateway.sessions.size() == 3);  // both edges, and the hub's router
  CHECK(gateway.sessions[0].kind == BgpSession::Kind::kToEdge);
  CHECK(gateway.sessions[0].neighbor.str() == "169.254.224.1");
  CHECK(gateway.sessions[1].neighbor.str() == "169.254.224.3");
  CHECK(gateway.sessions[0].neighbor_as == 12076);
  CHECK(gateway.sessions[0].local_preference == 100);  // routing weight 0
  CHECK(gateway.sessions[2].kind == BgpSession::Kind::kToHubRouter);
  // What the circuit brings: the far hub and its spokes.
  REQUIRE(gateway.expected.size() == 3);
  CHECK(gateway.expected[0].str() == "10.100.0.0/16");
  CHECK(gateway.advertised.size() == 3);  // its hub and spokes, no /32 of its own

  const BgpRouter& edge = router_of(bgp, "er-circuit.secondary");
  CHECK(edge.kind == BgpRouter::Kind::kEdgeRouter);
  CHECK(edge.router_id.str() == "192.168.100.6");  // Microsoft's address of the secondary /30
  REQUIRE(edge.sessions.size() == 2);
  CHECK(edge.sessions[1].local_as == 12076);
  CHECK(edge.sessions[1].neighbor_as == 65515);
  CHECK(edge.expected.size() == 6);
  const std::string edge_config = bird_config(edge);
  CHECK(edge_config.find("bgp_path.delete(65515);") != std::string::npos);
  CHECK(edge_config.find("bgp_path.prepend(12076);") != std::string::npos);
  CHECK(edge_config.find("bgp_community.add((12076, 65515))") != std::string::npos);
  CHECK(edge_config.find("merge paths on;") != std::string::npos);
  // Allowed: nothing refused on import.
  CHECK(bird_config(gateway).find("~ bgp_community then reject") == std::string::npos);
}

TEST_CASE("The model: routes over a circuit twice, one per edge router, and one silent hop",
          "[expressroute][model]") {
  const Lab lab = sibling_design();
  AzureModel model(lab);
  std::vector<std::pair<std::string, std::string>> rows;
  for (const EffectiveRoute& r : model.effective_routes(*lab.find_vm("vm-spoke10")))
    if (r.source == "Virtual network gateway") rows.emplace_back(r.prefix.str(), r.next_hop_ip);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"10.100.0.0/16", "169.254.224.1"}, {"10.100.0.0/16", "169.254.224.3"},
      {"10.110.0.0/16", "169.254.224.1"}, {"10.110.0.0/16", "169.254.224.3"},
      {"10.120.0.0/16", "169.254.224.1"}, {"10.120.0.0/16", "169.254.224.3"}};
  CHECK(rows == expected);
  // As the real deployment: the far hub in two hops, the own hub in one,
  // the other spoke of the same hub not at all.
  auto far = model.pair(*lab.find_vm("vm-spoke10"), *lab.find_vm("vm-hub100"));
  CHECK(far.reachable);
  CHECK(far.hops == 2);
  CHECK(far.forward.silent_hops == 1);
  bool as_path_seen = false;
  for (const ModelStep& step : far.forward.steps) as_path_seen |= step.as_path == "12076 12076";
  CHECK(as_path_seen);
  CHECK(model.pair(*lab.find_vm("vm-spoke10"), *lab.find_vm("vm-hub00")).hops == 1);
  CHECK_FALSE(model.pair(*lab.find_vm("vm-spoke10"), *lab.find_vm("vm-spoke20")).reachable);

  // Azure's default today: a gateway that does not allow remote VNet
  // traffic takes nothing of the other hub, and the way back fails too.
  Lab closed = lab;
  for (Gateway& g : closed.gateways)
    if (g.name == "ergw-hub100") g.allow_remote_vnet_traffic = false;
  AzureModel closed_model(closed);
  CHECK_FALSE(
      closed_model.pair(*closed.find_vm("vm-spoke10"), *closed.find_vm("vm-hub100")).reachable);
  CHECK_FALSE(
      closed_model.pair(*closed.find_vm("vm-hub100"), *closed.find_vm("vm-spoke10")).reachable);
  for (const EffectiveRoute& r : closed_model.effective_routes(*closed.find_vm("vm-spoke110")))
    CHECK(r.source != "Virtual network gateway");
}

TEST_CASE(
    "The sibling design live: 2 hops across the circuit, the first silent, routes twice over "
    "ECMP, AS path 12076 12076",
    "[expressroute][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(lab_path(kLab), "er");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));

  // The trace: the edge router takes a hop and answers nothing.
  auto trace = run_hublab({"trace", lab.name(), "vm-spoke10", "vm-hub100"});
  INFO(trace.out << trace.err);
  REQUIRE(trace.exit_code == 0);
  CHECK(trace.out.find(" 1  *") != std::string::npos);
  CHECK(trace.out.find(" 2  10.100.0.4") != std::string::npos);

  // Effective routes: each prefix once per edge router.
  auto routes = run_hublab({"routes", lab.name(), "vm-spoke10", "--json"});
  REQUIRE(routes.exit_code == 0);
  auto rows = gateway_rows(nlohmann::json::parse(routes.out)["routes"]);
  REQUIRE(rows.size() == 6);
  CHECK(rows[0] == std::pair<std::string, std::string>{"10.100.0.0/16", "169.254.224.1"});
  CHECK(rows[1] == std::pair<std::string, std::string>{"10.100.0.0/16", "169.254.224.3"});

  // The gateway's kernel: one route, two next hops (ECMP over both edges).
  auto kernel = run({"ip", "-n", lab.netns("ergw-hub00"), "route", "show", "10.100.0.0/16"});
  INFO(kernel.out);
  CHECK(kernel.out.find("nexthop via 169.254.224.1") != std::string::npos);
  CHECK(kernel.out.find("nexthop via 169.254.224.3") != std::string::npos);
  // BIRD's path at the gateway: the edge's ASN in place of the far gateway's.
  auto bird = run({"birdc", "-s", "/run/hublab/" + lab.name() + "/bird/ergw-hub00/bird.ctl", "show",
                   "route", "10.100.0.0/16", "all"});
  INFO(bird.out << bird.err);
  CHECK(bird.out.find("BGP.as_path: 12076 12076") != std::string::npos);
}

TEST_CASE(
    "Circuit faults: one link down leaves each prefix once, over the other edge, and traffic goes "
    "on, the circuit down cuts the hubs apart, cleared, both edges again, a stopped gateway's "
    "VNets leave the circuit",
    "[expressroute][faults][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(lab_path(kLab), "er-fault");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  auto rows_of_spoke10 = [&] { return live_gateway_rows(lab.name(), "vm-spoke10"); };

  auto down = run_hublab({"fault", lab.name(), "circuit", "er-circuit", "link", "primary", "down"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  auto rows = rows_of_spoke10();
  REQUIRE(rows.size() == 3);
  for (const auto& [prefix, next_hop] : rows) CHECK(next_hop == "169.254.224.3");
  CHECK(every_vm_agrees(passing_check(lab.name())));
  CHECK(lab.pings("vm-spoke10", "10.110.0.4"));

  auto cut = run_hublab({"fault", lab.name(), "circuit", "er-circuit", "down"});
  INFO(cut.out << cut.err);
  REQUIRE(cut.exit_code == 0);
  CHECK(rows_of_spoke10().empty());
  CHECK(every_vm_agrees(passing_check(lab.name())));
  CHECK_FALSE(lab.pings("vm-spoke10", "10.110.0.4"));
  CHECK(lab.pings("vm-spoke10", "10.0.0.4"));  // its own hub, by the peering

  auto faults = run_hublab({"fault", lab.name(), "list"});
  CHECK(faults.out == "circuit er-circuit link primary down\ncircuit er-circuit down\n");
  REQUIRE(run_hublab({"fault", lab.name(), "clear"}).exit_code == 0);
  CHECK(rows_of_spoke10().size() == 6);
  CHECK(lab.pings("vm-spoke10", "10.110.0.4"));
  CHECK(run_hublab({"fault", lab.name(), "circuit", "no-such", "down"}).exit_code == 2);

  // The far hub's gateway stopped: what it advertised leaves the circuit.
  auto stopped = run_hublab({"fault", lab.name(), "gateway", "ergw-hub100", "down"});
  INFO(stopped.out << stopped.err);
  REQUIRE(stopped.exit_code == 0);
  CHECK(rows_of_spoke10().empty());
  CHECK(every_vm_agrees(passing_check(lab.name())));
  REQUIRE(run_hublab({"fault", lab.name(), "gateway", "ergw-hub100", "up"}).exit_code == 0);
  CHECK(rows_of_spoke10().size() == 6);
}

TEST_CASE("allow_remote_vnet_traffic off, Azure's default: the hubs do not reach each other",
          "[expressroute][root]") {
  REQUIRE_ROOT();
  EditedLab closed(lab_path(kLab), [](std::string& text) {
    replace_once(text, "allow_remote_vnet_traffic = true\n\n[gateway.ergw-hub100]",
                 "\n[gateway.ergw-hub100]");
    replace_once(text, "allow_remote_vnet_traffic = true\n\n# Private", "\n# Private");
    drop_expectations(text);
  });
  ScratchLab lab(closed.path(), "er-closed");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  // The model's pairs (across the circuit: unreachable) and routes agree.
  const nlohmann::json report = passing_check(lab.name());
  CHECK(every_vm_agrees(report));
  int unreachable = 0;
  for (const auto& r : report["results"]) unreachable += r["expected"]["reachable"] == false;
  CHECK(unreachable == 4 + 2 * 9);  // same-hub spokes, and every pair across the circuit
  CHECK_FALSE(lab.pings("vm-hub00", "10.100.0.4"));
}

TEST_CASE(
    "Coexisting gateways in the model: the site over the circuit, once per edge, ExpressRoute "
    "over the VPN, the circuit down, the VPN carries it in one hop",
    "[expressroute][coexist][model]") {
  const Lab lab = valid_lab(kCoexistLab);
  // The VPN gateway's route to the site is not used while the circuit
  // brings the same prefix; the VPN device's BGP peer IP stays.
  const Rows over_circuit = {{"192.168.1.1/32", "203.0.113.1"},
                             {"192.168.0.0/16", "169.254.224.1"},
                             {"192.168.0.0/16", "169.254.224.3"}};
  CHECK(model_gateway_rows(lab, "vm-spoke1") == over_circuit);
  AzureModel model(lab);
  auto out = model.pair(*lab.find_vm("vm-spoke1"), *lab.find_vm("vm-onprem"));
  CHECK(out.reachable);
  CHECK(out.hops == 2);
  CHECK(out.forward.silent_hops == 1);
  CHECK(has_as_path(out.forward, "12076 65001"));  // the edge, then the customer edge
  CHECK(has_as_path(out.back, "12076 65515"));     // the edge, then Azure's gateway
  REQUIRE_FALSE(out.forward.steps.empty());
  CHECK(out.forward.steps.front().route.find("ExpressRoute preferred over vpngw-hub's VPN route") !=
        std::string::npos);

  const Lab cut = lab_under_faults(lab, {circuit_fault("er-circuit")});
  const Rows over_vpn = {{"192.168.1.1/32", "203.0.113.1"}, {"192.168.0.0/16", "203.0.113.1"}};
  CHECK(model_gateway_rows(cut, "vm-spoke1") == over_vpn);
  auto failed_over = AzureModel(cut).pair(*cut.find_vm("vm-spoke1"), *cut.find_vm("vm-onprem"));
  CHECK(failed_over.reachable);
  CHECK(failed_over.hops == 1);
  CHECK(failed_over.forward.silent_hops == 0);
}

TEST_CASE(
    "Coexisting gateways in the plan: the site is the circuit's customer edge in its peer ASN and "
    "prefers it, the hub's router prefers ExpressRoute",
    "[expressroute][coexist]") {
  const Lab lab = valid_lab(kCoexistLab);
  const std::vector<BgpRouter> routers = plan_bgp(lab);
  const std::string site = bird_config(router_of(routers, "onprem"), BirdTimers{});
  INFO(site);
  CHECK(site.find("local 172.16.100.1 as 65001;\n  neighbor 172.16.100.2 as 12076;") !=
        std::string::npos);
  CHECK(site.find("local 172.16.100.5 as 65001;\n  neighbor 172.16.100.6 as 12076;") !=
        std::string::npos);
  CHECK(site.find("bgp_local_pref = 200;") != std::string::npos);
  CHECK(site.find("export where proto = \"advertised\" && net ~ [ 192.168.0.0/16 ];") !=
        std::string::npos);
  CHECK(site.find("bgp_path.first != 12076") != std::string::npos);  // nothing of it over the VPN
  CHECK(site.find("merge paths on;") != std::string::npos);
  const std::string hub = bird_config(router_of(routers, "hub"), BirdTimers{});
  INFO(hub);
  CHECK(hub.find("protocol bgp gateway_ergw_hub") != std::string::npos);
  CHECK(hub.find("protocol bgp gateway_vpngw_hub") != std::string::npos);
  CHECK(hub.find("bgp_local_pref = 200;") != std::string::npos);
  const BgpRouter& edge = router_of(routers, "er-circuit.primary");
  bool to_site = false;
  for (const BgpSession& s : edge.sessions)
    to_site |= s.kind == BgpSession::Kind::kToCustomerEdge && s.neighbor_as == 65001 &&
               s.neighbor.str() == "172.16.100.1";
  CHECK(to_site);
}

TEST_CASE(
    "ExpressRoute with a VPN as backup, live: the circuit carries the site's traffic in 2 hops, "
    "down, the tunnel in 1 with no loss of reachability, up, the circuit again",
    "[expressroute][coexist][faults][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(lab_path(kCoexistLab), "er-vpn");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  auto rows_of_spoke1 = [&] { return live_gateway_rows(lab.name(), "vm-spoke1"); };
  auto trace = [&] {
    auto t = run_hublab({"trace", lab.name(), "vm-spoke1", "vm-onprem"});
    INFO(t.out << t.err);
    CHECK(t.exit_code == 0);
    return t.out;
  };
  const Rows over_circuit = {{"192.168.1.1/32", "203.0.113.1"},
                             {"192.168.0.0/16", "169.254.224.1"},
                             {"192.168.0.0/16", "169.254.224.3"}};
  CHECK(rows_of_spoke1() == over_circuit);
  CHECK(trace().find(" 1  *\n 2  192.168.1.4") != std::string::npos);
  // The site's router hears the hub over the circuit, as 12076 65515.
  auto bird = run({"birdc", "-s", "/run/hublab/" + lab.name() + "/bird/onprem/bird.ctl", "show",
                   "route", "10.0.0.0/16", "primary", "all"});
  INFO(bird.out << bird.err);
  CHECK(bird.out.find("BGP.as_path: 12076 65515") != std::string::npos);

  auto down = run_hublab({"fault", lab.name(), "circuit", "er-circuit", "down"});
  INFO(down.out << down.err);
  REQUIRE(down.exit_code == 0);
  const Rows over_vpn = {{"192.168.1.1/32", "203.0.113.1"}, {"192.168.0.0/16", "203.0.113.1"}};
  CHECK(rows_of_spoke1() == over_vpn);
  CHECK(trace().find(" 1  192.168.1.4") != std::string::npos);
  CHECK(lab.pings("vm-onprem", "10.1.0.4"));
  CHECK(every_vm_agrees(passing_check(lab.name())));  // judged by the faulted model

  auto up = run_hublab({"fault", lab.name(), "circuit", "er-circuit", "up"});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(rows_of_spoke1() == over_circuit);
  CHECK(trace().find(" 1  *\n 2  192.168.1.4") != std::string::npos);
}

TEST_CASE("graph draws each circuit's edge routers and every link to them",
          "[expressroute][graph]") {
  auto dot = run_hublab({"graph", lab_path(kCoexistLab)});
  INFO(dot.out << dot.err);
  REQUIRE(dot.exit_code == 0);
  CHECK(dot.out.find("\"er-circuit.primary\" [shape=octagon, label=\"MSEE primary\nASN 12076") !=
        std::string::npos);
  CHECK(dot.out.find("\"ergw-hub\" -- \"er-circuit.secondary\"") != std::string::npos);
  CHECK(dot.out.find("\"onprem\" -- \"er-circuit.primary\" [style=bold, color=gray40, "
                     "label=\"onprem-er\n172.16.100.1\"]") != std::string::npos);
  CHECK(dot.out.find("ergw-hub (ExpressRoute)\nASN 65515\nBGP 10.0.255.4\"") != std::string::npos);
  auto mermaid = run_hublab({"graph", lab_path(kCoexistLab), "--format", "mermaid"});
  REQUIRE(mermaid.exit_code == 0);
  CHECK(mermaid.out.find("gw_ergw_hub ===|hub-er| er_circuit_primary") != std::string::npos);
}

TEST_CASE(
    "Authorization keys: a key that matches no authorization refuses up before anything is made, "
    "naming the field and never the key, one that matches joins the circuit",
    "[expressroute][secrets][root]") {
  REQUIRE_ROOT();
  const std::string owner_key = "hublab-er-auth-7f3a";
  const std::string wrong_key = "hublab-er-wrong-c41e";
  auto with_key = [&](const std::string& env_name) {
    return [env_name](std::string& text) {
      replace_once(text, "latency_ms = 25\n",
                   "latency_ms = 25\nauthorizations = [{ name = \"hub100\", key_env = "
                   "\"HUBLAB_T_ER_OWNER\" }]\n");
      replace_once(
          text, "gateway = \"ergw-hub100\"\ncircuit = \"er-circuit\"\n",
          "gateway = \"ergw-hub100\"\ncircuit = \"er-circuit\"\nauthorization_key_env = \"" +
              env_name + "\"\n");
    };
  };
  EditedLab keyed(lab_path(kLab), with_key("HUBLAB_T_ER_KEY"));
  const std::string name = unique_lab_name("er-auth");
  DownOnExit down(name);
  auto refused = run({"env", "HUBLAB_T_ER_OWNER=" + owner_key, "HUBLAB_T_ER_KEY=" + wrong_key,
                      hublab_binary(), "up", keyed.path(), "--name", name, "--quiet"});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("connection.hub100-er.authorization_key: matches no authorization of "
                         "circuit 'er-circuit'") != std::string::npos);
  CHECK(refused.err.find(wrong_key) == std::string::npos);
  CHECK(refused.err.find(owner_key) == std::string::npos);
  CHECK(shell("ip netns list | grep -c '^" + name + "\\.'").out == "0\n");

  auto joined = run({"env", "HUBLAB_T_ER_OWNER=" + owner_key, "HUBLAB_T_ER_KEY=" + owner_key,
                     hublab_binary(), "up", keyed.path(), "--name", name, "--quiet"});
  INFO(joined.out << joined.err);
  REQUIRE(joined.exit_code == 0);
  CHECK(run({hublab_binary(), "check", name}).exit_code == 0);
  // The key reached no file of the lab's but the private copy of its file.
  CHECK(shell("grep -rlF '" + owner_key + "' /run/hublab/" + name + " 2>/dev/null").out.empty());
}

TEST_CASE(
    "ExpressRoute with a static VPN as backup, live: the circuit's routes win over the static ones "
    "at both ends, the circuit down, the static routes carry it",
    "[expressroute][coexist][faults][root]") {
  REQUIRE_ROOT();
  EditedLab static_vpn(lab_path(kCoexistLab), [](std::string& text) {
    replace_once(text, "enable_bgp = true\n", "enable_bgp = false\n");
  });
  ScratchLab lab(static_vpn.path(), "er-static");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  auto rows_of_spoke1 = [&] { return live_gateway_rows(lab.name(), "vm-spoke1"); };
  const Rows over_circuit = {{"192.168.0.0/16", "169.254.224.1"},
                             {"192.168.0.0/16", "169.254.224.3"}};
  CHECK(rows_of_spoke1() == over_circuit);
  CHECK(model_gateway_rows(valid_lab(kCoexistLab), "vm-spoke1").size() == 3);  // BGP: + the /32
  // The site's kernel: the circuit's route (BIRD, both edges) in front of
  // the static one into the tunnel.
  auto site = run({"ip", "-n", lab.netns("onprem"), "route", "show", "10.1.0.0/16"});
  INFO(site.out);
  CHECK(site.out.find("proto bird metric 32") != std::string::npos);
  CHECK(site.out.find("nexthop via 172.16.100.2") != std::string::npos);
  CHECK(lab.pings("vm-onprem", "10.1.0.4"));

  REQUIRE(run_hublab({"fault", lab.name(), "circuit", "er-circuit", "down"}).exit_code == 0);
  CHECK(rows_of_spoke1() == Rows{{"192.168.0.0/16", "203.0.113.1"}});
  CHECK(lab.pings("vm-onprem", "10.1.0.4"));
  CHECK(lab.pings("vm-spoke1", "192.168.1.4"));
  CHECK(every_vm_agrees(passing_check(lab.name())));
  REQUIRE(run_hublab({"fault", lab.name(), "circuit", "er-circuit", "up"}).exit_code == 0);
  CHECK(rows_of_spoke1() == over_circuit);
}

TEST_CASE(
    "A spoke's user route to the gateway of a hub holding both gateways goes to the VPN gateway, "
    "as the model predicts, while the hub itself uses the circuit",
    "[expressroute][coexist][root]") {
  REQUIRE_ROOT();
  EditedLab routed(lab_path(kCoexistLab), [](std::string& text) {
    replace_once(text, "subnets = { default = \"10.1.0.0/24\" }",
                 "subnets = { default = { prefix = \"10.1.0.0/24\", route_table = \"to-vpn\" } }");
    replace_once(text, "[vm.vm-hub]",
                 "[route_table.to-vpn]\nroutes = [{ name = \"onprem\", address_prefix = "
                 "\"192.168.0.0/16\", next_hop_type = \"VirtualNetworkGateway\" }]\n\n[vm.vm-hub]");
    drop_expectations(text);
  });
  const Lab model_lab = load_lab_file(routed.path()).lab;
  REQUIRE(validate_lab(model_lab).empty());
  auto predicted =
      AzureModel(model_lab).pair(*model_lab.find_vm("vm-spoke1"), *model_lab.find_vm("vm-onprem"));
  CHECK(predicted.reachable);
  CHECK(predicted.hops == 1);  // over the tunnel
  ScratchLab lab(routed.path(), "er-udr");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  CHECK(every_vm_agrees(passing_check(lab.name())));
  auto spoke = run_hublab({"trace", lab.name(), "vm-spoke1", "vm-onprem"});
  INFO(spoke.out << spoke.err);
  CHECK(spoke.out.find(" 1  192.168.1.4") != std::string::npos);
  auto hub = run_hublab({"trace", lab.name(), "vm-hub", "vm-onprem"});
  INFO(hub.out << hub.err);
  CHECK(hub.out.find(" 1  *\n 2  192.168.1.4") != std::string::npos);
}
