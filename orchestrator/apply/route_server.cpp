#include "orchestrator/apply/route_server.h"

#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "drivers/frr/frr_daemon.h"
#include "drivers/netlink/network_namespace.h"

namespace hublab {

using namespace std::chrono_literals;

namespace {

// zebra first, everywhere; bgpd and staticd once its API socket is there:
// a staticd that finds no zebra retries only ten seconds later, and bgpd
// advertises a `network` only once staticd's route is in zebra's RIB.
void start(LabState& state, const std::vector<NvaSpec>& nvas, bool fresh) {
  std::vector<NetworkNamespace> namespaces;
  std::vector<frr::FrrFiles> dirs;
  std::vector<DaemonSpec> zebras, others;
  std::vector<std::string> other_kinds, other_nodes;
  for (const NvaSpec& nva : nvas) {
    namespaces.push_back(NetworkNamespace::open(nva.netns));
    frr::FrrFiles files{fresh ? state.make_daemon_dir("frr", nva.vm)
                              : state.daemon_dir("frr", nva.vm)};
    std::vector<DaemonSpec> mine = fresh
                                       ? frr::frr_daemons(files, nva.config, namespaces.back().fd())
                                       : frr::frr_daemons(files, namespaces.back().fd());
    ::unlink(files.zserv_socket().c_str());  // a stopped zebra's
    dirs.push_back(files);
    zebras.push_back(std::move(mine[0]));
    for (size_t i = 1; i < mine.size(); ++i) {
      others.push_back(std::move(mine[i]));
      other_kinds.push_back(frr_daemon_kind(frr::daemon_names()[i]));
      other_nodes.push_back(nva.vm);
    }
  }
  start_daemons(zebras, [&](size_t i, const DaemonId& id) {
    state.record_daemon({frr_daemon_kind("zebra"), nvas[i].vm, id});
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  for (const frr::FrrFiles& files : dirs)
    while (::access(files.zserv_socket().c_str(), F_OK) != 0) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("FRR's zebra made no " + files.zserv_socket() +
                                 " within 5 s (see " + files.log("zebra") + ")");
      std::this_thread::sleep_for(5ms);
    }
  start_daemons(others, [&](size_t i, const DaemonId& id) {
    state.record_daemon({other_kinds[i], other_nodes[i], id});
  });
}

}  // namespace

std::string frr_daemon_kind(const std::string& daemon) {
  return frr::daemon_kind(daemon);
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
