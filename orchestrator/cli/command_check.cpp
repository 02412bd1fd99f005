#include <fstream>
#include <iostream>

#include "orchestrator/check_output.h"
#include "orchestrator/check_runner.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_input.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/lab_state.h"

namespace hublab::cli {

namespace {

struct CheckArgs {
  std::string target;  // NAME or FILE
  bool json = false;
  std::string junit;
  bool up = false, down = false;
  int timeout_ms = 300;
  bool ok = true;
};

CheckArgs parse(const Args& args) {
  CheckArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json")
      out.json = true;
    else if (a == "--junit" && i + 1 < args.size())
      out.junit = args[++i];
    else if (a == "--up")
      out.up = true;
    else if (a == "--down")
      out.down = true;
    else if (a == "--timeout-ms" && i + 1 < args.size())
      out.timeout_ms = std::atoi(args[++i].c_str());
    else if (out.target.empty() && !a.empty() && a[0] != '-')
      out.target = a;
    else
      out.ok = false;
  }
  out.ok = out.ok && !out.target.empty() && out.timeout_ms > 0;
  return out;
}

}  // namespace

int check(const Args& args) {
  CheckArgs options = parse(args);
  if (!options.ok) {
    std::cerr << "usage: hublab check NAME|FILE [--json] [--junit FILE] [--up] [--down] "
                 "[--timeout-ms N]\n";
    return kExitBadInput;
  }
  bool is_file = looks_like_lab_file(options.target);
  if ((options.up || options.down) && !is_file) {
    std::cerr << "hublab check: --up and --down need the lab FILE\n";
    return kExitBadInput;
  }
  std::string name = options.target;
  if (is_file) {
    auto declared = lab_name_of_file(options.target);
    if (!declared) return kExitBadInput;
    name = *declared;
  }
  if (!require_network_admin("check")) return kExitFailure;

  bool brought_up = false;
  if (!LabState::peek(name)) {
    if (!options.up) {
      std::cerr << "hublab check: lab '" << name << "' is not up (hublab up " << options.target
                << ", or check --up)\n";
      return kExitBadInput;
    }
    // Progress goes to stderr, so that --json stays clean on stdout.
    std::streambuf* saved = std::cout.rdbuf(std::cerr.rdbuf());
    int result = up({options.target});
    std::cout.rdbuf(saved);
    if (result != kExitOk) return result;
    brought_up = true;
  }

  int exit_code = kExitOk;
  try {
    auto state = LabState::peek(name);
    if (!state || !state->ready()) {
      std::cerr << "hublab check: lab '" << name << "' is not fully up\n";
      exit_code = kExitBadInput;
    } else {
      Lab lab = running_lab(*state);
      CheckReport report =
          run_check(lab, CheckOptions{std::chrono::milliseconds(options.timeout_ms)});
      if (options.json)
        std::cout << check_json(report);
      else
        std::cout << check_table(report) << "\n" << check_matrix(report, lab);
      if (!options.junit.empty()) {
        std::ofstream junit(options.junit);
        junit << check_junit(report);
        if (!junit) {
          std::cerr << "hublab check: cannot write " << options.junit << "\n";
          exit_code = kExitFailure;
        }
      }
      state->save_last_check(check_json(report));
      if (report.failed() > 0) exit_code = kExitFailure;
    }
  } catch (const std::exception& error) {
    std::cerr << "hublab check: " << error.what() << "\n";
    exit_code = kExitFailure;
  }
  // Only what this check brought up: a lab the user had up stays up.
  if (options.down && brought_up) {
    std::streambuf* saved = std::cout.rdbuf(std::cerr.rdbuf());
    int removed = down({name});
    std::cout.rdbuf(saved);
    if (removed != kExitOk && exit_code == kExitOk) exit_code = kExitFailure;
  }
  return exit_code;
}

}  // namespace hublab::cli
