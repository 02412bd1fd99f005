#pragma once

// The model's path walk: a packet from a VM to an address, step by step
// as Azure decides it, over what the control plane (model/control_plane)
// programmed: each subnet's chosen route and the rows it beat, appliances
// (rule 8), gateways passing it on by what they learned, and why it drops.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/model/control_plane.h"
#include "orchestrator/model/nsg.h"

namespace hublab {

// One step of a packet's way, as Azure decides it.
struct ModelStep {
  std::string where;         // "spoke10/default", "gateway vpngw-hub01"
  std::string vnet, subnet;  // at a subnet: which
  std::string route;  // the route used, "10.100.0.0/16 Virtual network gateway (AS path 65151)"
  // At a subnet: the chosen row, and the other rows that hold the
  // destination and lost (shorter prefix, or Invalid).
  std::optional<EffectiveRoute> chosen;
  std::vector<EffectiveRoute> beaten;
  // At a gateway: which, the prefix it used, and whether BGP brought it
  // (then with its AS path) or it is a VNet the gateway serves.
  std::string gateway;
  std::optional<Prefix> prefix;
  bool bgp = false;
  std::string as_path;
};

struct PathPrediction {
  // The packet as the NSGs on its way see it (none: they are not asked).
  std::optional<Flow> flow;
  // The VMs whose NICs it went through: where a reply finds its flow's state.
  std::set<std::string> nics;
  // For a reply (flow->reply): the NICs its flow went through, which let it pass.
  std::set<std::string> stateful_nics;
  bool delivered = false;
  int appliances = 0;   // NVAs forwarding on the way: each a traceroute hop
  int silent_hops = 0;  // a circuit's edge routers on the way: a hop each, never answering
  std::vector<ModelStep> steps;
  std::string outcome;  // "delivered to vm-spoke110", or why it drops
};

class PathWalk {
 public:
  // Both must outlive it.
  PathWalk(const Lab& lab, const ControlPlane& control)
      : lab_(lab), control_(control), nsgs_(lab, control) {}

  // A packet from `from` to `destination`: `flow` its protocol and ports
  // (its addresses are filled in), none for no NSG at all; a reply passes
  // the NICs in `stateful_nics` (those its flow went through).
  PathPrediction path(const Vm& from, Ipv4 destination, std::optional<Flow> flow = Flow{},
                      const std::set<std::string>& stateful_nics = {}) const;
  const NsgModel& nsgs() const { return nsgs_; }

 private:
  // A packet from `source` leaving `vnet`/`subnet` for `destination`,
  // appended to `path`; `visited` holds the subnets it left already (a loop
  // through appliances ends there).
  void follow(const std::string& vnet, const std::string& subnet, Ipv4 source, Ipv4 destination,
              PathPrediction& path, std::set<std::string>& visited) const;
  // From a gateway onward; it delivers into its VNet through the
  // GatewaySubnet's routes.
  void follow_gateway(std::string at, Ipv4 source, Ipv4 destination, PathPrediction& path,
                      std::set<std::string>& visited) const;
  void via_appliance(const std::string& vnet, const std::string& subnet, Ipv4 appliance,
                     const std::string& route, Ipv4 source, Ipv4 destination, PathPrediction& path,
                     std::set<std::string>& visited) const;
  // `arriving`: the packet as the NVA's NIC sees it come in (over an
  // overlay, the VXLAN packet around it); null when no NSG is asked.
  void at_appliance(const Vm& nva, const std::string& reached_at, const Flow* arriving, Ipv4 source,
                    Ipv4 destination, PathPrediction& path, std::set<std::string>& visited) const;
  // The NSGs of `vm`'s NIC on `flow` (null: no NSG is asked; a reply passes
  // the NICs its flow went through): true when they allow it; else the step
  // and the outcome that say which rule denied.
  bool nsgs_pass(const Vm& vm, SecurityRule::Direction direction, const Flow* flow,
                 PathPrediction& path) const;
  // Into `vnet`: to the VM holding `destination`, through its NIC's NSGs.
  void deliver(const std::string& vnet, Ipv4 destination, PathPrediction& path) const;
  // An NVA's route over an overlay to another NVA, if it forwards by one:
  // followed, and true.
  bool over_overlay(const Vm& nva, const std::string& where, Ipv4 source, Ipv4 destination,
                    PathPrediction& path, std::set<std::string>& visited) const;
  // Rule 8: a packet a VM of `vnet` did not originate (an appliance
  // forwards it), sent from a VM subnet over a peering into `into`, needs
  // into's allow_forwarded_traffic on that peering. Why it may not pass, or
  // "" when it may.
  std::string forwarded_refusal(const std::string& vnet, const std::string& subnet, Ipv4 source,
                                const std::string& into) const;
  const Vm* vm_at(Ipv4 address) const;  // in any VNet: the first listed
  const Vm* vm_at(Ipv4 address, const std::string& vnet) const;

  const Lab& lab_;
  const ControlPlane& control_;
  NsgModel nsgs_;
};

}  // namespace hublab
