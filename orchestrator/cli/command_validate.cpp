#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/counted.h"
#include "orchestrator/cli/lab_input.h"

namespace hublab::cli {

int validate(const Args& args) {
  if (args.size() != 1) {
    std::cerr << "usage: hublab validate FILE\n";
    return kExitBadInput;
  }
  auto lab = read_valid_lab(args[0]);
  if (!lab) return kExitBadInput;
  const Lab& l = lab->lab;
  std::cout << args[0] << ": lab '" << l.name << "' is valid (" << counted(l.vnets.size(), "VNet")
            << ", " << counted(l.vms.size(), "VM") << ", " << counted(l.peerings.size(), "peering")
            << ", " << counted(l.gateways.size(), "gateway") << ", "
            << counted(l.connections.size(), "connection") << ")\n";
  return kExitOk;
}

}  // namespace hublab::cli
