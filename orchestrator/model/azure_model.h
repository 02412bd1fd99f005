#pragma once

// Azure's routing decided from the lab file alone: no kernel, no daemons, no
// root. It is a second implementation of docs/azure-rules.md, written apart
// from plan/ (it takes no decision of the planners, nor Lab's helpers that
// encode routing), so that the live lab and the model can catch each other.
//
//  - effective routes of a VM's NIC (its subnet), as Azure lists them;
//  - the fate of a packet from a VM to an address, hop by hop as Azure
//    decides it, and whether a ping between two VMs succeeds (both ways).
//
// Two parts: the control plane (model/control_plane: gateways, BGP, each
// subnet's routes) and the path walk (model/path_walk) over what it decides.

#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/model/control_plane.h"
#include "orchestrator/model/effective_route.h"
#include "orchestrator/model/path_walk.h"

namespace hublab {

struct PairPrediction {
  bool reachable = false;
  int hops = 0;  // as traceroute shows them in Azure: the fabric is invisible
  PathPrediction forward, back;
};

class AzureModel {
 public:
  explicit AzureModel(const Lab& lab);
  // Its parts point into its own copy of the lab: neither copied nor moved.
  AzureModel(const AzureModel&) = delete;
  AzureModel& operator=(const AzureModel&) = delete;

  // The effective routes of the VM's NIC, in Azure's order.
  std::vector<EffectiveRoute> effective_routes(const Vm& vm) const;
  // A packet from `from` to `destination`.
  PathPrediction path(const Vm& from, Ipv4 destination, std::optional<Flow> flow = Flow{}) const {
    return walk_.path(from, destination, flow);
  }
  // A probe from one VM to another (a ping by default; TCP or UDP to
  // `port`): there, through the NSGs on the way, and its answer back,
  // which the NICs the probe went through let pass.
  PairPrediction pair(const Vm& from, const Vm& to, ProbeProtocol protocol = ProbeProtocol::kIcmp,
                      int port = 0) const;
  const NsgModel& nsgs() const { return walk_.nsgs(); }

 private:
  const Lab lab_;  // a copy: a model often outlives the lab it was made from (faulted views)
  ControlPlane control_;
  PathWalk walk_;
};

}  // namespace hublab
