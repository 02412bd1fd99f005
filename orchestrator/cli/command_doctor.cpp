#include <iostream>
#include <nlohmann/json.hpp>

#include "orchestrator/apply/preflight.h"
#include "orchestrator/cli/commands.h"

namespace hublab::cli {

// The checks `up` makes before it touches the host, on demand. Exit 0 when
// a lab with VPN gateways and BGP could come up here, 1 when something is
// missing.
namespace {

int run_doctor(const Invocation& args) {
  const bool json = args.flag("--json");
  HostReport report = check_host(HostNeeds{});
  if (json) {
    nlohmann::json out = {{"ok", report.ok()}, {"in_container", report.in_container}};
    out["checks"] = nlohmann::json::array();
    for (const HostCheck& check : report.checks)
      out["checks"].push_back({{"name", check.name},
                               {"ok", check.ok},
                               {"optional", check.optional},
                               {"detail", check.detail},
                               {"fix", check.fix}});
    std::cout << out.dump(2) << "\n";
  } else {
    for (const HostCheck& check : report.checks) {
      std::cout << (check.ok         ? "ok       "
                    : check.optional ? "absent   "
                                     : "MISSING  ")
                << check.name << ": " << check.detail;
      if (!check.ok) std::cout << "; fix: " << check.fix;
      std::cout << "\n";
    }
    std::cout << (report.ok() ? "this host can run hublab labs"
                              : "this host cannot run hublab labs yet: see the fixes above")
              << (report.in_container ? " (in a container)" : "") << "\n";
  }
  return report.ok() ? kExitOk : kExitFailure;
}

}  // namespace

const Command kDoctor{.spec = {.name = "doctor",
                               .operands = {},
                               .options = {{.name = "--json"}},
                               .help = "what this host lacks to run labs, each with its fix"},
                      .run = run_doctor};

}  // namespace hublab::cli
