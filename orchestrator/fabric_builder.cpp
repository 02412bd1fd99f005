#include "orchestrator/fabric_builder.h"

#include <optional>
#include <stdexcept>

#include "drivers/netfilter/nftables.h"
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

void FabricBuilder::build(const FabricPlan& plan) {
  for (const NamespaceSpec& spec : plan.namespaces) {
    check_interrupted();
    state_.record_namespace(spec.name);
    std::optional<NetworkNamespace> created;
    try {
      created.emplace(NetworkNamespace::create(spec.name));
    } catch (const NamespaceExists&) {
      state_.forget_last_namespace();  // never remove what this lab did not make
      throw;
    }
    NetworkNamespace netns = std::move(*created);
    ThreadInNamespace inside(netns.fd());
    for (const SysctlSpec& sysctl : plan.sysctls)
      if (sysctl.netns == spec.name) write_sysctl(sysctl.path, sysctl.value);
    RouteSocket sock;
    sock.set_link_up(1);  // lo
    nodes_.emplace(spec.name, Node{std::move(netns), std::move(sock)});
  }
  check_interrupted();
  for (const BridgeSpec& spec : plan.bridges)
    node(spec.bridge.netns).sock.add_bridge(spec.bridge.name, spec.bridge.ifindex, spec.alias);
  for (const VethSpec& spec : plan.veths) {
    Node& a = node(spec.a.netns);
    Node& b = node(spec.b.netns);
    a.sock.add_veth({spec.a.name, spec.a.ifindex, -1, spec.a_master},
                    {spec.b.name, spec.b.ifindex, b.netns.fd(), 0});
    b.sock.set_link_up(spec.b.ifindex);
  }
  check_interrupted();
  for (const AddressSpec& spec : plan.addresses)
    node(spec.interface.netns)
        .sock.add_address(spec.interface.ifindex, spec.address, spec.prefix_length);
  for (const RouteSpec& spec : plan.routes) {
    auto kind = spec.kind == RouteSpec::Kind::kBlackhole ? RouteSocket::RouteKind::kBlackhole
                : spec.kind == RouteSpec::Kind::kThrow   ? RouteSocket::RouteKind::kThrow
                                                         : RouteSocket::RouteKind::kUnicast;
    node(spec.netns)
        .sock.add_route(spec.table, spec.destination, kind, spec.via, spec.ifindex, spec.onlink,
                        std::nullopt, spec.metric);
  }
  for (const RuleSpec& spec : plan.rules)
    node(spec.netns).sock.add_rule(spec.iif, spec.table, spec.priority);
  for (const NftablesSpec& spec : plan.nftables) {
    ThreadInNamespace inside(node(spec.netns).netns.fd());
    run_nftables(spec.ruleset);
  }
}

void stop_lab_daemons(LabState& state) {
  // Daemons first: charon removes its TUN device and BIRD its routes while
  // their namespaces still exist. SIGTERM to all at once, then the waits.
  std::vector<DaemonId> daemons;
  for (const LabState::DaemonRecord& daemon : state.daemons()) daemons.push_back(daemon.id);
  stop_daemons(daemons, std::chrono::milliseconds(2000));
}

int remove_lab_namespaces(LabState& state) {
  int removed = 0;
  for (const std::string& netns : state.namespaces())
    if (NetworkNamespace::remove(netns)) ++removed;
  state.remove();
  return removed;
}

int tear_down(LabState& state) {
  stop_lab_daemons(state);
  return remove_lab_namespaces(state);
}

}  // namespace hublab
