#pragma once

#include <functional>
#include <map>
#include <string>

#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "orchestrator/fabric_plan.h"
#include "orchestrator/lab_state.h"

namespace hublab {

// Applies a fabric plan to the kernel. Every namespace is journaled in the
// lab state before it is made, so whatever happens, `tear_down` finds it.
class FabricBuilder {
 public:
  // `interrupted` is asked between steps; when it says yes, build() throws.
  FabricBuilder(LabState& state, std::function<bool()> interrupted);

  void build(const FabricPlan& plan);

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

// Removes every daemon and namespace the lab's journals name (and with them
// every interface and route of the lab), then the state directory.
// Returns how many namespaces it removed.
int tear_down(LabState& state);
// Its two steps.
void stop_lab_daemons(LabState& state);
int remove_lab_namespaces(LabState& state);

}  // namespace hublab
