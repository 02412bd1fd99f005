#pragma once

// Azure's routing decided from the lab file alone: no kernel, no daemons, no
// root. It is a second implementation of docs/azure-rules.md, written apart
// from plan/ (it takes no decision of the planners, nor Lab's helpers that
// encode routing), so that the live lab and the model can catch each other.
//
//  - effective routes of a VM's NIC (its subnet), as Azure lists them;
//  - the fate of a packet from a VM to an address, hop by hop as Azure
//    decides it, and whether a ping between two VMs succeeds (both ways).

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/model/effective_route.h"

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
  bool delivered = false;
  int appliances = 0;  // NVAs forwarding on the way: each a traceroute hop
  std::vector<ModelStep> steps;
  std::string outcome;  // "delivered to vm-spoke110", or why it drops
};

struct PairPrediction {
  bool reachable = false;
  int hops = 0;  // as traceroute shows them in Azure: the fabric is invisible
  PathPrediction forward, back;
};

class AzureModel {
 public:
  explicit AzureModel(const Lab& lab);
  // Its routes point into its own copy of the lab: neither copied nor moved.
  AzureModel(const AzureModel&) = delete;
  AzureModel& operator=(const AzureModel&) = delete;

  // The effective routes of the VM's NIC, in Azure's order.
  std::vector<EffectiveRoute> effective_routes(const Vm& vm) const;
  // A packet from `from` to `destination`.
  PathPrediction path(const Vm& from, Ipv4 destination) const;
  // A ping from one VM to another: there and back.
  PairPrediction pair(const Vm& from, const Vm& to) const;

 private:
  struct Learned {  // a route a gateway holds from BGP, or a static one
    Prefix prefix;
    std::vector<uint32_t> as_path;  // empty for a static route
    std::string neighbor;           // the gateway it came from, or leads to
    std::string connection;         // for a static route: the connection without BGP
  };
  struct SubnetRoute {  // a row with what the data plane needs
    EffectiveRoute row;
    std::string peer_vnet;  // VNet peering: where it leads
    std::string gateway;    // Virtual network gateway: the local gateway
    std::vector<uint32_t> as_path;
    const UserRoute* user = nullptr;  // a user-defined route
  };

  // The effective routes of one subnet (its route table's routes among
  // them); `subnet` null: the VNet's routes without a table.
  const std::vector<SubnetRoute>& routes_of(const std::string& vnet,
                                            const std::string& subnet) const;
  std::vector<SubnetRoute> compute_routes_of(const std::string& vnet,
                                             const std::string& subnet) const;
  const Gateway* gateway_used_by(const std::string& vnet) const;
  const Gateway* find_gateway_used_by(const std::string& vnet) const;
  const std::vector<std::string>& vnets_reached_by(const Gateway& gateway) const;
  std::vector<Prefix> advertised_by(const Gateway& gateway) const;
  // Connections without BGP: the far VNet's address space, as the hidden
  // local network gateway of a VNet-to-VNet connection holds it.
  void learn_static();
  void learn_bgp();
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
  // Rule 8: a packet a VM of `vnet` did not originate (an appliance
  // forwards it), sent from a VM subnet over a peering into `into`, needs
  // into's allow_forwarded_traffic on that peering. Why it may not pass, or
  // "" when it may.
  std::string forwarded_refusal(const std::string& vnet, const std::string& subnet, Ipv4 source,
                                const std::string& into) const;
  const Vm* vm_at(Ipv4 address) const;  // in any VNet: the first listed
  const Vm* vm_at(Ipv4 address, const std::string& vnet) const;

  const Lab lab_;  // a copy: a model often outlives the lab it was made from (faulted views)
  std::map<std::string, std::vector<Learned>> learned_;         // by gateway
  std::map<std::string, const Gateway*> used_by_;               // by VNet
  std::map<std::string, std::vector<std::string>> reached_by_;  // by gateway (instance 0)
  mutable std::mutex routes_mutex_;
  mutable std::map<std::pair<std::string, std::string>, std::vector<SubnetRoute>> routes_;
};

}  // namespace hublab
