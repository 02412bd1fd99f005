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

// The parts of a plan a reader needs: the others stay empty, and reading
// skips them (effective routes need only the static gateway routes, and a
// 1000-VNet lab's BGP part is 20 MB).
enum PlanParts : unsigned {
  kFabricPart = 1,
  kBgpPart = 2,
  kTunnelsPart = 4,
  kStaticGatewayRoutesPart = 8,
  kNsgFiltersPart = 16,
  kAllParts = 31,
};

// The tunnels' keys left empty: for readers that use none.
LabPlan read_plan_record(const std::string& text, unsigned parts = kAllParts);
// Each tunnel's keys filled in from `keys`, as the lab state keeps them.
LabPlan read_plan_record(const std::string& text, const SharedKeys& keys,
                         unsigned parts = kAllParts);

}  // namespace hublab
