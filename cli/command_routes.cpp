#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apply/lab_state.h"
#include "cli/commands.h"
#include "cli/lab_target.h"
#include "cli/privileges.h"
#include "observe/effective_routes.h"

namespace hublab::cli {

// `hublab routes NAME VM [--json]`: the effective routes of the VM's NIC, in
// the shape of Azure's table.
namespace {

int run_routes(const Invocation& args) {
  require_network_admin();
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kReady);
  const Lab& lab = *target.lab;
  const Vm* vm = lab.find_vm(args.operand(1));
  if (!vm)
    throw CliError(kExitBadInput, "lab '" + lab.name + "' has no VM '" + args.operand(1) + "'");
  const bool json = args.flag("--json");
  std::vector<EffectiveRoute> rows = read_effective_routes(*target.state, lab, *vm);
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const EffectiveRoute& r : rows)
      out.push_back({{"source", r.source},
                     {"state", r.state},
                     {"address_prefix", r.prefix.str()},
                     {"next_hop_type", r.next_hop_type},
                     {"next_hop_ip",
                      r.next_hop_ip.empty() ? nlohmann::json() : nlohmann::json(r.next_hop_ip)},
                     {"user_defined_route_name",
                      r.udr_name.empty() ? nlohmann::json() : nlohmann::json(r.udr_name)}});
    std::cout << nlohmann::json({{"lab", lab.name}, {"vm", vm->name}, {"routes", out}}).dump(2)
              << "\n";
    return kExitOk;
  }
  std::printf("Effective routes of %s (eth0 %s, subnet %s/%s)\n\n", vm->name.c_str(),
              lab.vm_address(*vm).str().c_str(), vm->vnet.c_str(), vm->subnet.c_str());
  std::printf("%-24s %-8s %-18s %-24s %-20s %s\n", "Source", "State", "Address Prefixes",
              "Next Hop Type", "Next Hop IP Address", "User Defined Route Name");
  for (const EffectiveRoute& r : rows)
    std::printf("%-24s %-8s %-18s %-24s %-20s %s\n", r.source.c_str(), r.state.c_str(),
                r.prefix.str().c_str(), r.next_hop_type.c_str(),
                r.next_hop_ip.empty() ? "-" : r.next_hop_ip.c_str(),
                r.udr_name.empty() ? "-" : r.udr_name.c_str());
  return kExitOk;
}

}  // namespace

const Command kRoutes{.spec = {.name = "routes",
                               .operands = {"NAME", "VM"},
                               .options = {{.name = "--json"}},
                               .help = "effective routes of a VM's NIC, as Azure shows them"},
                      .run = run_routes};

}  // namespace hublab::cli
