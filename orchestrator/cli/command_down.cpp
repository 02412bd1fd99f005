#include <chrono>
#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_input.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/cli/progress.h"
#include "orchestrator/fabric_builder.h"
#include "orchestrator/lab_state.h"

namespace hublab::cli {

int down(const Args& args) {
  std::string name;
  bool quiet = false, bad = false;
  for (const std::string& a : args) {
    if (a == "--quiet" || a == "-q")
      quiet = true;
    else if (name.empty() && !a.empty() && a[0] != '-')
      name = a;
    else
      bad = true;
  }
  if (name.empty() || bad) {
    std::cerr << "usage: hublab down NAME|FILE [--quiet]\n";
    return kExitBadInput;
  }
  if (looks_like_lab_file(name)) {
    auto declared = lab_name_of_file(name);
    if (!declared) return kExitBadInput;
    name = *declared;
  }
  if (!LabState::valid_name(name)) {
    std::cerr << "hublab down: '" << name << "' is neither a lab file nor a lab name\n";
    return kExitBadInput;
  }
  if (!require_network_admin("down")) return kExitFailure;
  try {
    auto state = LabState::open(name);
    if (!state) {
      // Idempotent, like removing an absent file with rm -f: scripts can
      // always call down.
      if (!quiet) std::cout << "lab '" << name << "' is not up: nothing to do\n";
      return kExitOk;
    }
    Progress progress("down", name, quiet);
    progress.begin("daemons");
    stop_lab_daemons(*state);
    progress.end();
    progress.begin("namespaces");
    int removed = remove_lab_namespaces(*state);
    progress.end();
    if (!quiet)
      std::cout << "lab '" << name << "' is down in " << progress.total_ms() << " ms ("
                << progress.summary() << "): removed " << removed << " namespaces\n";
  } catch (const std::exception& error) {
    std::cerr << "hublab down: " << name << ": " << error.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace hublab::cli
