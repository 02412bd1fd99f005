#include "orchestrator/observe/status.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "drivers/netlink/network_namespace.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/observe/route_server.h"
#include "orchestrator/plan/plan_record.h"

namespace hublab {

namespace {

// A node whose daemons a fault stopped on purpose: a gateway ("G", "G.1")
// or one of its connections' ends ("hub01-hub02@vpngw-hub01"), an NVA, a
// Route Server instance ("rs-hub00.1").
bool stopped_by_fault(const std::vector<Fault>& faults, const std::string& node) {
  const std::string gateway = node.substr(node.find('@') + 1);
  const size_t dot = gateway.find('.');
  const std::string suffix = dot == std::string::npos ? "" : gateway.substr(dot + 1);
  const bool numbered = !suffix.empty() && suffix.size() < 3 &&
                        suffix.find_first_not_of("0123456789") == std::string::npos;
  if ((dot == std::string::npos || numbered) && node_stopped(faults, gateway)) return true;
  for (const Fault& f : faults) {
    if (f.kind == Fault::Kind::kNva && f.name == node) return true;
    if (f.kind == Fault::Kind::kRouteServerInstance && numbered &&
        node == f.name + "." + std::to_string(f.instance))
      return true;
  }
  return false;
}

// The latest record of each daemon, by node and kind: a gateway brought
// back up after a fault has new ones.
std::map<std::pair<std::string, std::string>, LabState::DaemonRecord> latest_daemons(
    const LabState& state) {
  std::map<std::pair<std::string, std::string>, LabState::DaemonRecord> latest;
  for (const LabState::DaemonRecord& d : state.daemons())
    latest.insert_or_assign({d.node, d.kind}, d);
  return latest;
}

const char* role_name(NodeRole role) {
  switch (role) {
    case NodeRole::kVm:
      return "vm";
    case NodeRole::kVnetRouter:
      return "vnet-router";
    case NodeRole::kGateway:
      return "gateway";
    case NodeRole::kSite:
      return "site";
    case NodeRole::kTunnelEnd:
      return "tunnel-end";
    case NodeRole::kInternet:
      return "internet";
    case NodeRole::kEdgeRouter:
      return "edge-router";
    case NodeRole::kRouteServer:
      return "route-server";
  }
  return "?";
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : " ") + item;
  return text;
}

// printf into a std::string.
template <class... Args>
std::string format(const char* pattern, Args... args) {
  char line[512];
  std::snprintf(line, sizeof line, pattern, args...);
  return line;
}

}  // namespace

LabStatus read_status(LabState& state, const Lab& lab) {
  LabStatus status{.lab = lab.name,
                   .description = lab.description,
                   .source = state.source_path(),
                   .up_seconds = state.ready_age_seconds()};
  const LabPlan kept = read_plan_record(state.plan_record(), kFabricPart | kBgpPart);
  const FabricPlan& plan = kept.fabric;
  std::map<std::string, std::vector<std::string>> addresses;
  const Prefix link_local = *Prefix::parse("169.254.0.0/16");
  for (const AddressSpec& a : plan.addresses)
    // Link-local plumbing (peering /31s, the internet's next hop) is no
    // address a user would look for.
    if (!link_local.contains(a.address))
      addresses[a.interface.netns].push_back(a.address.str() + "/" +
                                             std::to_string(a.prefix_length));
  const auto daemons = latest_daemons(state);
  for (const NamespaceSpec& ns : plan.namespaces) {
    NodeStatus node{.name = ns.node,
                    .role = role_name(ns.role),
                    .netns = ns.name,
                    .present = NetworkNamespace::exists(ns.name),
                    .addresses = addresses[ns.name]};
    for (const auto& [key, d] : daemons)
      if (d.node == ns.node) {
        const bool alive = daemon_alive(d.id);
        node.daemons.push_back({.kind = d.kind,
                                .pid = d.id.pid,
                                .alive = alive,
                                .rss_kib = alive ? resident_kib(d.id) : 0});
      }
    status.nodes.push_back(node);
  }
  std::map<std::string, LabStatus::Memory> memory;
  for (const NodeStatus& node : status.nodes)
    for (const NodeStatus::Daemon& d : node.daemons) {
      LabStatus::Memory& kind = memory[d.kind];
      kind.kind = d.kind;
      kind.daemons += d.alive;
      kind.rss_kib += d.rss_kib;
      // And an NVA's FRRouting as one: its zebra, bgpd and staticd.
      if (d.kind.rfind("frr-", 0) == 0) {
        LabStatus::Memory& frr = memory["frr"];
        frr.kind = "frr";
        frr.daemons += d.kind == "frr-zebra" && d.alive;
        frr.rss_kib += d.rss_kib;
      }
    }
  for (const auto& [kind, use] : memory) status.memory.push_back(use);
  status.tunnels = read_tunnels(state, lab);
  status.bgp_sessions = read_bgp_sessions(state, kept.bgp);
  for (BgpSessionReport& nva : read_nva_sessions(state, lab))
    status.bgp_sessions.push_back(std::move(nva));
  status.last_check = parse_last_check(state.last_check());
  status.faults = state.faults();
  return status;
}

