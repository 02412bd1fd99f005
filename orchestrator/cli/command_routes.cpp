#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_input.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/effective_routes.h"
#include "orchestrator/lab_state.h"

namespace hublab::cli {

// `hublab routes NAME VM [--json]`: the effective routes of the VM's NIC, in
// the shape of Azure's table.
int routes(const Args& args) {
  std::vector<std::string> positional;
  bool json = false;
  for (const std::string& a : args) {
    if (a == "--json")
      json = true;
    else if (!a.empty() && a[0] != '-')
      positional.push_back(a);
    else
      positional.resize(3);
  }
  if (positional.size() != 2) {
    std::cerr << "usage: hublab routes NAME VM [--json]\n";
    return kExitBadInput;
  }
  if (!require_network_admin("routes")) return kExitFailure;
  auto state = LabState::peek(positional[0]);
  if (!state || !state->ready()) {
    std::cerr << "hublab routes: lab '" << positional[0] << "' is not up\n";
    return kExitBadInput;
  }
  Lab lab = running_lab(*state);
  const Vm* vm = lab.find_vm(positional[1]);
  if (!vm) {
    std::cerr << "hublab routes: lab '" << lab.name << "' has no VM '" << positional[1] << "'\n";
    return kExitBadInput;
  }
  std::vector<EffectiveRoute> rows = read_effective_routes(*state, lab, *vm);
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

}  // namespace hublab::cli
