#pragma once

// hublab's subcommands. Each declares its arguments (CommandSpec), from
// which main parses them and writes the usage text, and runs on the parsed
// Invocation. A command prints its own output; refusals and failures it
// throws as CliError (exit code and message), which main prints.

#include "orchestrator/cli/args.h"

namespace hublab::cli {

struct Command {
  CommandSpec spec;
  int (*run)(const Invocation&);
};

extern const Command kValidate, kUp, kDown, kList, kStatus, kCheck, kPing, kTrace, kRoutes, kGraph,
    kLogs, kExec, kDoctor, kPredict, kExplain, kFault, kCompletion, kRules, kVerify, kImport;

// Every command, in the order the usage text lists them.
const std::vector<const Command*>& all_commands();

}  // namespace hublab::cli