std::string status_json(const LabStatus& status) {
  nlohmann::json out;
  out["lab"] = status.lab;
  out["description"] = status.description;
  out["source"] = status.source;
  out["state"] = status.up_seconds ? "up" : "incomplete";
  if (status.up_seconds) out["up_seconds"] = *status.up_seconds;
  out["nodes"] = nlohmann::json::array();
  for (const NodeStatus& n : status.nodes) {
    nlohmann::json node = {{"name", n.name},
                           {"role", n.role},
                           {"namespace", n.netns},
                           {"present", n.present},
                           {"addresses", n.addresses}};
    for (const NodeStatus::Daemon& d : n.daemons)
      node[d.kind] = {{"pid", d.pid}, {"alive", d.alive}, {"rss_kib", d.rss_kib}};
    out["nodes"].push_back(node);
  }
  out["connections"] = nlohmann::json::array();
  for (const TunnelReport& t : status.tunnels) {
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
  if (status.last_check)
    out["last_check"] = {{"passed", status.last_check->passed},
                         {"expectations", status.last_check->expectations},
                         {"failed", status.last_check->failed},
                         {"seconds", status.last_check->seconds}};
  out["faults"] = fault_lines(status.faults);
  out["memory"] = nlohmann::json::array();
  for (const LabStatus::Memory& m : status.memory)
    out["memory"].push_back({{"kind", m.kind}, {"daemons", m.daemons}, {"rss_kib", m.rss_kib}});
  out["bgp_sessions"] = nlohmann::json::array();
  for (const BgpSessionReport& s : status.bgp_sessions)
    out["bgp_sessions"].push_back({{"node", s.node},
                                   {"session", s.session},
                                   {"neighbor", s.neighbor},
                                   {"state", s.state},
                                   {"since", s.since},
                                   {"last_error", s.last_error},
                                   {"prefixes_in", s.imported},
                                   {"prefixes_out", s.exported}});
  return out.dump(2) + "\n";
}

std::string status_table(const LabStatus& status) {
  std::string out = "lab " + status.lab + ": " + (status.up_seconds ? "up" : "incomplete");
  if (status.up_seconds) out += " for " + std::to_string(*status.up_seconds) + "s";
  out += ", from " + status.source + "\n";
  if (!status.description.empty()) out += status.description + "\n";
  for (const Fault& fault : status.faults) out += "fault: " + fault.str() + " down\n";
  if (status.last_check)
    out += format("last check: %s (%zu expectations, %zu failed)\n",
                  status.last_check->passed ? "passed" : "FAILED", status.last_check->expectations,
                  status.last_check->failed);
  for (const LabStatus::Memory& m : status.memory)
    if (m.daemons)
      out += format("memory: %zu %s, %.1f MiB resident (%.1f MiB each)\n", m.daemons,
                    m.kind.c_str(), static_cast<double>(m.rss_kib) / 1024,
                    static_cast<double>(m.rss_kib) / 1024 / static_cast<double>(m.daemons));
  // Connection ends are long: "hub01-hub02@vpngw-hub01".
  int width = 14;
  for (const NodeStatus& node : status.nodes)
    width = std::max(width, static_cast<int>(node.name.size()));
  out += format("\n%-*s %-12s %-11s %s\n", width, "NODE", "ROLE", "STATE", "ADDRESSES");
  for (const NodeStatus& node : status.nodes) {
    std::string state = node.present ? "up" : "MISSING";
    for (const NodeStatus::Daemon& d : node.daemons)
      if (!d.alive)
        state = stopped_by_fault(status.faults, node.name) ? "down(fault)" : "DAEMON-DEAD";
    out += format("%-*s %-12s %-11s %s\n", width, node.name.c_str(), node.role.c_str(),
                  state.c_str(), joined(node.addresses).c_str());
  }
  if (!status.bgp_sessions.empty()) {
    // Edge routers and their sessions are long: "er-circuit.secondary",
    // "edge_onprem_er_secondary".
    int node_width = 14, session_width = 20;
    for (const BgpSessionReport& s : status.bgp_sessions) {
      node_width = std::max(node_width, static_cast<int>(s.node.size()));
      session_width = std::max(session_width, static_cast<int>(s.session.size()));
    }
    out += format("\n%-*s %-*s %-16s %-12s %-13s %6s %6s  %s\n", node_width, "NODE", session_width,
                  "BGP SESSION", "NEIGHBOR", "STATE", "SINCE", "IN", "OUT", "LAST ERROR");
    for (const BgpSessionReport& s : status.bgp_sessions)
      out += format("%-*s %-*s %-16s %-12s %-13s %6u %6u  %s\n", node_width, s.node.c_str(),
                    session_width, s.session.c_str(), s.neighbor.c_str(), s.state.c_str(),
                    s.since.c_str(), s.imported, s.exported, s.last_error.c_str());
  }
  if (status.tunnels.empty()) return out;
  out += format("\n%-16s %-14s %-12s %-10s %8s %16s %16s\n", "CONNECTION", "GATEWAY", "IKE",
                "CHILD_SA", "UP", "IN bytes/pkts", "OUT bytes/pkts");
  for (const TunnelReport& t : status.tunnels) {
    for (int i = 0; i < 2; ++i) {
      const strongswan::TunnelStatus& s = t.sides[i];
      std::string up =
          s.established_seconds ? std::to_string(*s.established_seconds) + "s" : std::string("-");
      std::string ike = t.daemon_alive[i] ? s.ike_state : "NO-CHARON";
      out += format("%-16s %-14s %-12s %-10s %8s %16s %16s\n", t.connection.c_str(),
                    t.gateways[i].c_str(), ike.c_str(), s.child_state.c_str(), up.c_str(),
                    (std::to_string(s.bytes_in) + "/" + std::to_string(s.packets_in)).c_str(),
                    (std::to_string(s.bytes_out) + "/" + std::to_string(s.packets_out)).c_str());
    }
  }
  return out;
}

std::vector<std::string> dead_daemons(const LabState& state) {
  const std::vector<Fault> faults = state.faults();
  std::vector<std::string> dead;
  for (const auto& [key, d] : latest_daemons(state))
    if (!daemon_alive(d.id) && !stopped_by_fault(faults, d.node))
      dead.push_back(d.kind + " of " + d.node);
  return dead;
}

}  // namespace hublab
