#include "orchestrator/observe/tunnels.h"

#include <map>

#include "drivers/strongswan/charon.h"
#include "drivers/vici/vici_client.h"
#include "orchestrator/lab/naming.h"

namespace hublab {

using namespace std::chrono_literals;

std::vector<TunnelReport> read_tunnels(LabState& state, const Lab& lab) {
  std::map<std::string, DaemonId> charons = state.daemons_of("charon");
  std::vector<TunnelReport> reports;
  for (const Connection& connection : lab.connections) {
    TunnelReport report;
    report.connection = connection.name;
    for (int side = 0; side < 2; ++side) {
      report.gateways[side] = connection.gateways[side];
      const std::string end = naming::tunnel_end(connection.name, connection.gateways[side]);
      auto charon = charons.find(end);
      report.daemon_alive[side] = charon != charons.end() && daemon_alive(charon->second);
      if (!report.daemon_alive[side]) continue;
      strongswan::CharonFiles files{state.daemon_dir("charon", end)};
      try {
        vici::Client client = vici::Client::connect(files.vici_socket(), 1s);
        vici::Message query;
        query.set("ike", connection.name);
        auto listed = client.stream_request("list-sas", "list-sa", query, 2s);
        report.sides[side] = strongswan::tunnel_status(connection.name, listed.events);
      } catch (const std::exception&) {
        report.daemon_alive[side] = false;
      }
    }
    reports.push_back(report);
  }
  return reports;
}

}  // namespace hublab
