#include "orchestrator/cli/commands.h"

namespace hublab::cli {

const std::vector<const Command*>& all_commands() {
  static const std::vector<const Command*> commands = {
      &kValidate, &kImport, &kPredict, &kUp,     &kDown,    &kList,       &kStatus,
      &kCheck,    &kPing,   &kTrace,   &kRoutes, &kExplain, &kRules,      &kVerify,
      &kGraph,    &kLogs,   &kExec,    &kFault,  &kDoctor,  &kCompletion,
  };
  return commands;
}

}  // namespace hublab::cli
