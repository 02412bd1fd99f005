#include "orchestrator/apply/fabric.h"

#include <optional>
#include <set>
#include <stdexcept>

#include "drivers/netfilter/silent_hop.h"
#include "drivers/netfilter/source_guard.h"
#include "drivers/netfilter/ttl_boost.h"
#include "drivers/netlink/sysctl.h"

namespace hublab {

FabricBuilder::FabricBuilder(LabState& state, std::function<bool()> interrupted)
    : state_(state), interrupted_(std::move(interrupted)) {}

FabricBuilder::Node& FabricBuilder::node(const std::string& netns) {
  auto it = nodes_.find(netns);
  if (it == nodes_.end()) throw std::logic_error("plan names unknown namespace " + netns);
  return it->second;
}

void FabricBuilder::check_interrupted() {
  if (interrupted_ && interrupted_()) throw std::runtime_error("interrupted");
}

namespace {

RouteSocket::RouteKind route_kind(RouteSpec::Kind kind) {
  switch (kind) {
    case RouteSpec::Kind::kBlackhole:
      return RouteSocket::RouteKind::kBlackhole;
    case RouteSpec::Kind::kThrow:
      return RouteSocket::RouteKind::kThrow;
    case RouteSpec::Kind::kUnicast:
      break;
  }
  return RouteSocket::RouteKind::kUnicast;
}

}  // namespace

RouteSocket::Route kernel_route(const RouteSpec& spec) {
  return {.table = spec.table,
          .destination = spec.destination,
          .kind = route_kind(spec.kind),
          .via = spec.via,
          .ifindex = spec.ifindex,
          .onlink = spec.onlink,
          .source = spec.source_address,
          .metric = spec.metric,
          .protocol = kernel_protocol_of(spec.source)};
}

std::vector<std::string> FabricBuilder::build(const FabricPlan& plan) {
  // Each namespace, with its sysctls and its own netlink socket.
  for (const NamespaceSpec& spec : plan.namespaces) {
    check_interrupted();
    const std::string& name = spec.name;
    state_.record_namespace(name);
    std::optional<NetworkNamespace> created;
    try {
      created.emplace(NetworkNamespace::create(name));
    } catch (const NamespaceExists&) {
      state_.forget_namespace(name);  // never remove what this lab did not make
      throw;
    }
    ThreadInNamespace inside(created->fd());
    for (const SysctlSpec& sysctl : plan.sysctls)
      if (sysctl.netns == name) write_sysctl(sysctl.path, sysctl.value);
    RouteSocket sock;
    sock.set_link_up(1);  // lo
    nodes_.emplace(name, Node{std::move(*created), std::move(sock)});
  }
  check_interrupted();

  // Links join namespaces: one after the other.
  for (const BridgeSpec& spec : plan.bridges)
    node(spec.bridge.netns)
        .sock.add_bridge(spec.bridge.name, spec.bridge.ifindex, spec.alias, spec.bridge.mac);
  for (const VethSpec& spec : plan.veths) {
    Node& a = node(spec.a.netns);
    Node& b = node(spec.b.netns);
    a.sock.add_veth({spec.a.name, spec.a.ifindex, -1, spec.a_master, spec.a.mac},
                    {spec.b.name, spec.b.ifindex, b.netns.fd(), 0, spec.b.mac});
    b.sock.set_link_up(spec.b.ifindex);
  }
  for (const VxlanSpec& spec : plan.vxlans)
    node(spec.device.netns)
        .sock.add_vxlan({.name = spec.device.name,
                         .ifindex = spec.device.ifindex,
                         .vni = spec.vni,
                         .local = spec.local,
                         .remote = spec.remote,
                         .mac = spec.device.mac});
  check_interrupted();

  // Addresses, routes and rules, each through its namespace's socket.
  for (const AddressSpec& spec : plan.addresses)
    node(spec.interface.netns)
        .sock.add_address(spec.interface.ifindex, spec.address, spec.prefix_length);
  for (const NeighborSpec& spec : plan.neighbors)
    node(spec.interface.netns).sock.add_neighbor(spec.interface.ifindex, spec.address, spec.mac);
  for (const RouteSpec& spec : plan.routes) node(spec.netns).sock.add_route(kernel_route(spec));
  for (const RuleSpec& spec : plan.rules)
    node(spec.netns)
        .sock.add_rule({.iif = spec.iif,
                        .from = spec.from,
                        .to = spec.to,
                        .table = spec.table,
                        .priority = spec.priority});
  check_interrupted();
  for (const TtlBoostSpec& spec : plan.ttl_boosts) {
    ThreadInNamespace inside(node(spec.netns).netns.fd());
    install_ttl_boost(spec.interfaces, kHiddenHopsMaxTtl, kHiddenHopsTtlBoost);
  }
  for (const ForwardedTrafficGuardSpec& spec : plan.forwarded_traffic_guards) {
    ThreadInNamespace inside(node(spec.netns).netns.fd());
    install_source_guard(spec.from_interfaces, spec.to_interfaces, spec.own_sources);
  }
  for (const SilentHopSpec& spec : plan.silent_hops) {
    ThreadInNamespace inside(node(spec.netns).netns.fd());
    install_silent_hop(kHiddenHopsMaxTtl);
  }
  std::vector<std::string> notes;
  std::set<std::string> undelayed;  // circuits whose links the kernel cannot delay
  for (const LinkDelaySpec& spec : plan.link_delays) {
    if (undelayed.count(spec.circuit) ||
        node(spec.interface.netns).sock.add_delay(spec.interface.ifindex, spec.delay_ms))
      continue;
    undelayed.insert(spec.circuit);
    notes.push_back("circuit " + spec.circuit + ": latency_ms = " + std::to_string(spec.delay_ms) +
                    " not applied: this kernel has no netem (sch_netem); its edge links run "
                    "without delay (hublab doctor)");
  }
  return notes;
}

}  // namespace hublab
