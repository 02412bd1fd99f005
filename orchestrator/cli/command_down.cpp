#include <chrono>
#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_input.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/fabric_builder.h"
#include "orchestrator/lab_state.h"

namespace hublab::cli {

int down(const Args& args) {
  if (args.size() != 1) {
    std::cerr << "usage: hublab down NAME|FILE\n";
    return kExitBadInput;
  }
  std::string name = args[0];
  if (looks_like_lab_file(name)) {
    auto declared = lab_name_of_file(name);
    if (!declared) return kExitBadInput;
    name = *declared;
  }
  if (!require_network_admin("down")) return kExitFailure;
  auto started = std::chrono::steady_clock::now();
  try {
    auto state = LabState::open(name);
    if (!state) {
      // Idempotent, like removing an absent file with rm -f: scripts can
      // always call down.
      std::cout << "lab '" << name << "' is not up: nothing to do\n";
      return kExitOk;
    }
    int removed = tear_down(*state);
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    std::cout << "lab '" << name << "' is down: removed " << removed << " namespaces in "
              << elapsed.count() << " ms\n";
  } catch (const std::exception& error) {
    std::cerr << "hublab down: " << name << ": " << error.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace hublab::cli
