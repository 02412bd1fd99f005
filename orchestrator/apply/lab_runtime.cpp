#include "orchestrator/apply/lab_runtime.h"

#include <chrono>

#include "drivers/netlink/network_namespace.h"
#include "orchestrator/apply/bgp.h"
#include "orchestrator/apply/fabric.h"
#include "orchestrator/apply/nsg.h"
#include "orchestrator/apply/route_server.h"
#include "orchestrator/apply/teardown.h"
#include "orchestrator/apply/tunnels.h"
#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/route_server.h"
#include "orchestrator/plan/lab_plan.h"
#include "orchestrator/plan/plan_record.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

using namespace std::chrono_literals;

UpSummary bring_up(const Lab& lab, const std::string& source_path, const std::string& text,
                   Phases& phases, const std::function<bool()>& interrupted) {
  // Keys are had first (files, the environment, random), once: planning
  // reads nothing, and the running lab keeps them for faults.
  SharedKeys keys;
  FrrConfigs frr_configs;
  try {
    keys = resolve_shared_keys(lab);
    redeem_authorizations(lab);
    frr_configs = read_frr_configs(lab);
  } catch (const LabFieldError& error) {
    throw LabInputError(Diagnostic{source_path, error.where, error.what()}.str());
  } catch (const std::exception& error) {
    throw LabInputError(source_path + ": " + error.what());
  }
  const LabPlan plan = plan_lab(lab, keys, frr_configs);

  // Checked before anything is made, so that a clash changes nothing.
  for (const NamespaceSpec& spec : plan.fabric.namespaces)
    if (NetworkNamespace::exists(spec.name) && !LabState::peek(lab.name))
      throw LabRefused("network namespace '" + spec.name +
                       "' already exists and is not hublab's; remove or rename it first");
  std::optional<LabState> state;
  try {
    state.emplace(LabState::create(lab.name));
  } catch (const std::exception& error) {
    throw LabRefused(error.what());
  }

  std::vector<std::string> notes;
  try {
    state->save_lab(source_path, text);
    state->save_keys(keys);
    state->save_plan_record(plan_record(plan));
    state->save_hops_visible(lab.hops_visible);
    phases.begin("fabric");
    notes = FabricBuilder(*state, interrupted).build(plan.fabric);
    // Before any daemon: an NVA's BGP crosses its NSGs, as in Azure.
    apply_nsg_filters(plan.nsg_filters);
    phases.end();
    // Every daemon starts at once: BIRD waits about a second before it
    // opens a BGP session, time in which charon starts and IKE completes.
    VpnGateways gateways(*state, lab, interrupted);
    RouteDistribution routes(*state, plan.bgp, interrupted);
    if (!lab.gateways.empty()) {
      phases.begin("gateways");
      // NVAs first: listening when BIRD first connects, at once.
      start_nvas(*state, plan.nvas);
      routes.start();
      gateways.launch();
      gateways.connect();
      phases.end();
      phases.begin("tunnels");
      gateways.establish(plan.tunnels);
      phases.end();
    } else if (!plan.bgp.empty() || !plan.nvas.empty()) {
      // Route Servers and their NVAs, without a gateway.
      phases.begin("route servers");
      start_nvas(*state, plan.nvas);
      routes.start();
      phases.end();
    }
    if (!plan.bgp.empty()) {
      phases.begin("convergence");
      // BIRDs share two cores: a large lab needs longer (about 20 ms per
      // BGP speaker beyond the first few hundred, measured at 1000 VNets).
      routes.wait_converged(
          std::max<std::chrono::milliseconds>(std::chrono::seconds(15), plan.bgp.size() * 40ms));
      phases.end();
    }
    state->mark_ready();
  } catch (const std::exception& error) {
    std::string cleanup_error;
    try {
      tear_down(*state);
    } catch (const std::exception& cleanup) {
      cleanup_error = cleanup.what();
    }
    throw UpFailed(lab.name + ": " + error.what(), cleanup_error);
  }
  return UpSummary{.tunnels = plan.tunnels.size(), .notes = notes};
}

std::optional<int> bring_down(const std::string& lab_name, Phases& phases) {
  auto state = LabState::open(lab_name, LabState::Access::kChange,
                              [&](const std::string& holder) { phases.waiting(holder); });
  if (!state) return std::nullopt;
  phases.begin("daemons");
  stop_lab_daemons(*state);
  phases.end();
  phases.begin("namespaces");
  int removed = remove_lab_namespaces(*state);
  phases.end();
  return removed;
}

}  // namespace hublab
