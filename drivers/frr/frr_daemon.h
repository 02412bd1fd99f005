#pragma once

// FRRouting as hublab runs it: one instance per NVA, zebra, bgpd and staticd
// in the VM's network namespace, working in a directory of its own (owned
// by the frr user, whom the daemons become) that holds their configuration,
// PID files, vty sockets, zebra's API socket and logs. Debian's frr, without
// its init scripts.

#include <string>
#include <vector>

#include "drivers/process/daemon.h"

namespace hublab::frr {

constexpr const char* kFrrDir = "/usr/lib/frr";
constexpr const char* kFrrUser = "frr";
// In the order they start: bgpd and staticd connect to zebra's socket.
inline const std::vector<std::string>& daemon_names() {
  static const std::vector<std::string> names = {"zebra", "bgpd", "staticd"};
  return names;
}
std::string daemon_path(const std::string& daemon);
// The kind a daemon is recorded under by whoever runs it ("frr-bgpd"), so
// that those who start it and those who read it name it alike.
inline std::string daemon_kind(const std::string& daemon) {
  return "frr-" + daemon;
}

struct FrrFiles {
  std::string dir;

  std::string config() const { return dir + "/frr.conf"; }
  std::string vty_socket(const std::string& daemon) const { return dir + "/" + daemon + ".vty"; }
  std::string log(const std::string& daemon) const { return dir + "/" + daemon + ".log"; }
  std::string output() const { return dir + "/frr.out"; }
  std::string zserv_socket() const { return dir + "/zserv.api"; }
};

// Hands `dir` to the frr user, writes `config` there (mode 0600, the frr
// user's) and describes the three daemons, in start order. Throws when the
// frr user does not exist (FRRouting not installed).
std::vector<DaemonSpec> frr_daemons(const FrrFiles& files, const std::string& config, int netns_fd);
// The same daemons on the configuration already in `files` (an NVA started
// again after a fault).
std::vector<DaemonSpec> frr_daemons(const FrrFiles& files, int netns_fd);

}  // namespace hublab::frr
