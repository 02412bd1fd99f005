#pragma once

// What the host must give hublab before `up` touches it: privileges, devices,
// a writable /proc/sys, the kernel's networking, charon and its plugins,
// BIRD. Each check that fails names what is missing and the fix: a Debian
// package, or inside a container the `docker run` option.

#include <string>
#include <vector>

namespace hublab {

struct HostCheck {
  std::string name;  // "privileges", "/dev/net/tun", "charon plugin vici", ...
  bool ok = false;
  std::string detail;  // what was found, or what is missing
  std::string fix;     // empty when ok
  // Labs run without it, one setting unapplied (a circuit's latency without
  // netem): shown, never a reason to fail.
  bool optional = false;
};

struct HostNeeds {
  bool vpn = true;  // charon and its plugins (a lab with gateways)
  bool bgp = true;  // BIRD (a lab with BGP)
  bool frr = true;  // FRRouting (a lab with an NVA that speaks BGP)
  // br_netfilter: bridged IPv4 through connection tracking (a lab with an NSG)
  bool bridge_netfilter = true;
  // Tries the kernel's networking in a throwaway namespace (a few ms):
  // `doctor` does; `up` finds out by doing, and says what the kernel refused.
  bool try_kernel = true;
};

struct HostReport {
  bool in_container = false;
  std::vector<HostCheck> checks;
  bool ok() const;
};

HostReport check_host(const HostNeeds& needs);
// Only the first of them: CAP_NET_ADMIN and CAP_SYS_ADMIN.
HostCheck check_privileges();

}  // namespace hublab
