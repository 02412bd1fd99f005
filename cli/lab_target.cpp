#include "cli/lab_target.h"

#include "cli/args.h"
#include "cli/lab_input.h"
#include "lab/faults.h"

namespace hublab::cli {

LabTarget resolve_lab(const std::string& name_or_file, LabNeed need) {
  LabTarget target;
  const bool is_file = looks_like_lab_file(name_or_file);
  if (is_file && need == LabNeed::kAny) {
    auto input = read_valid_lab(name_or_file);  // prints every finding
    if (!input) throw CliError(kExitBadInput, name_or_file + " is not a valid lab file");
    target.name = input->lab.name;
    target.lab = std::move(input->lab);
    target.state = LabState::peek(target.name);
    return target;
  }
  if (is_file) {
    auto declared = lab_name_of_file(name_or_file);  // prints why not
    if (!declared) throw CliError(kExitBadInput, name_or_file + " does not read as a lab file");
    target.name = *declared;
  } else {
    target.name = name_or_file;
  }
  if (!LabState::valid_name(target.name))
    throw CliError(kExitBadInput, "'" + name_or_file + "' is neither a lab file nor a lab name");
  if (need == LabNeed::kName) return target;
  target.state = LabState::peek(target.name);
  const bool usable = target.state && (need != LabNeed::kReady || target.state->ready());
  if (!usable) {
    std::string how = is_file ? name_or_file : "FILE";
    throw CliError(kExitBadInput, "lab '" + target.name + "' is not " +
                                      (target.state ? "fully up" : "up") + " (hublab up " + how +
                                      ")");
  }
  target.lab = running_lab(*target.state);
  return target;
}

Lab model_view(const LabTarget& target) {
  if (!target.state) return *target.lab;
  return lab_under_faults(*target.lab, target.state->faults());
}

}  // namespace hublab::cli
