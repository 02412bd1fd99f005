#include "apply/faults.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "drivers/strongswan/charon.h"
#include "drivers/strongswan/site_to_site.h"
#include "drivers/vici/vici_client.h"
#include "lab/faults.h"

namespace hublab {

using namespace std::chrono_literals;

void set_tunnel(LabState& state, const Lab& lab, const std::string& connection, bool up) {
  auto found = std::find_if(lab.connections.begin(), lab.connections.end(),
                            [&](const Connection& c) { return c.name == connection; });
  if (found == lab.connections.end())
    throw std::invalid_argument("lab '" + lab.name + "' has no connection '" + connection + "'");
  // Side 0 starts the tunnel at up; it also ends it, and both charons hold
  // it down: neither initiates on its own (no start action, no DPD restart
  // after a DELETE).
  strongswan::CharonFiles files{state.daemon_dir("charon", found->gateways[0])};
  vici::Client client = vici::Client::connect(files.vici_socket(), 2s);
  if (up) {
    strongswan::SiteToSite tunnel;
    tunnel.name = connection;
    auto result = client.stream_request("initiate", "control-log",
                                        strongswan::initiate_request(tunnel, 6000), 8s);
    if (result.response.value_or("success", "") != "yes")
      throw std::runtime_error("connection " + connection + " did not come up: charon: " +
                               result.response.value_or("errmsg", "no reason given"));
  } else {
    vici::Message request;
    request.set("ike", connection);
    request.set("timeout", "3000");
    auto result = client.stream_request("terminate", "control-log", request, 5s);
    // "no matching SAs": down already, which is what was asked.
    const std::string error = result.response.value_or("errmsg", "");
    if (result.response.value_or("success", "") != "yes" &&
        error.find("no matching") == std::string::npos)
      throw std::runtime_error("connection " + connection + " could not be taken down: " + error);
  }
  std::vector<std::string> faults = state.faults();
  std::erase(faults, tunnel_fault(connection));
  if (!up) faults.push_back(tunnel_fault(connection));
  state.save_faults(faults);
}

}  // namespace hublab
