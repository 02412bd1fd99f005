#include "orchestrator/apply/route_server.h"

#include <chrono>
#include <stdexcept>

#include "drivers/frr/frr_daemon.h"
#include "drivers/netlink/network_namespace.h"

namespace hublab {

using namespace std::chrono_literals;

namespace {

void start(LabState& state, const std::vector<NvaSpec>& nvas, bool fresh) {
  std::vector<NetworkNamespace> namespaces;
  std::vector<DaemonSpec> specs;
  std::vector<std::string> kinds, nodes;
  for (const NvaSpec& nva : nvas) {
    namespaces.push_back(NetworkNamespace::open(nva.netns));
    frr::FrrFiles files{fresh ? state.make_daemon_dir("frr", nva.vm)
                              : state.daemon_dir("frr", nva.vm)};
    std::vector<DaemonSpec> mine = fresh
                                       ? frr::frr_daemons(files, nva.config, namespaces.back().fd())
                                       : frr::frr_daemons(files, namespaces.back().fd());
    for (size_t i = 0; i < mine.size(); ++i) {
      specs.push_back(std::move(mine[i]));
      kinds.push_back(frr_daemon_kind(frr::daemon_names()[i]));
      nodes.push_back(nva.vm);
    }
  }
  start_daemons(specs, [&](size_t i, const DaemonId& id) {
    state.record_daemon({kinds[i], nodes[i], id});
  });
}

}  // namespace

std::string frr_daemon_kind(const std::string& daemon) {
  return "frr-" + daemon;
}

void start_nvas(LabState& state, const std::vector<NvaSpec>& nvas) {
  if (!nvas.empty()) start(state, nvas, true);
}

void restart_nva(LabState& state, const NvaSpec& nva) {
  start(state, {nva}, false);
}

bool stop_nva(LabState& state, const std::string& vm) {
  bool running = false;
  // bgpd first: its Cease reaches the Route Server before zebra takes the
  // routes out of the VM's kernel.
  for (const char* daemon : {"bgpd", "staticd", "zebra"}) {
    const auto recorded = state.daemons_of(frr_daemon_kind(daemon));
    auto found = recorded.find(vm);
    if (found == recorded.end() || !daemon_alive(found->second)) continue;
    running = true;
    if (!stop_daemons({found->second}, 2000ms).empty())
      throw std::runtime_error("NVA " + vm + ": FRR's " + daemon + " survived SIGKILL");
  }
  return running;
}

}  // namespace hublab
