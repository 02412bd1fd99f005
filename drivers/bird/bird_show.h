// Typed views of the BIRD replies hublab reads: `show protocols`, `show
// protocols all NAME` for BGP, `show route all table T`. Parsers only: they
// take an assembled Reply, so recorded replies are checked without a daemon.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/bird/bird_reply.h"

namespace hublab::bird {

// One row of `show protocols`.
struct Protocol {
  std::string name;
  std::string proto;  // BIRD's protocol type: "BGP", "Static", "Device", "Kernel", ...
  std::string table;  // "---" when the protocol has no channel (or several)
  std::string state;  // "up", "start", "down", "flush", ...
  std::string since;  // BIRD's time format: "12:34:47.573" today, a date otherwise
  std::string info;   // free text; for BGP the session state then the last error
};

// One channel ("Channel ipv4") of `show protocols all NAME`.
struct Channel {
  std::string name;   // "ipv4", "ipv6", ...
  std::string state;  // "UP" / "DOWN"
  std::string table;
  int preference = 0;
  // Present only while the channel is up ("Routes: 3 imported, 5 exported,
  // 2 preferred"); "filtered" appears only with `import keep filtered`.
  std::uint32_t imported = 0;
  std::uint32_t filtered = 0;
  std::uint32_t exported = 0;
  std::uint32_t preferred = 0;
};

// `show protocols all NAME` for a BGP protocol.
struct BgpSession {
  Protocol protocol;
  // BGP FSM state: "Idle", "Connect", "Active", "OpenSent", "OpenConfirm",
  // "Established", "Close", or "Down" while the protocol is disabled.
  std::string state;
  std::string neighbor_address;
  std::optional<std::uint32_t> neighbor_as;
  std::optional<std::uint32_t> local_as;
  std::string neighbor_id;     // router id learned in OPEN; empty until then
  std::string source_address;  // empty until a session exists
  std::string last_error;      // e.g. "Socket: Network is unreachable"
  std::vector<Channel> channels;

  bool established() const { return state == "Established"; }
};

struct NextHop {
  std::string gateway;  // empty for "dev IFACE" next hops
  std::string interface;
  int weight = 1;  // multipath weight; BIRD prints it only for multipath routes
};

// One route of `show route all table T`. A prefix with several candidate
// routes yields one Route per candidate; only one of them is primary.
struct Route {
  std::string table;
  std::string prefix;
  // "unicast" (see next_hops), "blackhole", "unreachable", "prohibited".
  std::string destination;
  std::vector<NextHop> next_hops;
  std::string protocol;  // BIRD protocol instance name, e.g. "vnets", "peer"
  std::string since;
  std::string from;  // BGP neighbor, printed only when it differs from the gateway
  // BIRD's selected route for the prefix ('*'; '!' = selected but the kernel
  // refused it). Non-primary rows are what Azure calls "Invalid".
  bool primary = false;
  int preference = 0;
  std::string type;  // "static univ", "BGP univ", ... (the "Type:" line)
  // Extended attributes by BIRD's name: "BGP.as_path", "BGP.next_hop",
  // "BGP.local_pref", "BGP.origin", "BGP.community", ...
  std::map<std::string, std::string> attributes;

  std::optional<std::string> attribute(std::string_view name) const;
};

std::vector<Protocol> parse_protocols(const Reply& reply);
// Throws std::runtime_error if `name` is not in the reply or is not BGP.
BgpSession parse_bgp_session(const Reply& reply, std::string_view name);
std::vector<Route> parse_routes(const Reply& reply);

}  // namespace hublab::bird
