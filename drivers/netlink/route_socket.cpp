#include "drivers/netlink/route_socket.h"

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>

#include <cstring>
#include <stdexcept>
#include <utility>

#include "base/ipv4.h"

namespace hublab {

namespace {

template <typename T, void (*Put)(T*)>
struct Putter {
  void operator()(T* object) const { Put(object); }
};
using LinkPtr = std::unique_ptr<rtnl_link, Putter<rtnl_link, rtnl_link_put>>;
using AddrPtr = std::unique_ptr<rtnl_addr, Putter<rtnl_addr, rtnl_addr_put>>;
using RoutePtr = std::unique_ptr<rtnl_route, Putter<rtnl_route, rtnl_route_put>>;
using RulePtr = std::unique_ptr<rtnl_rule, Putter<rtnl_rule, rtnl_rule_put>>;
using NlAddrPtr = std::unique_ptr<nl_addr, Putter<nl_addr, nl_addr_put>>;
using NeighPtr = std::unique_ptr<rtnl_neigh, Putter<rtnl_neigh, rtnl_neigh_put>>;
using QdiscPtr = std::unique_ptr<rtnl_qdisc, Putter<rtnl_qdisc, rtnl_qdisc_put>>;

// libnl folds many kernel errors into "Unspecific failure"; the kernel's own
// errno, caught from the error message, says what went wrong.
int remember_kernel_error(sockaddr_nl*, nlmsgerr* error, void* last_error) {
  *static_cast<int*>(last_error) = -error->error;
  return NL_STOP;
}

template <typename Ptr>
Ptr allocated(typename Ptr::pointer object, const char* what) {
  if (!object) throw std::runtime_error(std::string("out of memory allocating ") + what);
  return Ptr(object);
}

NlAddrPtr link_layer_address(const MacAddress& mac) {
  return allocated<NlAddrPtr>(nl_addr_build(AF_LLC, mac.bytes.data(), mac.bytes.size()),
                              "a link-layer address");
}

NlAddrPtr nl_address(Ipv4 address, int prefix_length) {
  uint32_t network_order = htonl(address.value);
  auto result = allocated<NlAddrPtr>(nl_addr_build(AF_INET, &network_order, 4), "an address");
  nl_addr_set_prefixlen(result.get(), prefix_length);
  return result;
}

void describe_end(rtnl_link* link, const RouteSocket::LinkEnd& end) {
  rtnl_link_set_name(link, end.name.c_str());
  if (end.ifindex) rtnl_link_set_ifindex(link, end.ifindex);
  if (end.netns_fd >= 0) rtnl_link_set_ns_fd(link, end.netns_fd);
  if (end.master_ifindex) rtnl_link_set_master(link, end.master_ifindex);
  if (end.mac) rtnl_link_set_addr(link, link_layer_address(*end.mac).get());
  rtnl_link_set_flags(link, IFF_UP);
}

}  // namespace

void RouteSocket::Deleter::operator()(nl_sock* sock) const {
  nl_socket_free(sock);
}

RouteSocket::RouteSocket() : sock_(nl_socket_alloc()), last_error_(std::make_unique<int>(0)) {
  if (!sock_) throw std::runtime_error("out of memory allocating a netlink socket");
  nl_socket_modify_err_cb(sock_.get(), NL_CB_CUSTOM, remember_kernel_error, last_error_.get());
  check(nl_connect(sock_.get(), NETLINK_ROUTE), "opening an rtnetlink socket");
}

void RouteSocket::check(int result, const std::string& doing) {
  int kernel_error = std::exchange(*last_error_, 0);
  if (result >= 0) return;
  throw std::runtime_error(doing + ": " +
                           (kernel_error ? std::strerror(kernel_error) : nl_geterror(result)));
}

RouteSocket::~RouteSocket() = default;
RouteSocket::RouteSocket(RouteSocket&&) noexcept = default;
RouteSocket& RouteSocket::operator=(RouteSocket&&) noexcept = default;

void RouteSocket::add_bridge(const std::string& name, int ifindex, const std::string& alias,
                             std::optional<MacAddress> mac) {
  auto link = allocated<LinkPtr>(rtnl_link_bridge_alloc(), "a bridge");
  describe_end(link.get(), {name, ifindex, -1, 0, mac});
  check(rtnl_link_add(sock_.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL),
        "creating bridge " + name);
  if (alias.empty()) return;
  // The kernel takes an alias only on a change, not at creation.
  auto original = allocated<LinkPtr>(rtnl_link_alloc(), "a link");
  auto change = allocated<LinkPtr>(rtnl_link_alloc(), "a link");
  rtnl_link_set_ifindex(original.get(), ifindex);
  rtnl_link_set_ifalias(change.get(), alias.c_str());
  check(rtnl_link_change(sock_.get(), original.get(), change.get(), 0),
        "naming bridge " + name + " '" + alias + "'");
}

void RouteSocket::add_veth(const LinkEnd& a, const LinkEnd& b) {
  auto link = allocated<LinkPtr>(rtnl_link_veth_alloc(), "a veth pair");
  describe_end(link.get(), a);
  rtnl_link* peer = rtnl_link_veth_get_peer(link.get());
  // The peer's own flags are not applied by the kernel when libnl sends them
  // (ENOTCONN): the caller brings the far end up from its own namespace.
  describe_end(peer, b);
  rtnl_link_unset_flags(peer, IFF_UP);
  rtnl_link_put(peer);  // get_peer took a reference; the pair still holds it
  check(rtnl_link_add(sock_.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL),
        "creating veth pair " + a.name + "/" + b.name);
}

void RouteSocket::add_vxlan(const Vxlan& vxlan) {
  auto link = allocated<LinkPtr>(rtnl_link_vxlan_alloc(), "a VXLAN device");
  describe_end(link.get(), {vxlan.name, vxlan.ifindex, -1, 0, vxlan.mac});
  const std::string doing = "creating VXLAN device " + vxlan.name + " (VNI " +
                            std::to_string(vxlan.vni) + ", " + vxlan.local.str() + " to " +
                            vxlan.remote.str() + ")";
  check(rtnl_link_vxlan_set_id(link.get(), vxlan.vni), doing);
  check(rtnl_link_vxlan_set_local(link.get(), nl_address(vxlan.local, 32).get()), doing);
  // A unicast "group" is the one remote endpoint, as iproute2's `remote`.
  check(rtnl_link_vxlan_set_group(link.get(), nl_address(vxlan.remote, 32).get()), doing);
  check(rtnl_link_vxlan_set_port(link.get(), vxlan.port), doing);
  // One remote: nothing to learn, and no flood of unknown MACs elsewhere.
  check(rtnl_link_vxlan_set_learning(link.get(), 0), doing);
  check(rtnl_link_add(sock_.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL), doing);
}

void RouteSocket::set_link_up(int ifindex) {
  set_link_flag_up(ifindex, true);
}

void RouteSocket::set_link_down(int ifindex) {
  set_link_flag_up(ifindex, false);
}

void RouteSocket::set_link_flag_up(int ifindex, bool up) {
  auto original = allocated<LinkPtr>(rtnl_link_alloc(), "a link");
  auto change = allocated<LinkPtr>(rtnl_link_alloc(), "a link");
  rtnl_link_set_ifindex(original.get(), ifindex);
  if (up)
    rtnl_link_set_flags(change.get(), IFF_UP);
  else
    rtnl_link_unset_flags(change.get(), IFF_UP);
  check(rtnl_link_change(sock_.get(), original.get(), change.get(), 0),
        "setting link " + std::to_string(ifindex) + (up ? " up" : " down"));
}

void RouteSocket::set_link_queue_length(int ifindex, uint32_t packets) {
  auto original = allocated<LinkPtr>(rtnl_link_alloc(), "a link");
  auto change = allocated<LinkPtr>(rtnl_link_alloc(), "a link");
  rtnl_link_set_ifindex(original.get(), ifindex);
  rtnl_link_set_txqlen(change.get(), packets);
  check(rtnl_link_change(sock_.get(), original.get(), change.get(), 0),
        "setting the queue length of link " + std::to_string(ifindex));
}

bool RouteSocket::add_delay(int ifindex, int delay_ms) {
  auto qdisc = allocated<QdiscPtr>(rtnl_qdisc_alloc(), "a qdisc");
  rtnl_tc_set_ifindex(TC_CAST(qdisc.get()), ifindex);
  rtnl_tc_set_parent(TC_CAST(qdisc.get()), TC_H_ROOT);
  check(rtnl_tc_set_kind(TC_CAST(qdisc.get()), "netem"), "choosing netem");
  rtnl_netem_set_delay(qdisc.get(), delay_ms * 1000);  // microseconds
  const int result = rtnl_qdisc_add(sock_.get(), qdisc.get(), NLM_F_CREATE | NLM_F_REPLACE);
  // A kernel without sch_netem knows no such qdisc kind.
  if (result == -NLE_OBJ_NOTFOUND || result == -NLE_OPNOTSUPP || result == -NLE_NOATTR)
    return false;
  check(result, "delaying link " + std::to_string(ifindex) + " by " + std::to_string(delay_ms) +
                    " ms (netem)");
  return true;
}

void RouteSocket::add_neighbor(int ifindex, const Ipv4& address, const MacAddress& mac) {
  auto neighbor = allocated<NeighPtr>(rtnl_neigh_alloc(), "a neighbor");
  rtnl_neigh_set_ifindex(neighbor.get(), ifindex);
  rtnl_neigh_set_family(neighbor.get(), AF_INET);
  check(rtnl_neigh_set_dst(neighbor.get(), nl_address(address, 32).get()),
        "setting neighbor " + address.str());
  rtnl_neigh_set_lladdr(neighbor.get(), link_layer_address(mac).get());
  rtnl_neigh_set_state(neighbor.get(), NUD_PERMANENT);
  check(rtnl_neigh_add(sock_.get(), neighbor.get(), NLM_F_CREATE | NLM_F_REPLACE),
        "adding neighbor " + address.str() + " " + mac.str());
}

void RouteSocket::add_address(int ifindex, const Ipv4& address, int prefix_length) {
  auto addr = allocated<AddrPtr>(rtnl_addr_alloc(), "an address");
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  rtnl_addr_set_family(addr.get(), AF_INET);
  check(rtnl_addr_set_local(addr.get(), nl_address(address, prefix_length).get()),
        "setting address " + address.str());
  rtnl_addr_set_prefixlen(addr.get(), prefix_length);
  check(rtnl_addr_add(sock_.get(), addr.get(), NLM_F_CREATE | NLM_F_EXCL),
        "adding address " + address.str() + "/" + std::to_string(prefix_length));
}

void RouteSocket::add_route(const Route& spec) {
  write_route(spec, NLM_F_CREATE | NLM_F_EXCL);
}

void RouteSocket::replace_route(const Route& spec) {
  write_route(spec, NLM_F_CREATE | NLM_F_REPLACE);
}

void RouteSocket::write_route(const Route& spec, int flags) {
  const auto& [table, destination, kind, via, ifindex, onlink, source, metric, protocol] = spec;
  auto route = allocated<RoutePtr>(rtnl_route_alloc(), "a route");
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), table);
  rtnl_route_set_protocol(route.get(), protocol);
  check(rtnl_route_set_dst(route.get(), nl_address(destination.network, destination.length).get()),
        "setting route destination " + destination.str());
  if (metric) rtnl_route_set_priority(route.get(), metric);
  if (kind != RouteKind::kUnicast) {
    rtnl_route_set_type(route.get(), kind == RouteKind::kBlackhole ? RTN_BLACKHOLE : RTN_THROW);
    rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  } else {
    rtnl_route_set_type(route.get(), RTN_UNICAST);
    rtnl_route_set_scope(route.get(), via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
    rtnl_nexthop* hop = rtnl_route_nh_alloc();
    if (!hop) throw std::runtime_error("out of memory allocating a next hop");
    rtnl_route_nh_set_ifindex(hop, ifindex);
    if (via) rtnl_route_nh_set_gateway(hop, nl_address(*via, 32).get());
    if (onlink) rtnl_route_nh_set_flags(hop, RTNH_F_ONLINK);
    rtnl_route_add_nexthop(route.get(), hop);  // the route owns it now
  }
  if (source) rtnl_route_set_pref_src(route.get(), nl_address(*source, 32).get());
  check(rtnl_route_add(sock_.get(), route.get(), flags),
        "adding route " + destination.str() + " to table " + std::to_string(table));
}

