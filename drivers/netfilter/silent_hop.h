#pragma once

namespace hublab {

// Installs, in the calling thread's network namespace, the nftables rules
// of a router that counts as a traceroute hop but never answers:
//   table ip hublab_silent_hop {
//     chain prerouting { type filter hook prerouting priority raw;
//       # a packet the hidden hops carry (its own TTL kept in its DSCP bits,
//       # see ttl_boost.h): one off that TTL, dropped when it was the last
//       @nh,0,16 0x4504 drop
//       @nh,0,16 0x4508 @nh,0,16 set 0x4504 accept ... }
//     chain output { type filter hook output priority filter;
//       icmp type time-exceeded drop }
//   }
// `max_ttl` is the hidden hops' (kHiddenHopsMaxTtl).
void install_silent_hop(int max_ttl);

}  // namespace hublab
