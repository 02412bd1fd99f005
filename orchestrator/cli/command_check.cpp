#include <iostream>
#include <optional>

#include "orchestrator/apply/lab_runtime.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_input.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/lab_up.h"
#include "orchestrator/cli/output_option.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/cli/progress.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/observe/check.h"
#include "orchestrator/observe/check_output.h"
#include "orchestrator/observe/status.h"
#include "orchestrator/plan/plan_record.h"
#include "orchestrator/state/lab_state.h"

namespace hublab::cli {

namespace {

int check_command(const Invocation& args) {
  const std::string& target_arg = args.operand(0);
  const bool up = args.flag("--up"), down = args.flag("--down");
  const std::string name_override = args.value("--name").value_or("");
  std::string name = resolve_lab(target_arg, LabNeed::kName).name;
  if ((up || down) && !looks_like_lab_file(target_arg))
    throw CliError(kExitBadInput, "--up and --down need the lab FILE");
  const std::optional<std::string> junit_path = args.value("--junit");
  require_writable("--junit", junit_path, Existing::kReplace);
  if (!name_override.empty()) {
    if (!up) throw CliError(kExitBadInput, "--name names the lab --up brings up");
    if (!LabState::valid_name(name_override))
      throw CliError(kExitBadInput, "--name: '" + name_override + "' is no lab name");
    name = name_override;
  }
  require_network_admin();

  bool brought_up = false;
  if (!LabState::peek(name) && up) {
    // Progress goes to stderr, so that --json stays clean on stdout.
    int result = up_lab(UpRequest{.file = target_arg, .name = name_override}, std::cerr);
    if (result != kExitOk) return result;
    brought_up = true;
  }

  int exit_code = kExitOk;
  try {
    // Shared with other checks, never with a fault or a down: what the
    // probes see is the lab the model is given.
    LabTarget target = hold_lab("check", resolve_lab(name, LabNeed::kReady),
                                LabState::Access::kCheck, LabNeed::kReady);
    const Lab& lab = *target.lab;
    const std::vector<Fault> faults = target.state->faults();
    // One model of the lab under the faults set, for the probes and the routes.
    const AzureModel model(lab_under_faults(lab, faults));
    CheckReport report = run_check(
        lab, model,
        CheckOptions{.timeout = std::chrono::milliseconds(args.number("--timeout-ms", 300)),
                     .faults = faults});
    compare_routes(report, *target.state, lab,
                   read_plan_record(target.state->plan_record(), kStaticGatewayRoutesPart), model);
    report.dead_daemons = dead_daemons(*target.state);
    if (args.flag("--json"))
      std::cout << check_json(report);
    else
      std::cout << check_table(report) << "\n" << check_matrix(report, lab);
    if (junit_path)
      if (auto failed =
              write_output("--junit", *junit_path, check_junit(report), Existing::kReplace)) {
        std::cerr << "hublab check: " << *failed << "\n";
        exit_code = kExitFailure;
      }
    target.state->save_last_check(check_json(report));
    if (!report.passed()) exit_code = kExitFailure;
  } catch (const CliError& error) {
    if (!brought_up && !down) throw;
    std::cerr << "hublab check: " << error.what() << "\n";
    exit_code = error.exit_code;
  } catch (const std::exception& error) {
    std::cerr << "hublab check: " << error.what() << "\n";
    exit_code = kExitFailure;
  }
  // Only what this check brought up: a lab the user had up stays up.
  if (down && brought_up) {
    Progress progress("down", name, false, std::cerr);
    try {
      bring_down(name, progress);
    } catch (const std::exception& error) {
      std::cerr << "hublab check: down: " << error.what() << "\n";
      if (exit_code == kExitOk) exit_code = kExitFailure;
    }
  }
  return exit_code;
}

}  // namespace

const Command kCheck{
    .spec = {.name = "check",
             .operands = {"NAME|FILE"},
             .options = {{.name = "--json"},
                         {.name = "--junit", .value = "FILE"},
                         {.name = "--up"},
                         {.name = "--down"},
                         {.name = "--name", .value = "NAME"},
                         {.name = "--timeout-ms", .value = "N", .number = true, .max = 60000}},
             .help = "run the lab's expectations: exit 0 all hold, 1 any fails\n"
                     "(--up first brings the lab up from FILE, as NAME if given, unless it\n"
                     "is up already; --down then removes what --up brought up)"},
    .run = check_command};

}  // namespace hublab::cli
