#pragma once

// Azure's route distribution with real BIRD daemons (DESIGN §2 rules 3-5):
//  - a BIRD per gateway: eBGP over the tunnel to the other gateways, from
//    BGP peer IP to BGP peer IP; it advertises its VNet's address space, the
//    spaces of the VNets that use it as remote gateway and its BGP peer IP as
//    a /32, and passes routes learned from one peer on to the others;
//  - a BIRD per VNet router the gateway serves: iBGP from the gateway (the
//    hub's router reflects to its spokes' routers), installing BGP routes
//    into every subnet's kernel table in front of the default system routes,
//    and refusing those inside the VNet's own or its peers' address spaces.
// The kernel still does longest-prefix match; BIRD only adds and withdraws,
// so a session that drops takes its routes away with no hublab running.
// Planning is pure: the configs are text, tested without daemons.

#include <string>
#include <vector>

#include "base/ipv4.h"
#include "lab/lab.h"

namespace hublab {

struct BirdTimers {
  // BGP's smallest hold time: a lost tunnel withdraws its routes within 3 s.
  int hold_seconds = 3;
  int keepalive_seconds = 1;
};

struct BirdNode {
  std::string node;  // gateway or VNet name
  std::string netns;
  bool is_gateway = false;
  std::string config;                 // bird.conf
  std::vector<std::string> sessions;  // BGP protocols that must be Established
  std::vector<Prefix> expected;       // BGP routes the node must have once converged
  // And where the kernel must have them: BIRD syncs its kernel tables a
  // moment after its own, and traffic follows the kernel.
  std::vector<uint32_t> kernel_tables;
  std::vector<Prefix> installed;
};

// Empty when no connection enables BGP.
std::vector<BirdNode> plan_bgp(const Lab& lab, const BirdTimers& timers = {});

// What a gateway advertises of its own (rule 3), in order.
std::vector<Prefix> advertised_by(const Lab& lab, const Gateway& gateway);

}  // namespace hublab
