#include <signal.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>

#include "orchestrator/apply/lab_runtime.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/counted.h"
#include "orchestrator/cli/lab_input.h"
#include "orchestrator/cli/lab_up.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/cli/progress.h"

namespace hublab::cli {

namespace {

std::atomic<int> stop_signal{0};

void remember_signal(int signal) {
  stop_signal = signal;
}

// Ctrl-C or a TERM during `up` stops it between two steps, and `up` then
// removes what it made: a half-built lab is never left behind by choice.
class StopSignalsCaught {
 public:
  StopSignalsCaught() {
    struct sigaction action {};
    action.sa_handler = remember_signal;
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &action, &saved_[index(s)]);
  }
  ~StopSignalsCaught() {
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &saved_[index(s)], nullptr);
  }

 private:
  static int index(int s) { return s == SIGINT ? 0 : s == SIGTERM ? 1 : 2; }
  struct sigaction saved_[3];
};

}  // namespace

int up_lab(const UpRequest& options, std::ostream& out) {
  auto input = read_valid_lab(options.file, options.name);
  if (!input) return kExitBadInput;
  if (!require_host_ready("up", input->lab)) return kExitFailure;
  if (options.hops_visible) input->lab.hops_visible = *options.hops_visible;
  const Lab& lab = input->lab;
  StopSignalsCaught signals;
  Progress progress("up", lab.name, options.quiet, out);
  try {
    UpSummary summary =
        bring_up(lab, options.file, input->text, progress, [] { return stop_signal != 0; });
    for (const std::string& note : summary.notes) std::cerr << "hublab up: " << note << "\n";
    if (!options.quiet)
      out << "lab '" << lab.name << "' is up in " << progress.total_ms() << " ms ("
          << progress.summary() << "): " << lab_parts(lab) << ", "
          << counted(summary.tunnels, "tunnel") << "\n";
    return kExitOk;
  } catch (const LabInputError& error) {
    std::cerr << error.what() << "\n";
    return kExitBadInput;
  } catch (const LabRefused& error) {
    std::cerr << "hublab up: " << error.what() << "\n";
    return kExitFailure;
  } catch (const UpFailed& error) {
    if (!options.quiet) out << std::endl;
    std::cerr << "hublab up: " << error.what() << "\n";
    if (error.cleanup_error.empty())
      std::cerr << "hublab up: removed everything of lab '" << lab.name << "' that was made\n";
    else
      std::cerr << "hublab up: cleaning up failed too (" << error.cleanup_error
                << "); run: hublab down " << lab.name << "\n";
    return stop_signal ? 128 + stop_signal.load() : kExitFailure;
  }
}

namespace {

int run_up(const Invocation& args) {
  UpRequest request{.file = args.operand(0), .name = args.value("--name").value_or("")};
  if (auto hops = args.value("--hops")) request.hops_visible = *hops == "visible";
  request.quiet = args.flag("--quiet");
  return up_lab(request, std::cout);
}

}  // namespace

const Command kUp{
    .spec = {.name = "up",
             .operands = {"FILE"},
             .options = {{.name = "--name", .value = "NAME"},
                         {.name = "--hops", .choices = {"hidden", "visible"}},
                         {.name = "--quiet", .alias = "-q"}},
             .help = "bring a lab up (NAME overrides [lab].name; visible: every emulated\n"
                     "router answers traceroute)"},
    .run = run_up};

}  // namespace hublab::cli
