#include "orchestrator/apply/tunnels_fault.h"

#include <algorithm>
#include <stdexcept>

#include "drivers/strongswan/charon.h"
#include "drivers/strongswan/site_to_site.h"
#include "orchestrator/apply/fault_record.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/naming.h"

namespace hublab {

using namespace std::chrono_literals;

namespace {

const Connection& connection_of(const Lab& lab, const std::string& name) {
  auto found = std::find_if(lab.connections.begin(), lab.connections.end(),
                            [&](const Connection& c) { return c.name == name; });
  if (found == lab.connections.end())
    throw std::invalid_argument("lab '" + lab.name + "' has no connection '" + name + "'");
  return *found;
}

}  // namespace

vici::Client charon_of(LabState& state, const std::string& end) {
  strongswan::CharonFiles files{state.daemon_dir("charon", end)};
  return vici::Client::connect(files.vici_socket(), 2s);
}

void end_tunnel(vici::Client& charon, const std::string& connection) {
  vici::Message request;
  request.set("ike", connection);
  request.set("timeout", "3000");
  auto result = charon.stream_request("terminate", "control-log", request, 5s);
  const std::string error = result.response.value_or("errmsg", "");
  if (result.response.value_or("success", "") != "yes" &&
      error.find("no matching") == std::string::npos)
    throw std::runtime_error("connection " + connection + " could not be taken down: " + error);
}

void set_tunnel(LabState& state, const Lab& lab, const std::string& connection, bool up) {
  const Connection& c = connection_of(lab, connection);
  // Up again only what a fault holds down: initiating a live tunnel again
  // would make charon a second CHILD_SA.
  if (up && !fault_held(state.faults(), tunnel_fault(connection))) return;
  // Down is recorded before the tunnel ends, up cleared once it is up: a
  // `fault` killed between the two is repeated to the same end.
  std::vector<Fault> faults = state.faults();
  if (up)
    std::erase(faults, tunnel_fault(connection));
  else
    faults = record_fault(state, tunnel_fault(connection), true);
  // Side 0 starts the tunnel at up, and ends it; both charons then hold it
  // down: neither initiates on its own (no start action, no DPD restart
  // after a DELETE). A side whose gateway is down has no charon: a tunnel
  // it ends is down already, one it starts comes up with the gateway.
  const bool stopped[2] = {node_stopped(faults, c.gateways[0]),
                           node_stopped(faults, c.gateways[1])};
  if (up && (stopped[0] || stopped[1])) {
    record_fault(state, tunnel_fault(connection), false);
    return;
  }
  if (!up && stopped[0] && stopped[1]) return;
  vici::Client client =
      charon_of(state, naming::tunnel_end(connection, c.gateways[stopped[0] ? 1 : 0]));
  if (!up) return end_tunnel(client, connection);
  strongswan::SiteToSite tunnel;
  tunnel.name = connection;
  auto result = client.stream_request("initiate", "control-log",
                                      strongswan::initiate_request(tunnel, 6000), 8s);
  if (result.response.value_or("success", "") != "yes")
    throw std::runtime_error("connection " + connection + " did not come up: charon: " +
                             result.response.value_or("errmsg", "no reason given"));
  record_fault(state, tunnel_fault(connection), false);
}

}  // namespace hublab