std::vector<RouteSocket::KernelRoute> RouteSocket::routes(uint32_t table) {
  nl_cache* raw = nullptr;
  check(rtnl_route_alloc_cache(sock_.get(), AF_INET, 0, &raw),
        "reading routes of table " + std::to_string(table));
  std::unique_ptr<nl_cache, void (*)(nl_cache*)> cache(raw, nl_cache_free);
  std::vector<KernelRoute> found;
  for (nl_object* object = nl_cache_get_first(cache.get()); object;
       object = nl_cache_get_next(object)) {
    auto* route = reinterpret_cast<rtnl_route*>(object);
    if (rtnl_route_get_table(route) != table) continue;
    uint8_t type = rtnl_route_get_type(route);
    if (type != RTN_UNICAST && type != RTN_THROW && type != RTN_BLACKHOLE) continue;
    KernelRoute r;
    nl_addr* dst = rtnl_route_get_dst(route);
    uint32_t network = 0;
    if (dst && nl_addr_get_len(dst) == 4) std::memcpy(&network, nl_addr_get_binary_addr(dst), 4);
    r.destination =
        Prefix{Ipv4{ntohl(network)}, dst ? static_cast<int>(nl_addr_get_prefixlen(dst)) : 0};
    r.kind = type == RTN_THROW       ? RouteKind::kThrow
             : type == RTN_BLACKHOLE ? RouteKind::kBlackhole
                                     : RouteKind::kUnicast;
    r.protocol = rtnl_route_get_protocol(route);
    r.metric = rtnl_route_get_priority(route);
    if (rtnl_route_get_nnexthops(route) > 0) {
      rtnl_nexthop* hop = rtnl_route_nexthop_n(route, 0);
      r.ifindex = rtnl_route_nh_get_ifindex(hop);
      if (nl_addr* gw = rtnl_route_nh_get_gateway(hop); gw && nl_addr_get_len(gw) == 4) {
        uint32_t address = 0;
        std::memcpy(&address, nl_addr_get_binary_addr(gw), 4);
        r.via = Ipv4{ntohl(address)};
      }
    }
    found.push_back(r);
  }
  return found;
}

