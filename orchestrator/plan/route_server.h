#pragma once

// Azure Route Server as plain data (docs/azure-rules.md, Route Server): each
// instance a node in RouteServerSubnet with a BIRD of its own, peering every
// NVA of its bgpConnections over eBGP multihop and passing what they
// advertise to its VNet's router over iBGP (which installs it, next hop the
// NVA, in every subnet and reflects it to the spokes that use the Route
// Server); and each NVA's FRRouting: its configuration, hublab's or the
// user's own.

#include <map>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/fabric_planner.h"

namespace hublab {

// An NVA's FRRouting: zebra, bgpd and staticd in the VM's namespace, all
// reading one configuration.
struct NvaSpec {
  std::string vm;
  std::string netns;
  uint32_t asn = 0;
  Ipv4 address;
  std::string config_source;  // "hublab", or the user's file
  std::string config;         // FRR's text (the plan record leaves it out)
};

// The user's own FRR configurations, by VM, as `up` read them
// (lab/route_server's read_frr_configs).
using FrrConfigs = std::map<std::string, std::string>;

// The instances' namespaces, their NICs in RouteServerSubnet and their
// routes: they forward nothing, and reach the NVAs through the VNet router.
void plan_route_server_nodes(FabricPlanner& fabric, const RouteServer& server);

// The VNets a Route Server programs: its own, then each peer that uses it
// (use_remote_gateways, with allow_gateway_transit on its side).
std::vector<const Vnet*> vnets_served_by(const Lab& lab, const RouteServer& server);
// The Route Server a VNet's routes come from (its own, or its hub's), or null.
const RouteServer* route_server_serving(const Lab& lab, const Vnet& vnet);

// Each instance's BIRD.
std::vector<BgpRouter> plan_route_server_instances(const Lab& lab, const RouteServer& server);
// The VNet router's sessions to both instances (iBGP, ADD-PATH: every NVA's
// route, for ECMP).
std::vector<BgpSession> route_server_sessions(const Lab& lab, const RouteServer& server);
// What the NVAs of its connections advertise, as the lab says.
std::vector<Prefix> advertised_by_nvas(const Lab& lab, const RouteServer& server);

// The Route Server of a VNet with branch-to-branch on and an instance
// running, or null: only then does it exchange routes with the VNet's
// gateways ("Azure Route Server FAQ").
const RouteServer* branch_to_branch_server(const Lab& lab, const std::string& vnet);
// What a gateway hears from such a Route Server: its NVAs' prefixes (none
// without one).
std::vector<Prefix> branch_routes(const Lab& lab, const Gateway& gateway);

// Every VM that speaks BGP; `configs` holds the user's own files' texts.
std::vector<NvaSpec> plan_nvas(const Lab& lab, const FrrConfigs& configs);
// The FRR configuration hublab writes for an NVA without one of its own:
// eBGP multihop to every Route Server instance that lists it, a `network`
// for each prefix it advertises, held up by a static route to the subnet's
// router (as the reference designs' frr.conf do).
std::string hublab_frr_config(const Lab& lab, const Vm& vm);

}  // namespace hublab
