#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/process/daemon.h"
#include "drivers/strongswan/charon.h"
#include "drivers/vici/vici_client.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/plan/tunnels.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// The lab's VPN connections at run time: a charon per connection end (see
// plan/fabric's add_connection_end), driven over vici. Ends are named by
// their node, naming::tunnel_end.
class VpnGateways {
 public:
  VpnGateways(LabState& state, const Lab& lab, std::function<bool()> interrupted);

  // Starts every charon, or those of the ends named (recorded in the lab
  // state before it runs).
  void launch();
  void launch(const std::vector<std::string>& ends);
  // Takes an end whose charon runs already (a `fault gateway G up` joins
  // the tunnels of G to its peers').
  void attach(const std::string& end);
  // Connects to every launched or attached charon's vici socket (charon
  // opens it some 40 ms after it starts).
  void connect();
  // Loads each tunnel on both sides, starts it from side 0 and returns once
  // both sides have the CHILD_SA installed. Throws naming the connection, the
  // reason taken from charon's log, and the log's path.
  void establish(const std::vector<TunnelSpec>& tunnels);
  // Loads one side of a tunnel into its gateway's charon, without starting
  // it (a gateway back up whose tunnel a fault still holds down).
  void load(const TunnelSpec& tunnel, int side);

 private:
  struct Running {
    std::string netns;
    strongswan::CharonFiles files;
    DaemonId daemon;
    std::optional<vici::Client> vici;
  };
  Running& end(const std::string& name);
  // What reaches the end from its gateway goes into ipsec0, once charon has
  // made the device.
  void route_into_tunnel(const std::string& end);
  void establish(const TunnelSpec& tunnel);
  void check_interrupted();

  LabState& state_;
  const Lab& lab_;
  std::function<bool()> interrupted_;
  std::map<std::string, Running> ends_;
};

}  // namespace hublab
