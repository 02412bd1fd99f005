#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "drivers/probe/probe.h"
#include "orchestrator/lab/expectations.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/model/azure_model.h"
#include "orchestrator/plan/lab_plan.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

struct CheckOutcome {
  Expectation expected;
  bool reachable = false;
  std::optional<int> hops;  // when reached
  std::optional<double> rtt_ms;
  std::vector<probe::Hop> path;
  bool passed = false;
  std::string seen;      // "reachable, 1 hop" / "unreachable"
  std::string why;       // empty when passed
  bool retried = false;  // disagreed at first and was probed again, more slowly
  // For a stated expectation between two VMs: what the Azure model predicts,
  // and why when it disagrees (reported; the stated expectation decides).
  std::optional<bool> model_reachable;
  std::string model_note;
};

// A VM's live effective routes against the model's.
struct RouteCheck {
  std::string vm;
  bool agrees = false;
  std::string difference;  // both sides of the first row that differs
};

struct CheckReport {
  std::string lab;
  bool hops_checked = true;  // false when the lab runs with visible hops
  std::vector<CheckOutcome> outcomes;
  std::vector<RouteCheck> routes;  // filled by compare_routes()
  // Daemons not running that no fault stopped ("bird of hub00"): a lab
  // broken from outside fails its check, whatever its probes saw.
  std::vector<std::string> dead_daemons;
  double seconds = 0;

  size_t failed() const;  // expectations that did not hold
  size_t routes_differing() const;
  // Every expectation held, every VM's routes agree, and there was
  // something to check (a pair or a VM's routes): zero checks is no pass.
  bool passed() const;
};

struct CheckOptions {
  std::chrono::milliseconds timeout{300};  // per probe: what an unreachable pair costs
  // The faults set on the lab (`hublab fault`): `model` is of the lab under
  // them, and where it disagrees with the lab file it decides.
  std::vector<Fault> faults;
};

// What a check probes: the lab's stated expectations, and for every ordered
// VM pair they do not name, the Azure model's prediction (reachable in one
// hop, or not). A lab without [expect] is checked against the model alone.
std::vector<Expectation> checked_expectations(const Lab& lab, const AzureModel& model);

// Probes every expectation of a running lab from its VMs' namespaces, all
// pairs at once. `model` is of the lab under `options.faults`
// (lab_under_faults).
CheckReport run_check(const Lab& lab, const AzureModel& model, const CheckOptions& options);

// Each VM's live effective routes against `model`'s (of the lab under the
// faults set), into the report; `plan` is the one `up` kept.
void compare_routes(CheckReport& report, LabState& state, const Lab& lab, const LabPlan& plan,
                    const AzureModel& model);

std::string describe_expected(const Expectation& e, bool hops_checked);

}  // namespace hublab
