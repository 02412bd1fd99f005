#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "orchestrator/apply/faults.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/fault_grammar.h"
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

// Sets (down) or clears (up) the fault a request names.
void apply_fault(LabState& state, const Lab& lab, const FaultRequest& request) {
  const std::vector<std::string>& v = request.values;
  switch (request.action) {
    case FaultAction::kTunnel:
      return set_tunnel(state, lab, v[0], request.up);
    case FaultAction::kPeering:
      return set_peering(state, lab, v[0], v[1], request.up);
    case FaultAction::kGateway:
      return set_gateway(state, lab, v[0], std::nullopt, request.up);
    case FaultAction::kGatewayInstance:
      return set_gateway(state, lab, v[0], std::stoi(v[1]), request.up);
    case FaultAction::kList:
    case FaultAction::kClear:
    case FaultAction::kBgpReset:
      break;
  }
  throw std::logic_error("not a fault that is set or cleared");
}

// The fault a line of `fault list` names (as recorded, which is its form
// without the last word), set up again.
void clear_fault(LabState& state, const Lab& lab, const std::string& recorded) {
  std::vector<std::string> words;
  std::istringstream text(recorded);
  for (std::string word; text >> word;) words.push_back(word);
  words.push_back("up");
  auto request = parse_fault(words);
  if (!request) throw std::runtime_error("the lab state records an unknown fault: " + recorded);
  apply_fault(state, lab, *request);
}

std::string said(const FaultRequest& request) {
  const std::vector<std::string>& v = request.values;
  const std::string state = request.up ? "up" : "down";
  switch (request.action) {
    case FaultAction::kTunnel:
      return "connection " + v[0] + " is " + state;
    case FaultAction::kPeering:
      return "peering " + v[0] + " - " + v[1] + " is " +
             (request.up ? "connected" : "disconnected");
    case FaultAction::kGateway:
      return "gateway " + v[0] + " is " + state;
    case FaultAction::kGatewayInstance:
      return "gateway " + v[0] + " instance " + v[1] + " is " + state;
    default:
      return "";
  }
}

int run_fault(const Invocation& args) {
  require_network_admin();
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kReady);
  LabState& state = *target.state;
  const Lab& lab = *target.lab;
  std::vector<std::string> words;
  for (size_t i = 1; i < args.operand_count(); ++i) words.push_back(args.operand(i));
  const auto request = parse_fault(words);
  if (!request) throw UsageError("expected one of:\n" + fault_usage());
  try {
    switch (request->action) {
      case FaultAction::kList:
        for (const std::string& fault : state.faults()) std::cout << fault << " down\n";
        return kExitOk;
      case FaultAction::kClear: {
        // Gateways first: a tunnel of a stopped gateway comes back with it.
        std::vector<std::string> faults = state.faults();
        std::stable_partition(faults.begin(), faults.end(),
                              [](const std::string& f) { return f.rfind("gateway ", 0) == 0; });
        for (const std::string& fault : faults) clear_fault(state, lab, fault);
        break;
      }
      case FaultAction::kBgpReset: {
        const std::string& gateway = request->values[0];
        auto took = reset_bgp(state, lab, gateway, std::chrono::seconds(15));
        std::cout << "BGP sessions of " << gateway << " reset and Established again in "
                  << took.count() << " ms\n";
        break;
      }
      default:
        apply_fault(state, lab, *request);
        std::cout << said(*request) << "\n";
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
