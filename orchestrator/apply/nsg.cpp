#include "orchestrator/apply/nsg.h"

#include <stdexcept>

#include "drivers/netfilter/port_filter.h"
#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/sysctl.h"

namespace hublab {

namespace {

// Bridged packets through the IPv4 hooks (br_netfilter's, per namespace):
// what is stateful about an NSG between two VMs of one subnet.
constexpr const char* kBridgeCallsIpv4 = "net/bridge/bridge-nf-call-iptables";

}  // namespace

void apply_nsg_filters(const std::vector<NsgFilterSpec>& specs) {
  for (const NsgFilterSpec& spec : specs) {
    NetworkNamespace netns = NetworkNamespace::open(spec.netns);
    ThreadInNamespace inside(netns.fd());
    try {
      write_sysctl(kBridgeCallsIpv4, "1");
    } catch (const std::exception& error) {
      throw std::runtime_error(std::string("network security groups need br_netfilter (") +
                               error.what() + "): modprobe br_netfilter");
    }
    std::vector<FilterList> lists;
    for (const PlannedNsgList& planned : spec.lists) {
      FilterList list;
      for (const PlannedSecurityRule& rule : planned.rules)
        list.rules.push_back({rule.test, rule.allow});
      lists.push_back(std::move(list));
    }
    try {
      install_port_filters(lists, spec.ports);
    } catch (const std::exception& error) {
      throw std::runtime_error(spec.netns + ": network security groups: " + error.what());
    }
  }
}

}  // namespace hublab
