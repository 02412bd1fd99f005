#pragma once

// Stateful filters on a bridge's ports, in the calling thread's network
// namespace: what comes in from a port and what the bridge sends out of it
// pass through lists of rules, each list decided by its first matching rule
// (accept: on to the port's next list; drop: the packet ends), and a packet
// of a flow already accepted passes without them. Knows nothing of labs.
//
// Bridged and routed IPv4 alike: br_netfilter runs the IPv4 hooks, and
// their connection tracking, on bridged packets, so
//   table ip hublab_flows     prerouting/output -150: ct state established,related
//                             meta mark set mark | kEstablished
//   table bridge hublab_ports prerouting 100 (from a port: iifname),
//                             postrouting 100 (out of a port: oifname):
//                             not IPv4 accept; mark & kEstablished accept;
//                             iifname "v-a" jump p0 ...
// reads the state the IPv4 hooks left, since the bridge family has no
// conntrack of its own here (nf_conntrack_bridge is not always built).
// Each rule is a chain reached by goto, its sources and destinations chains
// of their own, so a rule costs its prefixes, not their product.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/ipv4.h"
#include "drivers/netfilter/packet_trace.h"

namespace hublab {

// What a rule matches; unset or empty matches anything.
struct PacketTest {
  std::optional<uint8_t> ip_protocol;
  std::optional<std::pair<uint16_t, uint16_t>> source_ports, destination_ports;  // TCP, UDP
  std::vector<Prefix> sources, destinations;
};

struct FilterRule {
  PacketTest test;
  bool accept = true;
};

struct FilterList {
  std::vector<FilterRule> rules;  // none matching: accepted
};

// The lists (indexes into the lists installed) a port's traffic passes, in
// order.
struct PortFilter {
  std::string interface;  // a bridge port
  bool outgoing = false;  // what the bridge sends out of it; else what comes in from it
  std::vector<size_t> lists;
};

void install_port_filters(const std::vector<FilterList>& lists,
                          const std::vector<PortFilter>& ports);

// The hooks' priority of the port filters (a PacketTrace's drop_after).
inline constexpr int kPortFiltersPriority = 100;

// What one packet met in the port filters, read from its trace.
struct PortFilterPassage {
  bool reached = false;      // it came to its port (the trace saw it there)
  bool established = false;  // passed as a flow already accepted, without the lists
  struct Decision {
    size_t list = 0, rule = 0;  // indexes into the lists installed, and into the list's rules
    bool accept = true;
  };
  std::vector<Decision> decisions;  // each list's deciding rule in turn; a drop is the last
};
PortFilterPassage read_port_filter_trace(const std::vector<TraceEvent>& events);

}  // namespace hublab
