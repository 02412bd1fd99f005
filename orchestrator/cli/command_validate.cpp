#include <algorithm>
#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/counted.h"
#include "orchestrator/cli/lab_input.h"

namespace hublab::cli {

namespace {

int run_validate(const Invocation& args) {
  const std::string& file = args.operand(0);
  auto lab = read_valid_lab(file);  // prints every finding as file:line:col
  if (!lab) return kExitBadInput;
  const Lab& l = lab->lab;
  std::cout << file << ": lab '" << l.name << "' is valid (" << lab_parts(l) << ", "
            << counted(static_cast<size_t>(
                           std::count_if(l.connections.begin(), l.connections.end(),
                                         [](const Connection& c) { return c.tunnel_of.empty(); })) +
                           l.circuit_connections.size(),
                       "connection")
            << ")\n";
  return kExitOk;
}

}  // namespace

const Command kValidate{.spec = {.name = "validate",
                                 .operands = {"FILE"},
                                 .help = "check a lab file; every error as file:line:col"},
                        .run = run_validate};

}  // namespace hublab::cli
