#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_input.h"

namespace hublab::cli {

namespace {

std::string count(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace

int validate(const Args& args) {
  if (args.size() != 1) {
    std::cerr << "usage: hublab validate FILE\n";
    return kExitBadInput;
  }
  auto lab = read_valid_lab(args[0]);
  if (!lab) return kExitBadInput;
  const Lab& l = lab->lab;
  std::cout << args[0] << ": lab '" << l.name << "' is valid (" << count(l.vnets.size(), "VNet")
            << ", " << count(l.vms.size(), "VM") << ", " << count(l.peerings.size(), "peering")
            << ", " << count(l.gateways.size(), "gateway") << ", "
            << count(l.connections.size(), "connection") << ")\n";
  return kExitOk;
}

}  // namespace hublab::cli
