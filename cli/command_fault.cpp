#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "apply/faults.h"
#include "cli/commands.h"
#include "cli/lab_target.h"
#include "cli/privileges.h"
#include "observe/check.h"

namespace hublab::cli {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until every VM's live effective routes are what the model predicts
// for the faulted lab: BGP withdraws a dead tunnel's routes within its hold
// time (3 s), and BIRD then updates the kernel tables. Bounded; says how
// long it took, or what still differs.
void wait_settled(LabState& state, const Lab& lab) {
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::seconds(15);
  for (;;) {
    CheckReport report;
    compare_routes(report, state, lab, state.faults());
    if (report.routes_differing() == 0) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      std::cout << "routes settled in " << ms.count()
                << " ms: every VM's effective routes are as the model predicts\n";
      return;
    }
    if (Clock::now() >= deadline) {
      for (const RouteCheck& r : report.routes)
        if (!r.agrees)
          throw CliError(kExitFailure,
                         "routes did not settle in 15 s: " + r.vm + ", " + r.difference);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int run_fault(const Invocation& args) {
  require_network_admin();
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kReady);
  LabState& state = *target.state;
  const std::string& action = args.operand(1);
  if (action == "list") {
    for (const std::string& fault : state.faults()) std::cout << fault << " down\n";
    return kExitOk;
  }
  if (action == "clear") {
    for (const std::string& fault : state.faults())
      if (fault.rfind("tunnel ", 0) == 0) set_tunnel(state, *target.lab, fault.substr(7), true);
    wait_settled(state, *target.lab);
    return kExitOk;
  }
  if (action != "tunnel" || args.operand_count() != 4 ||
      (args.operand(3) != "down" && args.operand(3) != "up"))
    throw UsageError("expected list, clear, or tunnel CONNECTION down|up");
  try {
    set_tunnel(state, *target.lab, args.operand(2), args.operand(3) == "up");
  } catch (const std::invalid_argument& error) {
    throw CliError(kExitBadInput, error.what());
  }
  std::cout << "connection " << args.operand(2) << " is " << args.operand(3) << "\n";
  wait_settled(state, *target.lab);
  return kExitOk;
}

}  // namespace

const Command kFault{
    .spec = {.name = "fault",
             .operands = {"NAME", "list|clear|tunnel"},
             .optional_operands = {"CONNECTION", "down|up"},
             .help = "faults for training on a running lab: a tunnel held down (its IKE SA\n"
                     "deleted) or up again; waits until routes settle as the model predicts"},
    .run = run_fault};

}  // namespace hublab::cli
