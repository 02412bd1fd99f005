#include "orchestrator/apply/teardown.h"

#include "drivers/netlink/network_namespace.h"

namespace hublab {

void stop_lab_daemons(LabState& state) {
  // Daemons first, so that none outlives its namespace: SIGKILL to all at
  // once, then the waits. A graceful stop would have each BIRD withdraw
  // every route it installed and each charon delete its SAs, work the
  // namespaces' removal does anyway: 400 BIRDs took 1.6 s to stop so.
  std::vector<DaemonId> daemons;
  for (const LabState::DaemonRecord& daemon : state.daemons()) daemons.push_back(daemon.id);
  std::vector<DaemonId> survivors = stop_daemons(daemons, std::chrono::milliseconds(0));
  // The journal stays, so that a later down finds them again.
  if (!survivors.empty())
    throw std::runtime_error(std::to_string(survivors.size()) +
                             " daemon(s) survived SIGKILL, e.g. PID " +
                             std::to_string(survivors.front().pid));
}

int remove_lab_namespaces(LabState& state) {
  // Every namespace is tried; the journal goes only when all are gone.
  int removed = 0;
  std::string failures;
  for (const std::string& netns : state.namespaces()) {
    try {
      if (NetworkNamespace::remove(netns)) ++removed;
    } catch (const std::exception& error) {
      failures += (failures.empty() ? "" : "; ") + std::string(error.what());
    }
  }
  if (!failures.empty()) throw std::runtime_error(failures);
  state.remove();
  return removed;
}

int tear_down(LabState& state) {
  stop_lab_daemons(state);
  return remove_lab_namespaces(state);
}

}  // namespace hublab
