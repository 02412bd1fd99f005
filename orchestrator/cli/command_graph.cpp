#include <unistd.h>

#include <iostream>

#include "drivers/graphviz/render.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/output_option.h"
#include "orchestrator/observe/graph.h"

namespace hublab::cli {

namespace {

// Works from the file alone; a running lab adds its state.
int run_graph(const Invocation& args) {
  const auto output = args.value("-o");
  require_writable("-o", output, Existing::kReplace);
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kAny);
  const Lab& lab = *target.lab;
  GraphState live;
  if (target.state && target.state->ready() && geteuid() == 0)
    live = live_graph_state(*target.state, lab);
  const std::string format = args.value("--format").value_or("dot");
  std::string text = format == "mermaid" ? topology_mermaid(lab, live) : topology_dot(lab, live);
  if (format == "svg") text = render_dot(text, "svg");
  if (!output) {
    std::cout << text;
    return kExitOk;
  }
  if (auto failed = write_output("-o", *output, text, Existing::kReplace))
    throw CliError(kExitFailure, *failed);
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
