#pragma once

// The model's control plane: what Azure programs into each subnet from the
// lab file alone. Which gateway each VNet uses, what each gateway learns
// (BGP between gateways to a fixed point, static routes of connections
// without BGP), and each subnet's effective routes with the rows that lose
// (rules 1-7 and 9 of docs/azure-rules.md). The path walk (model/path_walk)
// moves packets over what it decides.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/model/effective_route.h"

namespace hublab {

class ControlPlane {
 public:
  // Next hop types as Azure names them in effective routes.
  static constexpr const char* kVirtualNetwork = "Virtual network";
  static constexpr const char* kVnetPeering = "VNet peering";
  static constexpr const char* kGatewayHop = "Virtual network gateway";

  // A route a gateway holds from BGP, or a static one.
  struct Learned {
    Prefix prefix;
    std::vector<uint32_t> as_path;  // empty for a static route
    std::string neighbor;           // the gateway it came from, or leads to
    std::string connection;         // for a static route: the connection without BGP
    // Brought by a circuit: the edge router it came through (the gateway it
    // came from is `neighbor`), that edge's address as the next hop IP, and
    // the connection's routing weight.
    std::string edge;
    std::string next_hop_ip;
    int weight = 0;
    // Given a Route Server by an NVA: the VM (next_hop_ip its address); at a
    // gateway (branch-to-branch), `neighbor` names the Route Server.
    std::string nva;
  };
  // A route an NVA holds (model/route_server.cpp): its own (`advertise`),
  // from a Route Server, or from an NVA over an overlay (`peer`).
  struct NvaRoute {
    Prefix prefix;
    std::vector<uint32_t> as_path;
    std::string route_server;  // the Route Server it came from, if one
    std::string peer;          // the NVA it came from over an overlay, if one
    bool operator==(const NvaRoute&) const = default;
  };
  // An effective route with what the data plane needs to follow it.
  struct SubnetRoute {
    EffectiveRoute row;
    std::string peer_vnet;  // VNet peering: where it leads
    std::string gateway;    // Virtual network gateway: the local gateway
    std::vector<uint32_t> as_path;
    const UserRoute* user = nullptr;  // a user-defined route
    std::string nva;                  // a Route Server's route: the NVA it leads to
  };

  // `lab` must outlive it.
  explicit ControlPlane(const Lab& lab);

  // The gateways a VNet uses (its own, or a peer's by gateway transit): a
  // VPN and an ExpressRoute gateway may coexist; the VPN one first.
  const std::vector<const Gateway*>& gateways_used_by(const std::string& vnet) const;
  // The one of a type, or null.
  const Gateway* gateway_used_by(const std::string& vnet, Gateway::Type type) const;
  // The VNets that use a gateway (its own, and spokes with remote gateways).
  const std::vector<std::string>& vnets_reached_by(const Gateway& gateway) const;
  // What a gateway (instance) learned, BGP and static.
  const std::vector<Learned>& learned_by(const std::string& gateway) const;
  // The Route Server whose routes a VNet gets (its own, or its hub's by
  // "use the remote virtual network's gateway or Route Server"), or null;
  // and what a Route Server programs (model/route_server.cpp).
  const RouteServer* route_server_used_by(const std::string& vnet) const;
  const std::vector<Learned>& programmed_by(const RouteServer& server) const;
  // The route an NVA forwards `destination` by when it leads over an overlay
  // to another NVA (it learned it from that NVA), or null: its NIC and
  // Azure's fabric take it, by its subnet's routes.
  const NvaRoute* overlay_route(const Vm& nva, Ipv4 destination) const;
  // The effective routes of one subnet (its route table's routes among
  // them), worked out once; `subnet` unknown: the VNet's routes without a
  // table.
  const std::vector<SubnetRoute>& routes_of(const std::string& vnet,
                                            const std::string& subnet) const;

 private:
  std::vector<SubnetRoute> compute_routes_of(const std::string& vnet,
                                             const std::string& subnet) const;
  std::vector<const Gateway*> find_gateways_used_by(const std::string& vnet) const;
  std::vector<Prefix> advertised_by(const Gateway& gateway) const;
  // Connections without BGP: the far VNet's address space, as the hidden
  // local network gateway of a VNet-to-VNet connection holds it.
  void learn_static();
  void learn_bgp();
  // ExpressRoute (model/expressroute.cpp): what each gateway's circuits bring.
  void learn_expressroute();
  // Route Server (model/route_server.cpp): which VNets each serves, and the
  // best of what its NVAs advertise.
  void learn_route_servers();
  // At a gateway, whether `other` (a circuit's, a tunnel's or a static
  // route) is no worse than `from_route_server` for the same prefix, as
  // its BGP chooses: a static route always; else the higher local
  // preference (a circuit connection's weight over iBGP's 100), the
  // shorter AS path, or one as long (eBGP over iBGP).
  static bool no_worse_than_route_server(const Learned& other, const Learned& from_route_server);
  // Branch-to-branch: the gateways beside a Route Server learn what it
  // programs, and pass it on (model/route_server.cpp); whether any learned
  // something new.
  bool learn_branch_to_branch();
  // What a Route Server programs, from its NVAs' routes as they stand.
  std::vector<Learned> program(const RouteServer& server) const;
  // An NVA's best routes, from its Route Servers' and its peers' as they
  // stand.
  std::vector<NvaRoute> best_routes_of(const Vm& nva) const;
  // A subnet's rows from its Route Server, `system` the spaces whose
  // system routes beat them.
  std::vector<SubnetRoute> route_server_rows(const std::string& vnet,
                                             const std::vector<Prefix>& system) const;
  // What a site's circuits bring it (every VNet their gateways serve); as
  // configured, or as the faults leave it. A site on a circuit passes none
  // of it over its VPNs: its static routes to them, never; what a VPN
  // taught it, not while the circuit's route is the better.
  std::vector<Prefix> brought_by_circuits(const Gateway& site, bool as_faulted) const;

  const Lab& lab_;
  std::map<std::string, std::vector<Learned>> learned_;         // by gateway
  std::map<std::string, std::vector<const Gateway*>> used_by_;  // by VNet
  std::map<std::string, std::vector<std::string>> reached_by_;  // by gateway (instance 0)
  std::map<std::string, const RouteServer*> route_server_of_;   // by VNet
  std::map<std::string, std::vector<Learned>> programmed_;      // by Route Server
  std::map<std::string, std::vector<NvaRoute>> nva_routes_;     // by VM
  mutable std::mutex routes_mutex_;
  mutable std::map<std::pair<std::string, std::string>, std::vector<SubnetRoute>> routes_;
};

}  // namespace hublab
