#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_input.h"

namespace hublab::cli {

int validate(const Args& args) {
  if (args.size() != 1) {
    std::cerr << "usage: hublab validate FILE\n";
    return kExitBadInput;
  }
  auto lab = read_valid_lab(args[0]);
  if (!lab) return kExitBadInput;
  std::cout << args[0] << ": lab '" << lab->lab.name << "' is valid (" << lab->lab.vnets.size()
            << " VNets, " << lab->lab.vms.size() << " VMs, " << lab->lab.peerings.size()
            << " peerings, " << lab->lab.gateways.size() << " gateways, "
            << lab->lab.connections.size() << " connections)\n";
  return kExitOk;
}

}  // namespace hublab::cli
