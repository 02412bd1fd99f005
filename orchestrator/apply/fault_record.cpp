#include "orchestrator/apply/fault_record.h"

namespace hublab {

std::vector<Fault> record_fault(LabState& state, const Fault& fault, bool set) {
  std::vector<Fault> faults = state.faults();
  std::erase(faults, fault);
  if (set) faults.push_back(fault);
  state.save_faults(faults);
  return faults;
}

}  // namespace hublab
