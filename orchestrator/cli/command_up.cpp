#include <signal.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>

#include "drivers/netlink/network_namespace.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/counted.h"
#include "orchestrator/cli/lab_input.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/cli/progress.h"
#include "orchestrator/fabric_builder.h"
#include "orchestrator/fabric_plan.h"
#include "orchestrator/lab_state.h"
#include "orchestrator/route_distribution.h"
#include "orchestrator/vpn_gateways.h"

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

struct UpOptions {
  std::string file;
  std::string name;
  std::optional<bool> hops_visible;
  bool quiet = false;
  bool ok = false;
};

UpOptions parse(const Args& args) {
  UpOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--name" && i + 1 < args.size())
      options.name = args[++i];
    else if (args[i].rfind("--name=", 0) == 0)
      options.name = args[i].substr(7);
    else if (args[i] == "--quiet" || args[i] == "-q")
      options.quiet = true;
    else if (args[i] == "--hops" && i + 1 < args.size() &&
             (args[i + 1] == "visible" || args[i + 1] == "hidden"))
      options.hops_visible = args[++i] == "visible";
    else if (options.file.empty() && args[i][0] != '-')
      options.file = args[i];
    else
      return options;
  }
  options.ok = !options.file.empty();
  return options;
}

}  // namespace

int up(const Args& args) {
  UpOptions options = parse(args);
  if (!options.ok) {
    std::cerr << "usage: hublab up FILE [--name NAME] [--hops hidden|visible] [--quiet]\n";
    return kExitBadInput;
  }
  auto input = read_valid_lab(options.file, options.name);
  if (!input) return kExitBadInput;
  if (!require_host_ready("up", input->lab)) return kExitFailure;
  if (options.hops_visible) input->lab.hops_visible = *options.hops_visible;
  const Lab& lab = input->lab;
  FabricPlan plan = plan_fabric(lab);
  std::vector<BirdNode> bgp = plan_bgp(lab);
  std::vector<TunnelSpec> tunnels;
  try {
    tunnels = plan_tunnels(lab);
  } catch (const std::exception& error) {
    std::cerr << options.file << ": " << error.what() << "\n";
    return kExitBadInput;
  }

  // Checked before anything is made, so that a clash changes nothing.
  for (const NamespaceSpec& spec : plan.namespaces) {
    if (NetworkNamespace::exists(spec.name) && !LabState::peek(lab.name)) {
      std::cerr << "hublab up: network namespace '" << spec.name
                << "' already exists and is not hublab's; remove or rename it first\n";
      return kExitFailure;
    }
  }
  std::optional<LabState> state;
  try {
    state.emplace(LabState::create(lab.name));
  } catch (const std::exception& error) {
    std::cerr << "hublab up: " << error.what() << "\n";
    return kExitFailure;
  }
  StopSignalsCaught signals;
  auto interrupted = [] { return stop_signal != 0; };
  Progress progress("up", lab.name, options.quiet);
  try {
    state->save_lab(options.file, input->text);
    state->save_hops_visible(lab.hops_visible);
    progress.begin("fabric");
    FabricBuilder(*state, interrupted).build(plan);
    progress.end();
    // Every daemon starts at once: BIRD waits about a second before it
    // opens a BGP session, time in which charon starts and IKE completes.
    VpnGateways gateways(*state, lab, interrupted);
    RouteDistribution routes(*state, bgp, interrupted);
    if (!lab.gateways.empty()) {
      progress.begin("gateways");
      routes.start();
      gateways.launch();
      gateways.connect();
      progress.end();
      progress.begin("tunnels");
      gateways.establish(tunnels);
      progress.end();
    }
    if (!bgp.empty()) {
      progress.begin("convergence");
      routes.wait_converged(std::chrono::seconds(15));
      progress.end();
    }
    state->mark_ready();
  } catch (const std::exception& error) {
    if (!options.quiet) std::cout << std::endl;
    std::cerr << "hublab up: " << lab.name << ": " << error.what() << "\n";
    try {
      tear_down(*state);
      std::cerr << "hublab up: removed everything of lab '" << lab.name << "' that was made\n";
    } catch (const std::exception& cleanup_error) {
      std::cerr << "hublab up: cleaning up failed too (" << cleanup_error.what()
                << "); run: hublab down " << lab.name << "\n";
    }
    return stop_signal ? 128 + stop_signal.load() : kExitFailure;
  }
  if (!options.quiet)
    std::cout << "lab '" << lab.name << "' is up in " << progress.total_ms() << " ms ("
              << progress.summary() << "): " << counted(lab.vnets.size(), "VNet") << ", "
              << counted(lab.vms.size(), "VM") << ", " << counted(lab.peerings.size(), "peering")
              << ", " << counted(lab.gateways.size(), "gateway") << ", "
              << counted(tunnels.size(), "tunnel") << "\n";
  return kExitOk;
}

}  // namespace hublab::cli
