#pragma once

#include <string>
#include <vector>

#include "base/ipv4.h"

namespace hublab {

// Installs, in the calling thread's network namespace, nftables rules that
// drop what is forwarded from one of `from` to one of `to` unless its source
// is inside one of `allowed_sources`:
//   table ip hublab_sources {
//     chain forward { type filter hook forward priority filter;
//                     iifname "br0" oifname "p-spoke20" jump allowed }
//     chain allowed { ip saddr 10.0.0.0/16 return; drop }
//   }
void install_source_guard(const std::vector<std::string>& from, const std::vector<std::string>& to,
                          const std::vector<Prefix>& allowed_sources);

}  // namespace hublab
