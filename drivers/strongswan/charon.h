#pragma once

// charon (strongSwan's IKE daemon) as hublab runs it: one per gateway
// instance, in the gateway's network namespace, with the kernel-libipsec
// data plane (user-space ESP through a TUN device, ipsec0), since this kernel
// may lack ESP and XFRM interfaces. Its directory is bound over /run inside
// its mount namespace and holds its config, PID file, vici socket and log.

#include <string>
#include <vector>

#include "drivers/process/daemon.h"

namespace hublab::strongswan {

constexpr const char* kCharonPath = "/usr/lib/ipsec/charon";
// The TUN device kernel-libipsec creates in charon's namespace.
constexpr const char* kTunnelDevice = "ipsec0";

struct CharonFiles {
  std::string dir;  // seen as /run by charon

  std::string config() const { return dir + "/strongswan.conf"; }
  std::string vici_socket() const { return dir + "/charon.vici"; }
  std::string log() const { return dir + "/charon.log"; }
  std::string output() const { return dir + "/charon.out"; }
};

constexpr const char* kPluginDir = "/usr/lib/ipsec/plugins";

// A plugin charon loads for hublab's tunnels, and the Debian package that
// ships it.
struct CharonPlugin {
  const char* name;
  const char* package;
};
// What a tunnel cannot do without, each need with its alternatives (any one
// will do): DH groups come from openssl, or from gmp where the standard
// plugins are not installed.
std::vector<std::vector<CharonPlugin>> required_charon_plugins();
std::string charon_plugin_path(const char* name);

// strongswan.conf for a lab gateway. IKE retransmits are short, so that an
// unreachable peer fails `up` in seconds rather than minutes.
std::string charon_config();

// Writes the config (mode 0600) and describes the daemon to start.
DaemonSpec charon_daemon(const CharonFiles& files, int netns_fd);

}  // namespace hublab::strongswan
