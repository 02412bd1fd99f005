// hublab: emulates Azure hub-and-spoke network designs on one Linux host.

#include <csignal>
#include <cstring>
#include <iostream>
#include <sstream>

#include "base/sanitizer_defaults.h"
#include "orchestrator/cli/commands.h"

namespace hublab::cli {

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
  text
      << "  help [COMMAND]\n      this text, or one command's usage (also: hublab COMMAND --help)\n"
         "  --version\n      hublab's version\n";
  text << "\nExit codes: 0 success, 1 failure, 2 bad input. Lab files: docs/lab-format.md\n";
  return text.str();
}

const Command* find_command(const std::string& name) {
  for (const Command* command : all_commands())
    if (command->spec.name == name) return command;
  return nullptr;
}

// `hublab CMD ... --help` (or -h) anywhere before a `--` that ends them.
bool asks_for_help(const CommandSpec& spec, const std::vector<std::string>& args) {
  for (const std::string& word : args) {
    if (word == "--" && spec.takes_command) return false;
    if (word == "--help" || word == "-h") return true;
  }
  return false;
}

}  // namespace

}  // namespace hublab::cli

int main(int argc, char** argv) {
  using namespace hublab::cli;
  // A closed output pipe (`hublab up | head`) must not kill an up halfway,
  // before it can clean up: writes fail instead.
  signal(SIGPIPE, SIG_IGN);
  if (argc >= 2 && !std::strcmp(argv[1], "--version")) {
    std::cout << "hublab " << HUBLAB_VERSION << "\n";
    return kExitOk;
  }
  const bool help = argc >= 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
                                  !std::strcmp(argv[1], "help"));
  if (argc < 2 || (help && argc == 2)) {
    (argc < 2 ? std::cerr : std::cout) << usage_text();
    return argc < 2 ? kExitBadInput : kExitOk;
  }
  const char* name = help ? argv[2] : argv[1];
  if (help && argc == 3 && !std::strcmp(name, "help")) {
    std::cout << usage_text();
    return kExitOk;
  }
  const Command* command = find_command(name);
  if (!command) {
    std::cerr << "hublab: unknown command '" << name << "'; 'hublab help' lists them\n";
    return kExitBadInput;
  }
  const std::vector<std::string> arguments(argv + 2, argv + argc);
  if (help || asks_for_help(command->spec, arguments)) {
    if (help && argc > 3) {
      std::cerr << "hublab help: one command at most\n";
      return kExitBadInput;
    }
    std::cout << command_usage(command->spec);
    return kExitOk;
  }
  // The one error path: every command's refusals and failures end here.
  const std::string prefix = std::string("hublab ") + argv[1] + ": ";
  try {
    Invocation args = parse_invocation(command->spec, arguments);
    return command->run(args);
  } catch (const UsageError& error) {
    // One line, as every refusal: where the usage is, not the usage itself.
    std::cerr << prefix << error.what() << "; see 'hublab " << command->spec.name << " --help'\n";
    return kExitBadInput;
  } catch (const CliError& error) {
    std::cerr << prefix << error.what() << "\n";
    return error.exit_code;
  } catch (const std::exception& error) {
    std::cerr << prefix << error.what() << "\n";
    return kExitFailure;
  }
}
