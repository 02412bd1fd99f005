#include "orchestrator/cli/privileges.h"

#include <iostream>

#include "orchestrator/apply/preflight.h"
#include "orchestrator/cli/args.h"

namespace hublab::cli {

namespace {

void print_missing(const char* command, const HostCheck& check) {
  std::cerr << "hublab " << command << ": " << check.name << ": " << check.detail
            << "; fix: " << check.fix << "\n";
}

}  // namespace

void require_network_admin() {
  HostCheck check = check_privileges();
  if (!check.ok)
    throw CliError(kExitFailure, check.name + ": " + check.detail + "; fix: " + check.fix);
}

bool require_host_ready(const char* command, const Lab& lab) {
  HostNeeds needs{.try_kernel = false};
  needs.vpn = !lab.gateways.empty();
  needs.bgp = false;
  for (const Connection& connection : lab.connections) needs.bgp |= connection.enable_bgp;
  needs.bgp |= !lab.route_servers.empty();
  needs.frr = false;
  for (const Vm& vm : lab.vms) needs.frr |= vm.bgp.has_value();
  needs.bridge_netfilter = !lab.nsgs.empty();
  HostReport report = check_host(needs);
  for (const HostCheck& check : report.checks)
    if (!check.ok) print_missing(command, check);
  return report.ok();
}

}  // namespace hublab::cli
