#include "orchestrator/cli/lab_target.h"

#include <sys/stat.h>

#include <iostream>

#include "orchestrator/cli/args.h"
#include "orchestrator/cli/lab_input.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/lab_loader.h"

namespace hublab::cli {

namespace {

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// The lab has state as `need` asks, or the CliError that says what to do.
void require_state(const LabTarget& target, LabNeed need) {
  const bool usable = target.state && (need != LabNeed::kReady || target.state->ready());
  if (usable) return;
  throw CliError(kExitBadInput, "lab '" + target.name + "' is not " +
                                    (target.state ? "fully up" : "up") + " (hublab up " +
                                    target.how + ")");
}

}  // namespace

LabTarget resolve_lab(const std::string& name_or_file, LabNeed need) {
  LabTarget target;
  const bool is_file = looks_like_lab_file(name_or_file);
  if (is_file && need == LabNeed::kAny) {
    // A file is read alone, even when a lab of its name is up: what the
    // file says is then the same on every machine, and a running lab (a
    // user's, perhaps of another version of the file) is asked for by name.
    auto input = read_valid_lab(name_or_file);  // prints every finding
    if (!input) throw CliError(kExitBadInput, name_or_file + " is not a valid lab file");
    target.name = input->lab.name;
    target.lab = std::move(input->lab);
    return target;
  }
  if (!is_file && !LabState::valid_name(name_or_file) && exists(name_or_file)) {
    // A path that is there but no regular file (`hublab graph labs/`).
    auto read = read_lab_file(name_or_file);
    if (auto* refused = std::get_if<Diagnostic>(&read))
      throw CliError(kExitBadInput, refused->str());
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
  target.how = is_file ? name_or_file : "FILE";
  require_state(target, need);
  target.lab = running_lab(*target.state);
  return target;
}

std::string waiting_line(const std::string& command, const std::string& lab,
                         const std::string& holder) {
  return "hublab " + command + ": waiting for lab '" + lab + "': " + holder + " holds it";
}

LabTarget hold_lab(const std::string& command, const LabTarget& target, LabState::Access access,
                   LabNeed need) {
  LabTarget held;
  held.name = target.name;
  held.how = target.how;
  held.state = LabState::open(target.name, access, [&](const std::string& holder) {
    std::cerr << waiting_line(command, target.name, holder) << std::endl;
  });
  require_state(held, need);
  held.lab = running_lab(*held.state);
  return held;
}

Lab model_view(const LabTarget& target) {
  if (!target.state) return *target.lab;
  return lab_under_faults(*target.lab, target.state->faults());
}

}  // namespace hublab::cli
