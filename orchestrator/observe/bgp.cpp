#include "orchestrator/observe/bgp.h"

#include <map>
#include <optional>

#include "drivers/bird/bird_client.h"
#include "drivers/bird/bird_daemon.h"

namespace hublab {

using namespace std::chrono_literals;

std::vector<BgpSessionReport> read_bgp_sessions(LabState& state,
                                                const std::vector<BgpRouter>& routers) {
  std::map<std::string, DaemonId> birds = state.daemons_of("bird");
  std::vector<BgpSessionReport> reports;
  for (const BgpRouter& node : routers) {
    auto daemon = birds.find(node.node);
    std::optional<bird::Client> client;
    if (daemon != birds.end() && daemon_alive(daemon->second)) {
      try {
        client.emplace(bird::Client::connect(
            bird::BirdFiles{state.daemon_dir("bird", node.node)}.control_socket(),
            bird::Timeouts{500ms, 2000ms}));
      } catch (const std::exception&) {
      }
    }
    for (const BgpSession& session : node.sessions) {
      BgpSessionReport report{.node = node.node, .session = session.name, .state = "NO-BIRD"};
      if (client) {
        try {
          bird::BgpSession bgp = client->bgp_session(session.name);
          report.neighbor = bgp.neighbor_address;
          report.state = bgp.state;
          report.since = bgp.protocol.since;
          report.last_error = bgp.last_error;
          for (const bird::Channel& channel : bgp.channels) {
            report.imported += channel.imported;
            report.exported += channel.exported;
          }
        } catch (const std::exception& error) {
          report.state = "UNKNOWN";
          report.last_error = error.what();
        }
      }
      reports.push_back(report);
    }
  }
  return reports;
}

}  // namespace hublab
