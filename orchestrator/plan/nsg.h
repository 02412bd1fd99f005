#pragma once

// Network security groups made filters (plan/nsg): in each VNet router,
// on each VM's port of its subnet's bridge, the lists its NSGs become, in
// Azure's order: what the VM sends, its NIC's NSG then its subnet's; what
// it receives, its subnet's then its NIC's. A pure function of the lab and
// of what the rest of the plan routes: the VirtualNetwork tag is expanded
// from each subnet's planned kernel table and the BGP routes its VNet
// router will install (never from model/, which predicts the same apart).

#include <string>
#include <vector>

#include "drivers/netfilter/port_filter.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/plan/bgp.h"
#include "orchestrator/plan/fabric.h"

namespace hublab {

// One kernel rule of an NSG rule (a rule with two protocols or port ranges
// is several), with the rule it stands for.
struct PlannedSecurityRule {
  std::string name;
  int priority = 0;
  bool allow = true;
  PacketTest test;
};

// One NSG in one direction for the NICs of one subnet (its tags expand
// by that subnet's routes).
struct PlannedNsgList {
  std::string nsg;
  std::string direction;  // "Inbound", "Outbound"
  std::string subnet;
  std::vector<PlannedSecurityRule> rules;
};

struct NsgFilterSpec {
  std::string netns;  // a VNet router's
  std::vector<PlannedNsgList> lists;
  std::vector<PortFilter> ports;
};

// One spec per VNet router with an NSG on one of its VMs' subnets or NICs.
std::vector<NsgFilterSpec> plan_nsg_filters(const Lab& lab, const FabricPlan& fabric,
                                            const std::vector<BgpRouter>& bgp);

// A subnet's VirtualNetwork tag as the plan routes it.
std::vector<Prefix> planned_virtual_network(const Lab& lab, const FabricPlan& fabric,
                                            const std::vector<BgpRouter>& bgp, const Vnet& vnet,
                                            const Subnet& subnet);

}  // namespace hublab
