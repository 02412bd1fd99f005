#include "orchestrator/apply/fault_record.h"

#include <algorithm>

namespace hublab {

bool fault_held(const std::vector<std::string>& faults, const std::string& fault) {
  return std::find(faults.begin(), faults.end(), fault) != faults.end();
}

std::vector<std::string> record_fault(LabState& state, const std::string& fault, bool set) {
  std::vector<std::string> faults = state.faults();
  std::erase(faults, fault);
  if (set) faults.push_back(fault);
  state.save_faults(faults);
  return faults;
}

}  // namespace hublab