int RouteSocket::link_index(const std::string& name) {
  rtnl_link* found = nullptr;
  int result = rtnl_link_get_kernel(sock_.get(), 0, name.c_str(), &found);
  *last_error_ = 0;
  if (result < 0 || !found) return 0;
  LinkPtr link(found);
  return rtnl_link_get_ifindex(link.get());
}

std::string RouteSocket::link_name(int ifindex) {
  rtnl_link* found = nullptr;
  int result = rtnl_link_get_kernel(sock_.get(), ifindex, nullptr, &found);
  *last_error_ = 0;
  if (result < 0 || !found) return "";
  LinkPtr link(found);
  const char* name = rtnl_link_get_name(link.get());
  return name ? name : "";
}

void RouteSocket::add_rule(const Rule& spec) {
  auto rule = allocated<RulePtr>(rtnl_rule_alloc(), "a rule");
  rtnl_rule_set_family(rule.get(), AF_INET);
  std::string text = "rule";
  if (!spec.iif.empty()) {
    check(rtnl_rule_set_iif(rule.get(), spec.iif.c_str()), "setting rule interface " + spec.iif);
    text += " iif " + spec.iif;
  }
  if (spec.from) {
    check(rtnl_rule_set_src(rule.get(), nl_address(spec.from->network, spec.from->length).get()),
          "setting rule source " + spec.from->str());
    text += " from " + spec.from->str();
  }
  if (spec.to) {
    check(rtnl_rule_set_dst(rule.get(), nl_address(spec.to->network, spec.to->length).get()),
          "setting rule destination " + spec.to->str());
    text += " to " + spec.to->str();
  }
  rtnl_rule_set_table(rule.get(), spec.table);
  rtnl_rule_set_prio(rule.get(), spec.priority);
  rtnl_rule_set_action(rule.get(), FR_ACT_TO_TBL);
  check(rtnl_rule_add(sock_.get(), rule.get(), NLM_F_CREATE | NLM_F_EXCL),
        "adding " + text + " lookup " + std::to_string(spec.table));
}

}  // namespace hublab
