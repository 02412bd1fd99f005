#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "drivers/graphviz/render.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_input.h"
#include "orchestrator/lab_state.h"
#include "orchestrator/topology_graph.h"
#include "orchestrator/vpn_gateways.h"

namespace hublab::cli {

namespace {

// What the running lab adds to the picture: tunnel state, and the last
// check's reachability.
GraphState live_state(LabState& state, const Lab& lab) {
  GraphState graph;
  for (const TunnelReport& t : read_tunnels(state, lab)) {
    bool up = t.daemon_alive[0] && t.daemon_alive[1] && t.sides[0].child_state == "INSTALLED" &&
              t.sides[1].child_state == "INSTALLED";
    graph.connections[t.connection] = up ? "up" : "down";
  }
  std::string last = state.last_check();
  if (!last.empty()) {
    nlohmann::json report = nlohmann::json::parse(last, nullptr, false);
    if (report.is_object() && report.contains("results"))
      for (const auto& r : report["results"])
        if (r["protocol"] == "icmp" && lab.find_vm(r["to"].get<std::string>()))
          graph.reachable[{r["from"].get<std::string>(), r["to"].get<std::string>()}] =
              r["seen"]["reachable"].get<bool>();
  }
  return graph;
}

}  // namespace

// `hublab graph NAME|FILE [--format dot|mermaid|svg] [-o FILE]`: works from
// the file alone; a running lab adds its state.
int graph(const Args& args) {
  std::string target, format = "dot", output;
  bool ok = true;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--format" && i + 1 < args.size())
      format = args[++i];
    else if (args[i] == "-o" && i + 1 < args.size())
      output = args[++i];
    else if (target.empty() && !args[i].empty() && args[i][0] != '-')
      target = args[i];
    else
      ok = false;
  }
  if (!ok || target.empty() || (format != "dot" && format != "mermaid" && format != "svg")) {
    std::cerr << "usage: hublab graph NAME|FILE [--format dot|mermaid|svg] [-o FILE]\n";
    return kExitBadInput;
  }
  std::optional<Lab> lab;
  std::optional<LabState> state;
  if (looks_like_lab_file(target)) {
    auto input = read_valid_lab(target);
    if (!input) return kExitBadInput;
    lab = input->lab;
    state = LabState::peek(lab->name);
  } else {
    state = LabState::peek(target);
    if (!state) {
      std::cerr << "hublab graph: '" << target << "' is neither a lab file nor a running lab\n";
      return kExitBadInput;
    }
    lab = running_lab(*state);
  }
  GraphState live;
  if (state && state->ready() && geteuid() == 0) live = live_state(*state, *lab);
  std::string text = format == "mermaid" ? topology_mermaid(*lab, live) : topology_dot(*lab, live);
  if (format == "svg") text = render_dot(text, "svg");
  if (output.empty()) {
    std::cout << text;
  } else {
    std::ofstream out(output, std::ios::binary);
    out << text;
    if (!out) {
      std::cerr << "hublab graph: cannot write " << output << "\n";
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace hublab::cli
