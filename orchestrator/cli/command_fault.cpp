#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "orchestrator/apply/faults.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/observe/check.h"

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

// The fault named by a line of `fault list` (as recorded), set up again.
void clear_fault(LabState& state, const Lab& lab, const std::string& fault) {
  std::istringstream words(fault);
  std::string kind, a, b, c;
  words >> kind >> a >> b >> c;
  if (kind == "tunnel") set_tunnel(state, lab, a, true);
  if (kind == "peering") set_peering(state, lab, a, b, true);
  if (kind == "gateway")
    set_gateway(state, lab, a, b == "instance" ? std::optional<int>(std::stoi(c)) : std::nullopt,
                true);
}

constexpr const char* kForms =
    "expected list, clear, tunnel CONNECTION down|up, peering VNET VNET down|up, gateway "
    "GATEWAY [instance 0|1] down|up, or bgp GATEWAY reset";

int run_fault(const Invocation& args) {
  require_network_admin();
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kReady);
  LabState& state = *target.state;
  const Lab& lab = *target.lab;
  const std::string& action = args.operand(1);
  const size_t count = args.operand_count();
  if (action == "list" && count == 2) {
    for (const std::string& fault : state.faults()) std::cout << fault << " down\n";
    return kExitOk;
  }
  if (action == "clear" && count == 2) {
    // Gateways first: a tunnel of a stopped gateway comes back with it.
    std::vector<std::string> faults = state.faults();
    std::stable_partition(faults.begin(), faults.end(),
                          [](const std::string& f) { return f.rfind("gateway ", 0) == 0; });
    for (const std::string& fault : faults) clear_fault(state, lab, fault);
    wait_settled(state, lab);
    return kExitOk;
  }
  const std::string& last = args.operand(count - 1);
  const bool up = last == "up";
  try {
    if (action == "bgp" && count == 4 && last == "reset") {
      auto took = reset_bgp(state, lab, args.operand(2), std::chrono::seconds(15));
      std::cout << "BGP sessions of " << args.operand(2) << " reset and Established again in "
                << took.count() << " ms\n";
      wait_settled(state, lab);
      return kExitOk;
    }
    if (last != "up" && last != "down") throw UsageError(kForms);
    if (action == "tunnel" && count == 4) {
      set_tunnel(state, lab, args.operand(2), up);
      std::cout << "connection " << args.operand(2) << " is " << last << "\n";
    } else if (action == "peering" && count == 5) {
      set_peering(state, lab, args.operand(2), args.operand(3), up);
      std::cout << "peering " << args.operand(2) << " - " << args.operand(3) << " is "
                << (up ? "connected" : "disconnected") << "\n";
    } else if (action == "gateway" && count == 4) {
      set_gateway(state, lab, args.operand(2), std::nullopt, up);
      std::cout << "gateway " << args.operand(2) << " is " << last << "\n";
    } else if (action == "gateway" && count == 6 && args.operand(3) == "instance" &&
               (args.operand(4) == "0" || args.operand(4) == "1")) {
      set_gateway(state, lab, args.operand(2), std::stoi(args.operand(4)), up);
      std::cout << "gateway " << args.operand(2) << " instance " << args.operand(4) << " is "
                << last << "\n";
    } else {
      throw UsageError(kForms);
    }
  } catch (const std::invalid_argument& error) {
    throw CliError(kExitBadInput, error.what());
  }
  wait_settled(state, lab);
  return kExitOk;
}

}  // namespace

const Command kFault{
    .spec = {.name = "fault",
             .operands = {"NAME", "ACTION"},
             .optional_operands = {"ARG", "ARG", "ARG", "ARG"},
             .operand_words = {{},
                               {"list", "clear", "tunnel", "peering", "gateway", "bgp"},
                               {},
                               {"down", "up", "instance", "reset"},
                               {"down", "up", "0", "1"},
                               {"down", "up"}},
             .help = "faults for training on a running lab; ACTION: list, clear,\n"
                     "tunnel CONNECTION down|up (IKE SA deleted and held down),\n"
                     "peering VNET VNET down|up (disconnected), gateway GATEWAY\n"
                     "[instance 0|1] down|up (its daemons stopped), bgp GATEWAY reset;\n"
                     "waits until routes settle as the model predicts"},
    .run = run_fault};

}  // namespace hublab::cli
