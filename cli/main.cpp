// hublab: emulates Azure hub-and-spoke network designs on one Linux host.

#include <csignal>
#include <cstring>
#include <iostream>
#include <sstream>

#include "base/sanitizer_defaults.h"
#include "cli/commands.h"

namespace hublab::cli {

const std::vector<const Command*>& all_commands() {
  static const std::vector<const Command*> commands = {
      &kValidate, &kPredict, &kUp,      &kDown,  &kList, &kStatus, &kCheck, &kPing,
      &kTrace,    &kRoutes,  &kExplain, &kGraph, &kLogs, &kExec,   &kFault, &kDoctor,
  };
  return commands;
}

namespace {

// Generated from the commands' own declarations.
std::string usage_text() {
  std::ostringstream text;
  text << "usage: hublab COMMAND [ARGS]\n\n";
  for (const Command* command : all_commands()) {
    text << "  " << usage_line(command->spec).substr(7) << "\n";
    std::istringstream help(command->spec.help);
    for (std::string line; std::getline(help, line);) text << "      " << line << "\n";
  }
  text << "\nExit codes: 0 success, 1 failure, 2 bad input. Lab files: docs/lab-format.md\n";
  return text.str();
}

const Command* find_command(const std::string& name) {
  for (const Command* command : all_commands())
    if (command->spec.name == name) return command;
  return nullptr;
}

}  // namespace

}  // namespace hublab::cli

int main(int argc, char** argv) {
  using namespace hublab::cli;
  // A closed output pipe (`hublab up | head`) must not kill an up halfway,
  // before it can clean up: writes fail instead.
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    (argc < 2 ? std::cerr : std::cout) << usage_text();
    return argc < 2 ? kExitBadInput : kExitOk;
  }
  const Command* command = find_command(argv[1]);
  if (!command) {
    std::cerr << "hublab: unknown command '" << argv[1] << "'\n" << usage_text();
    return kExitBadInput;
  }
  // The one error path: every command's refusals and failures end here.
  const std::string prefix = std::string("hublab ") + argv[1] + ": ";
  try {
    Invocation args = parse_invocation(command->spec, {argv + 2, argv + argc});
    return command->run(args);
  } catch (const UsageError& error) {
    std::cerr << prefix << error.what() << "\nusage: " << usage_line(command->spec) << "\n";
    return kExitBadInput;
  } catch (const CliError& error) {
    std::cerr << prefix << error.what() << "\n";
    return error.exit_code;
  } catch (const std::exception& error) {
    std::cerr << prefix << error.what() << "\n";
    return kExitFailure;
  }
}
