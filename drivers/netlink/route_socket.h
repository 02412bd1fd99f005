#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "base/mac_address.h"

struct nl_sock;

namespace hublab {

// An rtnetlink socket (libnl-route) bound to the network namespace that was
// current when it was opened. Each call waits for the kernel's answer and
// throws with what it was doing if the kernel refused.
class RouteSocket {
 public:
  // Opens in the calling thread's current network namespace.
  RouteSocket();
  ~RouteSocket();
  RouteSocket(RouteSocket&&) noexcept;
  RouteSocket& operator=(RouteSocket&&) noexcept;

  struct LinkEnd {
    std::string name;
    int ifindex = 0;  // 0: let the kernel choose
    int netns_fd = -1;
    int master_ifindex = 0;
    std::optional<MacAddress> mac;  // none: the kernel's random one
  };

  void add_bridge(const std::string& name, int ifindex, const std::string& alias,
                  std::optional<MacAddress> mac = std::nullopt);
  // A permanent neighbor entry (no ARP): it never expires and, unlike
  // learned ones, does not count toward the host's neighbor table limit
  // (net.ipv4.neigh.default.gc_thresh3, 1024, shared by every namespace).
  void add_neighbor(int ifindex, const Ipv4& address, const MacAddress& mac);
  // Both ends are created up, directly in their namespaces: nothing of the
  // pair ever appears in the namespace of this socket unless asked.
  void add_veth(const LinkEnd& a, const LinkEnd& b);
  // A VXLAN device (RFC 7348) carrying one VNI to one remote endpoint over
  // UDP `port`, created up: the overlay two NVAs exchange routes over (MS
  // Learn's multi-region Route Server design). `local` and `remote` are
  // reached through this socket's namespace's routes; a route through the
  // device itself to `remote` makes the kernel drop what it would send.
  struct Vxlan {
    std::string name;
    int ifindex = 0;  // 0: let the kernel choose
    uint32_t vni = 0;
    Ipv4 local, remote;
    uint16_t port = 4789;           // IANA's VXLAN port
    std::optional<MacAddress> mac;  // none: the kernel's random one
  };
  void add_vxlan(const Vxlan& vxlan);
  void set_link_up(int ifindex);
  // Down: the kernel drops every IPv4 route through the link.
  void set_link_down(int ifindex);
  void set_link_queue_length(int ifindex, uint32_t packets);
  // Delays what leaves the link by `delay_ms` (a netem qdisc at its root).
  // False, and nothing changed, when the kernel has no netem.
  bool add_delay(int ifindex, int delay_ms);
  void add_address(int ifindex, const Ipv4& address, int prefix_length);

  enum class RouteKind { kUnicast, kBlackhole, kThrow };
  struct Route {
    uint32_t table = 254;
    Prefix destination;
    RouteKind kind = RouteKind::kUnicast;
    std::optional<Ipv4> via;
    int ifindex = 0;      // 0 for blackhole and throw routes
    bool onlink = false;  // the next hop is on the link whatever its prefix
    std::optional<Ipv4> source;
    uint32_t metric = 0;
    // The kernel's "proto" field: who made the route, read back as it was
    // written (RTPROT_STATIC unless the caller says more).
    uint8_t protocol = 4;  // RTPROT_STATIC
  };
  void add_route(const Route& route);
  // Adds, or replaces the route of the same destination, table and metric.
  void replace_route(const Route& route);
  // The index of a link made by someone else (a daemon's TUN device), or 0.
  int link_index(const std::string& name);
  // The name of a link, or "" when there is none of that index.
  std::string link_name(int ifindex);
  // A routing rule: packets matching every selector given look up `table`.
  struct Rule {
    std::string iif;  // "" for any input interface
    std::optional<Prefix> from, to;
    uint32_t table = 0;
    uint32_t priority = 0;
  };
  void add_rule(const Rule& rule);

  // One IPv4 route of a kernel table, as read back.
  struct KernelRoute {
    Prefix destination;
    RouteKind kind = RouteKind::kUnicast;  // kThrow, kBlackhole, or unicast
    std::optional<Ipv4> via;
    int ifindex = 0;
    uint8_t protocol = 0;  // RTPROT_STATIC (hublab), RTPROT_BIRD, RTPROT_KERNEL, ...
    uint32_t metric = 0;
  };
  std::vector<KernelRoute> routes(uint32_t table);

 private:
  struct Deleter {
    void operator()(nl_sock* sock) const;
  };
  void check(int result, const std::string& doing);
  void write_route(const Route& route, int flags);
  void set_link_flag_up(int ifindex, bool up);

  std::unique_ptr<nl_sock, Deleter> sock_;
  std::unique_ptr<int> last_error_;  // errno of the kernel's last refusal
};

}  // namespace hublab
