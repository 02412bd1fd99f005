#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "orchestrator/plan/fabric.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// A planned route as the kernel takes it (`up`, and a peering brought back
// after a fault).
RouteSocket::Route kernel_route(const RouteSpec& spec);

// Applies a fabric plan to the kernel. Every namespace is journaled in the
// lab state before it is made, so whatever happens, `tear_down` finds it.
class FabricBuilder {
 public:
  // `interrupted` is asked between steps; when it says yes, build() throws.
  FabricBuilder(LabState& state, std::function<bool()> interrupted);

  // Returns a note for each setting the kernel could not apply (a
  // circuit's latency without netem): the lab runs without it.
  std::vector<std::string> build(const FabricPlan& plan);

 private:
  struct Node {
    NetworkNamespace netns;
    RouteSocket sock;
  };
  Node& node(const std::string& netns);
  void check_interrupted();

  LabState& state_;
  std::function<bool()> interrupted_;
  std::map<std::string, Node> nodes_;
};

}  // namespace hublab
