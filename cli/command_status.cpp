#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "apply/lab_state.h"
#include "cli/commands.h"
#include "cli/lab_target.h"
#include "cli/privileges.h"
#include "drivers/netlink/network_namespace.h"
#include "observe/bgp.h"
#include "observe/tunnels.h"
#include "plan/bgp.h"
#include "plan/fabric.h"

namespace hublab::cli {

namespace {

const char* role_name(NodeRole role) {
  switch (role) {
    case NodeRole::kVm:
      return "vm";
    case NodeRole::kVnetRouter:
      return "vnet-router";
    case NodeRole::kGateway:
      return "gateway";
    case NodeRole::kInternet:
      return "internet";
  }
  return "?";
}

nlohmann::json status_json(LabState& state, const Lab& lab) {
  FabricPlan plan = plan_fabric(lab);
  std::map<std::string, std::vector<std::string>> addresses;
  for (const AddressSpec& a : plan.addresses)
    // Link-local plumbing (peering /31s, the internet's next hop) is no
    // address a user would look for.
    if (!Prefix::parse("169.254.0.0/16")->contains(a.address))
      addresses[a.interface.netns].push_back(a.address.str() + "/" +
                                             std::to_string(a.prefix_length));
  std::map<std::pair<std::string, std::string>, DaemonId> daemons;
  for (const LabState::DaemonRecord& d : state.daemons()) daemons[{d.node, d.kind}] = d.id;

  nlohmann::json out;
  out["lab"] = lab.name;
  out["source"] = state.source_path();
  auto age = state.ready_age_seconds();
  out["state"] = age ? "up" : "incomplete";
  if (age) out["up_seconds"] = *age;
  out["nodes"] = nlohmann::json::array();
  for (const NamespaceSpec& ns : plan.namespaces) {
    nlohmann::json node = {{"name", ns.node},
                           {"role", role_name(ns.role)},
                           {"namespace", ns.name},
                           {"present", NetworkNamespace::exists(ns.name)},
                           {"addresses", addresses[ns.name]}};
    for (const char* kind : {"charon", "bird"})
      if (auto d = daemons.find({ns.node, kind}); d != daemons.end())
        node[kind] = {{"pid", d->second.pid}, {"alive", daemon_alive(d->second)}};
    out["nodes"].push_back(node);
  }
  out["connections"] = nlohmann::json::array();
  for (const TunnelReport& t : read_tunnels(state, lab)) {
    nlohmann::json sides = nlohmann::json::array();
    for (int i = 0; i < 2; ++i) {
      const strongswan::TunnelStatus& s = t.sides[i];
      nlohmann::json side = {{"gateway", t.gateways[i]},   {"charon_alive", t.daemon_alive[i]},
                             {"ike_state", s.ike_state},   {"child_sa_state", s.child_state},
                             {"bytes_in", s.bytes_in},     {"bytes_out", s.bytes_out},
                             {"packets_in", s.packets_in}, {"packets_out", s.packets_out}};
      side["established_seconds"] =
          s.established_seconds ? nlohmann::json(*s.established_seconds) : nlohmann::json();
      sides.push_back(side);
    }
    out["connections"].push_back({{"name", t.connection}, {"sides", sides}});
  }
  std::string last = state.last_check();
  nlohmann::json check = nlohmann::json::parse(last.empty() ? "null" : last, nullptr, false);
  if (check.is_object())
    out["last_check"] = {{"passed", check["passed"]},
                         {"expectations", check["expectations"]},
                         {"failed", check["failed"]},
                         {"seconds", check["seconds"]}};
  out["bgp_sessions"] = nlohmann::json::array();
  for (const BgpSessionReport& s : read_bgp_sessions(state, lab))
    out["bgp_sessions"].push_back({{"node", s.node},
                                   {"session", s.session},
                                   {"neighbor", s.neighbor},
                                   {"state", s.state},
                                   {"since", s.since},
                                   {"last_error", s.last_error},
                                   {"prefixes_in", s.imported},
                                   {"prefixes_out", s.exported}});
  return out;
}

std::string joined(const nlohmann::json& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : " ") + item.get<std::string>();
  return text;
}

void print_table(const nlohmann::json& status) {
  std::printf("lab %s: %s", status["lab"].get<std::string>().c_str(),
              status["state"].get<std::string>().c_str());
  if (status.contains("up_seconds"))
    std::printf(" for %llds", status["up_seconds"].get<long long>());
  std::printf(", from %s\n", status["source"].get<std::string>().c_str());
  if (status.contains("last_check")) {
    const auto& c = status["last_check"];
    std::printf("last check: %s (%d expectations, %d failed)\n",
                c["passed"].get<bool>() ? "passed" : "FAILED", c["expectations"].get<int>(),
                c["failed"].get<int>());
  }
  std::printf("\n");
  std::printf("%-14s %-12s %-11s %s\n", "NODE", "ROLE", "STATE", "ADDRESSES");
  for (const auto& node : status["nodes"]) {
    std::string state = node["present"].get<bool>() ? "up" : "MISSING";
    for (const char* daemon : {"charon", "bird"})
      if (node.contains(daemon) && !node[daemon]["alive"].get<bool>()) state = "DAEMON-DEAD";
    std::printf("%-14s %-12s %-11s %s\n", node["name"].get<std::string>().c_str(),
                node["role"].get<std::string>().c_str(), state.c_str(),
                joined(node["addresses"]).c_str());
  }
  if (!status["bgp_sessions"].empty()) {
    std::printf("\n%-14s %-20s %-16s %-12s %-13s %6s %6s  %s\n", "NODE", "BGP SESSION", "NEIGHBOR",
                "STATE", "SINCE", "IN", "OUT", "LAST ERROR");
    for (const auto& s : status["bgp_sessions"])
      std::printf("%-14s %-20s %-16s %-12s %-13s %6u %6u  %s\n",
                  s["node"].get<std::string>().c_str(), s["session"].get<std::string>().c_str(),
                  s["neighbor"].get<std::string>().c_str(), s["state"].get<std::string>().c_str(),
                  s["since"].get<std::string>().c_str(), s["prefixes_in"].get<unsigned>(),
                  s["prefixes_out"].get<unsigned>(), s["last_error"].get<std::string>().c_str());
  }
  if (status["connections"].empty()) return;
  std::printf("\n%-16s %-14s %-12s %-10s %8s %16s %16s\n", "CONNECTION", "GATEWAY", "IKE",
              "CHILD_SA", "UP", "IN bytes/pkts", "OUT bytes/pkts");
  for (const auto& connection : status["connections"]) {
    for (const auto& side : connection["sides"]) {
      std::string up = side["established_seconds"].is_null()
                           ? "-"
                           : std::to_string(side["established_seconds"].get<long>()) + "s";
      std::string ike =
          side["charon_alive"].get<bool>() ? side["ike_state"].get<std::string>() : "NO-CHARON";
      std::printf("%-16s %-14s %-12s %-10s %8s %16s %16s\n",
                  connection["name"].get<std::string>().c_str(),
                  side["gateway"].get<std::string>().c_str(), ike.c_str(),
                  side["child_sa_state"].get<std::string>().c_str(), up.c_str(),
                  (std::to_string(side["bytes_in"].get<uint64_t>()) + "/" +
                   std::to_string(side["packets_in"].get<uint64_t>()))
                      .c_str(),
                  (std::to_string(side["bytes_out"].get<uint64_t>()) + "/" +
                   std::to_string(side["packets_out"].get<uint64_t>()))
                      .c_str());
    }
  }
}

int run_status(const Invocation& args) {
  require_network_admin();
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kPresent);
  nlohmann::json report = status_json(*target.state, *target.lab);
  if (args.flag("--json"))
    std::cout << report.dump(2) << "\n";
  else
    print_table(report);
  return kExitOk;
}

}  // namespace

const Command kStatus{
    .spec = {.name = "status",
             .operands = {"NAME|FILE"},
             .options = {{.name = "--json"}},
             .help = "nodes, daemons, BGP sessions and tunnels of a running lab, last check"},
    .run = run_status};

}  // namespace hublab::cli
