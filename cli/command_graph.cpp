#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apply/lab_state.h"
#include "cli/commands.h"
#include "cli/lab_target.h"
#include "drivers/graphviz/render.h"
#include "observe/graph.h"
#include "observe/tunnels.h"

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

// Works from the file alone; a running lab adds its state.
int run_graph(const Invocation& args) {
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kAny);
  const Lab& lab = *target.lab;
  GraphState live;
  if (target.state && target.state->ready() && geteuid() == 0)
    live = live_state(*target.state, lab);
  const std::string format = args.value("--format").value_or("dot");
  std::string text = format == "mermaid" ? topology_mermaid(lab, live) : topology_dot(lab, live);
  if (format == "svg") text = render_dot(text, "svg");
  auto output = args.value("-o");
  if (!output) {
    std::cout << text;
    return kExitOk;
  }
  std::ofstream out(*output, std::ios::binary);
  out << text;
  if (!out) throw CliError(kExitFailure, "cannot write " + *output);
  return kExitOk;
}

}  // namespace

const Command kGraph{
    .spec = {.name = "graph",
             .operands = {"NAME|FILE"},
             .options = {{.name = "--format", .choices = {"dot", "mermaid", "svg"}},
                         {.name = "-o", .value = "FILE"}},
             .help = "the topology; a running lab adds tunnel state and the last check"},
    .run = run_graph};

}  // namespace hublab::cli
