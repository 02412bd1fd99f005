#include "orchestrator/apply/preflight.h"

#include <linux/capability.h>
#include <unistd.h>

#include "drivers/bird/bird_daemon.h"
#include "drivers/frr/frr_daemon.h"
#include "drivers/netlink/kernel_features.h"
#include "drivers/netlink/sysctl.h"
#include "drivers/strongswan/charon.h"
#include "drivers/system/host.h"

namespace hublab {

namespace {

std::string install(const std::string& package) {
  return "apt-get install " + package;
}

}  // namespace

HostCheck check_privileges() {
  const bool container = in_container();
  HostCheck check;
  check.name = "privileges";
  const bool net = has_capability(CAP_NET_ADMIN), sys = has_capability(CAP_SYS_ADMIN);
  check.ok = net && sys;
  if (check.ok) {
    check.detail = "CAP_NET_ADMIN and CAP_SYS_ADMIN";
    return check;
  }
  check.detail = std::string("missing ") + (net ? "" : "CAP_NET_ADMIN") +
                 (net || sys ? "" : " and ") + (sys ? "" : "CAP_SYS_ADMIN") +
                 " (namespaces, links, mounts)";
  check.fix =
      container ? "docker run --cap-add NET_ADMIN --cap-add SYS_ADMIN" : "run it as root (sudo)";
  return check;
}

namespace {

// A check from a probe that returns what went wrong, or nothing.
HostCheck from_problem(std::string name, std::string problem, std::string when_ok,
                       std::string fix) {
  const bool ok = problem.empty();
  return HostCheck{.name = std::move(name),
                   .ok = ok,
                   .detail = ok ? std::move(when_ok) : std::move(problem),
                   .fix = ok ? "" : std::move(fix)};
}

HostCheck tun_device(bool container) {
  return from_problem("/dev/net/tun", tun_device_problem(),
                      "opens (charon's user-space IPsec data plane)",
                      container ? "docker run --device /dev/net/tun" : "modprobe tun");
}

HostCheck proc_sys(bool container) {
  const SysctlAccess& access = sysctl_access();
  return from_problem("/proc/sys", access.writable ? "" : access.problem,
                      access.remounted
                          ? "read-only here; hublab writes through a private read-write view"
                          : "writable",
                      container ? "docker run --security-opt systempaths=unconfined"
                                : "mount /proc/sys read-write");
}

HostCheck kernel_network(bool container) {
  return from_problem("kernel networking", kernel_network_problem(),
                      "namespaces, bridge, veth, policy rules, nftables",
                      container ? "on the host: modprobe veth bridge nf_tables"
                                : "modprobe veth bridge nf_tables (a kernel with them)");
}

HostCheck link_delay(bool container) {
  HostCheck check =
      from_problem("netem", link_delay_problem(), "delays links (a circuit's latency_ms)",
                   container ? "on the host: modprobe sch_netem"
                             : "modprobe sch_netem (a kernel built with "
                               "CONFIG_NET_SCH_NETEM)");
  check.optional = true;
  if (!check.ok) check.detail += "; labs run, a circuit's latency_ms is not applied";
  return check;
}

// Loaded, br_netfilter gives every network namespace this switch.
HostCheck bridge_netfilter(bool container) {
  const bool loaded = ::access("/proc/sys/net/bridge/bridge-nf-call-iptables", F_OK) == 0;
  return from_problem("br_netfilter", loaded ? "" : "the kernel module br_netfilter is not loaded",
                      "bridged IPv4 through connection tracking (stateful NSGs)",
                      container ? "on the host: modprobe br_netfilter" : "modprobe br_netfilter");
}

HostCheck program(const std::string& name, const std::string& path, const std::string& package) {
  HostCheck check;
  check.name = name;
  check.ok = is_executable(path);
  check.detail = check.ok ? path : path + " is missing";
  if (!check.ok) check.fix = install(package);
  return check;
}

HostCheck charon_plugin(const std::vector<strongswan::CharonPlugin>& choices) {
  HostCheck check;
  check.name = "charon plugin";
  for (const strongswan::CharonPlugin& plugin : choices)
    check.name += (&plugin == &choices.front() ? " " : " or ") + std::string(plugin.name);
  std::string names, packages;
  for (const strongswan::CharonPlugin& plugin : choices) {
    if (::access(strongswan::charon_plugin_path(plugin.name).c_str(), R_OK) == 0) {
      check.ok = true;
      check.detail = strongswan::charon_plugin_path(plugin.name);
      return check;
    }
    names += (names.empty() ? "" : " or ") + std::string(plugin.name);
    packages += (packages.empty() ? "" : " or ") + std::string(plugin.package);
  }
  check.detail = "no " + names + " plugin in " + strongswan::kPluginDir;
  check.fix = "apt-get install " + packages;
  return check;
}

}  // namespace

bool HostReport::ok() const {
  for (const HostCheck& check : checks)
    if (!check.ok && !check.optional) return false;
  return true;
}

HostReport check_host(const HostNeeds& needs) {
  HostReport report;
  report.in_container = in_container();
  const bool container = report.in_container;
  report.checks.push_back(check_privileges());
  const bool privileged = report.checks.back().ok;
  if (privileged) {
    // Without privileges these cannot be tried; the first line says why.
    report.checks.push_back(proc_sys(container));
    if (needs.try_kernel) {
      report.checks.push_back(kernel_network(container));
      report.checks.push_back(link_delay(container));
    }
  }
  if (needs.bridge_netfilter) report.checks.push_back(bridge_netfilter(container));
  if (needs.vpn) {
    if (privileged) report.checks.push_back(tun_device(container));
    report.checks.push_back(program("charon", strongswan::kCharonPath, "strongswan-charon"));
    for (const auto& choices : strongswan::required_charon_plugins())
      report.checks.push_back(charon_plugin(choices));
  }
  if (needs.bgp) report.checks.push_back(program("bird", bird::kBirdPath, "bird2"));
  if (needs.frr) report.checks.push_back(program("frr", frr::daemon_path("bgpd"), "frr"));
  return report;
}

}  // namespace hublab
