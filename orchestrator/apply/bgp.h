#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/bird/bird_client.h"
#include "drivers/bird/bird_daemon.h"
#include "drivers/netlink/route_socket.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// The lab's BIRD daemons at run time.
class RouteDistribution {
 public:
  RouteDistribution(LabState& state, std::vector<BgpRouter> nodes,
                    std::function<bool()> interrupted);

  // Starts every BIRD (recorded in the lab state before it runs).
  void start();
  // Rewrites the configuration of each running BIRD whose plan changed (a
  // peering disconnected or connected again) and has it reload; BIRD then
  // shuts down, starts or updates only what changed. Those not running are
  // left alone. Returns the nodes reconfigured.
  std::vector<std::string> reconfigure();
  // Returns once every BGP session is Established and every node has every
  // prefix it should have learned; polls the control sockets every few
  // milliseconds. Throws naming the session or the missing prefix.
  void wait_converged(std::chrono::milliseconds timeout);

 private:
  // Nothing, or what is still missing.
  std::optional<std::string> not_converged(const BgpRouter& node, bird::Client& client,
                                           RouteSocket& kernel);

  LabState& state_;
  std::vector<BgpRouter> nodes_;
  std::function<bool()> interrupted_;
  std::map<std::string, DaemonId> daemons_;
};

}  // namespace hublab
