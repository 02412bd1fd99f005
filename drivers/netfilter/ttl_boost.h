#pragma once

#include <string>
#include <vector>

namespace hublab {

// Installs, in the calling thread's network namespace, the nftables rules
// that hide a router from traceroute: packets that arrive on one of
// `interfaces` with a TTL from 1 to `max_ttl` get `boost` added to it, as
//   table ip hublab_hops {
//     chain prerouting { type filter hook prerouting priority raw;
//                        iifname "br0" jump boost }
//     chain boost { ip ttl 1 ip ttl set 17 accept ... }
//   }
// Built with libnftnl and sent in one netlink batch: libnftables' parser
// costs milliseconds per namespace, the kernel far less.
void install_ttl_boost(const std::vector<std::string>& interfaces, int max_ttl, int boost);

}  // namespace hublab
