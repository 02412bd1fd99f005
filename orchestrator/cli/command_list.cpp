#include <cstdio>
#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/state/lab_state.h"

namespace hublab::cli {

namespace {

std::string age(long seconds) {
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 7200) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds / 3600) + "h";
}

int run_list(const Invocation&) {
  std::vector<std::string> labs = LabState::list();
  if (labs.empty()) {
    std::cout << "no labs are up\n";
    return kExitOk;
  }
  std::printf("%-32s %-12s %6s %6s  %s\n", "LAB", "STATE", "NODES", "UP", "SOURCE");
  for (const std::string& name : labs) {
    auto state = LabState::peek(name);
    if (!state) continue;
    auto uptime = state->ready_age_seconds();
    std::printf("%-32s %-12s %6zu %6s  %s\n", name.c_str(), uptime ? "up" : "incomplete",
                state->namespaces().size(), uptime ? age(*uptime).c_str() : "-",
                state->source_path().c_str());
  }
  return kExitOk;
}

}  // namespace

const Command kList{.spec = {.name = "list", .operands = {}, .help = "the labs that are up"},
                    .run = run_list};

}  // namespace hublab::cli
