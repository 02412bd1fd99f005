#pragma once

// A lab's plan as text (JSON), kept with the running lab by `up`
// (state/lab_state.h, file "plan") and read back by observe and faults, so
// that they act on what was made, not on a new planning of the lab file.
// Pre-shared keys stay out of it: the lab state keeps them apart (0600), and
// reading fills them back in.

#include <stdexcept>
#include <string>

#include "orchestrator/lab/shared_key.h"
#include "orchestrator/plan/lab_plan.h"

namespace hublab {

// The record is unreadable (another hublab's format, or damaged).
class PlanRecordError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string plan_record(const LabPlan& plan);
// The tunnels' keys left empty: for readers that use none.
LabPlan read_plan_record(const std::string& text);
// Each tunnel's keys filled in from `keys`, as the lab state keeps them.
LabPlan read_plan_record(const std::string& text, const SharedKeys& keys);

}  // namespace hublab
