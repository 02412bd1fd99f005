#include "orchestrator/apply/route_server_fault.h"

#include <chrono>
#include <stdexcept>

#include "orchestrator/apply/bgp.h"
#include "orchestrator/apply/fault_record.h"
#include "orchestrator/apply/route_server.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/route_server.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/plan_record.h"

namespace hublab {

using namespace std::chrono_literals;

void set_nva(LabState& state, const Lab& lab, const std::string& vm, bool up) {
  const Vm* nva = lab.find_vm(vm);
  if (!nva || !nva->bgp)
    throw std::invalid_argument("lab '" + lab.name + "' has no NVA (a VM with bgp) named '" + vm +
                                "'");
  record_fault(state, nva_fault(vm), !up);
  if (!up) {
    stop_nva(state, vm);
    return;
  }
  const auto recorded = state.daemons_of(frr_daemon_kind("bgpd"));
  if (auto found = recorded.find(vm); found != recorded.end() && daemon_alive(found->second))
    return;  // running already
  for (const NvaSpec& spec : read_plan_record(state.plan_record(), kBgpPart).nvas)
    if (spec.vm == vm) {
      stop_nva(state, vm);  // what is left of it (zebra without bgpd, say)
      restart_nva(state, spec);
    }
}

void set_route_server_instance(LabState& state, const Lab& lab, const std::string& server,
                               int instance, bool up) {
  const RouteServer* rs = lab.find_route_server(server);
  if (!rs)
    throw std::invalid_argument("lab '" + lab.name + "' has no Route Server '" + server + "'");
  record_fault(state, route_server_instance_fault(server, instance), !up);
  const std::string node = route_server_instance(*rs, instance);
  const auto birds = state.daemons_of("bird");
  auto found = birds.find(node);
  const bool running = found != birds.end() && daemon_alive(found->second);
  if (!up) {
    if (running && !stop_daemons({found->second}, 2000ms).empty())
      throw std::runtime_error("Route Server instance " + node + ": BIRD survived SIGKILL");
    return;
  }
  if (running) return;
  // As `up` planned it: an instance's configuration names every NVA, running
  // or not.
  for (const BgpRouter& router : read_plan_record(state.plan_record(), kBgpPart).bgp)
    if (router.node == node) RouteDistribution(state, {router}, nullptr).start();
}

}  // namespace hublab
