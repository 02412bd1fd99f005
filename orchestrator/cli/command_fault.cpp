#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "orchestrator/apply/faults.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/fault_grammar.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/observe/check.h"
#include "orchestrator/plan/plan_record.h"

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
  const LabPlan plan = read_plan_record(state.plan_record(), kStaticGatewayRoutesPart);
  const AzureModel model(lab_under_faults(lab, state.faults()));
  for (;;) {
    CheckReport report;
    compare_routes(report, state, lab, plan, model);
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

// What `fault` says once a fault is set or cleared.
std::string said(const Fault& fault, bool up) {
  const std::string state = up ? "up" : "down";
  switch (fault.kind) {
    case Fault::Kind::kTunnel:
      return "connection " + fault.name + " is " + state;
    case Fault::Kind::kPeering:
      return "peering " + fault.name + " - " + fault.other + " is " +
             (up ? "connected" : "disconnected");
    case Fault::Kind::kGateway:
      return "gateway " + fault.name + " is " + state;
    case Fault::Kind::kInstance:
      return "gateway " + fault.name + " instance " + std::to_string(fault.instance) + " is " +
             state;
    case Fault::Kind::kCircuit:
    case Fault::Kind::kCircuitLink:
    case Fault::Kind::kRouteServerInstance:
      return fault.str() + " is " + state;
    case Fault::Kind::kNva:
      return "NVA " + fault.name + "'s routing is " + state;
  }
  return "";
}

int run_fault(const Invocation& args) {
  std::vector<std::string> words;
  for (size_t i = 1; i < args.operand_count(); ++i) words.push_back(args.operand(i));
  const auto request = parse_fault(words);
  if (!request) throw UsageError(fault_mismatch(words));
  require_network_admin();
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kReady);
  // A fault changes the running lab: it waits for a check (which must not
  // see a lab half faulted), a down or another fault to finish.
  if (request->action != FaultAction::kList)
    target = hold_lab("fault", target, LabState::Access::kChange, LabNeed::kReady);
  LabState& state = *target.state;
  const Lab& lab = *target.lab;
  try {
    switch (request->action) {
      case FaultAction::kList:
        for (const Fault& fault : state.faults()) std::cout << fault.str() << " down\n";
        return kExitOk;
      case FaultAction::kClear: {
        // Gateways first: a tunnel of a stopped gateway comes back with it.
        std::vector<Fault> faults = state.faults();
        std::stable_partition(faults.begin(), faults.end(), [](const Fault& f) {
          return f.kind == Fault::Kind::kGateway || f.kind == Fault::Kind::kInstance;
        });
        for (const Fault& fault : faults) set_fault(state, lab, fault, true);
        break;
      }
      case FaultAction::kBgpReset: {
        const std::string& gateway = request->values[0];
        auto took = reset_bgp(state, lab, gateway, std::chrono::seconds(15));
        std::cout << "BGP sessions of " << gateway << " reset and Established again in "
                  << took.count() << " ms\n";
        break;
      }
      default: {
        const Fault fault = *requested_fault(*request);
        set_fault(state, lab, fault, request->up);
        std::cout << said(fault, request->up) << "\n";
      }
    }
  } catch (const std::invalid_argument& error) {
    throw CliError(kExitBadInput, error.what());
  }
  wait_settled(state, lab);
  return kExitOk;
}

std::vector<std::vector<std::string>> completion_words() {
  std::vector<std::vector<std::string>> words = {{}};  // NAME: running labs
  for (auto& at : fault_completion_words()) words.push_back(std::move(at));
  return words;
}

}  // namespace

const Command kFault{
    .spec = {.name = "fault",
             .operands = {"NAME", "ACTION"},
             .optional_operands = {"ARG", "ARG", "ARG", "ARG"},
             .operand_words = completion_words(),
             .help = "faults for training on a running lab, each waiting until routes\n"
                     "settle as the model predicts; ACTION [ARG...] is one of:\n" +
                     fault_usage()},
    .run = run_fault};

}  // namespace hublab::cli
