#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/observe/status.h"

namespace hublab::cli {

namespace {

int run_status(const Invocation& args) {
  require_network_admin();
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kPresent);
  LabStatus status = read_status(*target.state, *target.lab);
  std::cout << (args.flag("--json") ? status_json(status) : status_table(status));
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
