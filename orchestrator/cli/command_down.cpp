#include <iostream>

#include "orchestrator/apply/lab_runtime.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/cli/progress.h"

namespace hublab::cli {

namespace {

int run_down(const Invocation& args) {
  const std::string name = resolve_lab(args.operand(0), LabNeed::kName).name;
  const bool quiet = args.flag("--quiet");
  require_network_admin();
  Progress progress("down", name, quiet, std::cout);
  std::optional<int> removed;
  try {
    removed = bring_down(name, progress);
  } catch (const std::exception& error) {
    throw CliError(kExitFailure, name + ": " + error.what());
  }
  // Idempotent, like removing an absent file with rm -f: scripts can always
  // call down.
  if (!quiet && !removed) std::cout << "lab '" << name << "' is not up: nothing to do\n";
  if (!quiet && removed)
    std::cout << "lab '" << name << "' is down in " << progress.total_ms() << " ms ("
              << progress.summary() << "): removed " << *removed << " namespaces\n";
  return kExitOk;
}

}  // namespace

const Command kDown{
    .spec = {.name = "down",
             .operands = {"NAME|FILE"},
             .options = {{.name = "--quiet", .alias = "-q"}},
             .help = "remove everything of a lab (also after a failed or killed up)"},
    .run = run_down};

}  // namespace hublab::cli
