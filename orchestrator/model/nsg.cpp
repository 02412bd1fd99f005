#include "orchestrator/model/nsg.h"

#include <algorithm>

#include "orchestrator/lab/nsg.h"

namespace hublab {

namespace {

constexpr int kEphemeralFirst = 32768;  // Linux's ip_local_port_range
constexpr int kEphemeralLast = 60999;

bool protocol_matches(SecurityRule::Protocol rule, ProbeProtocol packet) {
  switch (rule) {
    case SecurityRule::Protocol::kAny:
      return true;
    case SecurityRule::Protocol::kTcp:
      return packet == ProbeProtocol::kTcp;
    case SecurityRule::Protocol::kUdp:
      return packet == ProbeProtocol::kUdp;
    case SecurityRule::Protocol::kIcmp:
      return packet == ProbeProtocol::kIcmp;
    default:
      return false;  // ESP and AH: no probe is either
  }
}

// A port range constrains TCP and UDP only: an ICMP packet has no ports,
// so a rule that names some does not match it.
bool ports_match(const std::vector<PortRange>& ranges, ProbeProtocol protocol, int port,
                 bool ephemeral) {
  const bool any = std::all_of(ranges.begin(), ranges.end(), [](auto& r) { return r.any(); });
  if (any) return true;
  if (protocol == ProbeProtocol::kIcmp) return false;
  for (const PortRange& r : ranges)
    if (ephemeral ? r.first <= kEphemeralFirst && kEphemeralLast <= r.last
                  : r.first <= port && port <= r.last)
      return true;
  return false;
}

bool in_any(const std::vector<Prefix>& prefixes, Ipv4 address) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const Prefix& p) { return p.contains(address); });
}

}  // namespace

std::string NsgVerdict::text() const {
  if (allowed || decisions.empty()) return "allowed";
  const NsgDecision& d = decisions.back();
  return "denied by " + d.nsg + " rule " + d.rule->name + " (" + direction_name(d.rule->direction) +
         ", " + d.associated + ")";
}

std::vector<std::pair<const Nsg*, std::string>> NsgModel::nsgs_of(const Vm& vm) const {
  std::vector<std::pair<const Nsg*, std::string>> result;
  const Vnet* vnet = lab_.find_vnet(vm.vnet);
  const Subnet* subnet = vnet ? vnet->find_subnet(vm.subnet) : nullptr;
  if (subnet && !subnet->nsg.empty())
    if (const Nsg* nsg = lab_.find_nsg(subnet->nsg))
      result.emplace_back(nsg, "subnet " + vm.vnet + "/" + vm.subnet);
  if (!vm.nsg.empty())
    if (const Nsg* nsg = lab_.find_nsg(vm.nsg)) result.emplace_back(nsg, "NIC of " + vm.name);
  return result;
}

std::vector<Prefix> NsgModel::virtual_network(const Vm& vm) const {
  std::lock_guard<std::mutex> lock(tags_mutex_);
  auto key = std::pair(vm.vnet, vm.subnet);
  auto it = tags_.find(key);
  if (it == tags_.end()) it = tags_.emplace(key, compute_virtual_network(vm)).first;
  return it->second;
}

std::vector<Prefix> NsgModel::compute_virtual_network(const Vm& vm) const {
  std::vector<Prefix> prefixes{kAzureHostAddress};
  for (const Prefix& space : lab_.find_vnet(vm.vnet)->address_space) prefixes.push_back(space);
  for (const ControlPlane::SubnetRoute& r : control_.routes_of(vm.vnet, vm.subnet)) {
    const bool reached = r.row.next_hop_type == ControlPlane::kVnetPeering ||
                         r.row.next_hop_type == ControlPlane::kGatewayHop;
    // "Address prefixes used on user-defined routes": whatever their next hop.
    if ((reached && r.row.state == "Active") || r.user) prefixes.push_back(r.row.prefix);
  }
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  return prefixes;
}

std::vector<Prefix> NsgModel::expand(const NsgEndpoint& endpoint, const Vm& vm) const {
  switch (endpoint.kind) {
    case NsgEndpoint::Kind::kAny:
      return {*Prefix::parse("0.0.0.0/0")};
    case NsgEndpoint::Kind::kPrefix:
      return {endpoint.prefix};
    case NsgEndpoint::Kind::kServiceTag:
      if (endpoint.name == "VirtualNetwork") return virtual_network(vm);
      if (endpoint.name == "Internet") return internet_prefixes();
      return {kAzureHostAddress};  // AzureLoadBalancer: the host's health probes
    case NsgEndpoint::Kind::kApplicationSecurityGroup: {
      std::vector<Prefix> members;
      for (const Vm& member : lab_.vms)
        if (std::count(member.application_security_groups.begin(),
                       member.application_security_groups.end(), endpoint.name))
          members.push_back(Prefix{lab_.vm_address(member), 32});
      return members;
    }
  }
  return {};
}

ExpandedRule NsgModel::expand(const SecurityRule& rule, const Vm& vm) const {
  ExpandedRule expanded{.rule = &rule};
  for (const NsgEndpoint& e : rule.sources)
    for (const Prefix& p : expand(e, vm)) expanded.sources.push_back(p);
  for (const NsgEndpoint& e : rule.destinations)
    for (const Prefix& p : expand(e, vm)) expanded.destinations.push_back(p);
  return expanded;
}

bool NsgModel::matches(const SecurityRule& rule, const Vm& vm, const Flow& flow) const {
  if (!protocol_matches(rule.protocol, flow.protocol)) return false;
  if (!ports_match(rule.source_ports, flow.protocol, flow.source_port, flow.source_port == 0))
    return false;
  if (!ports_match(rule.destination_ports, flow.protocol, flow.destination_port,
                   flow.destination_port == 0))
    return false;
  const ExpandedRule expanded = expand(rule, vm);
  return in_any(expanded.sources, flow.source) && in_any(expanded.destinations, flow.destination);
}

NsgVerdict NsgModel::at_nic(const Vm& vm, SecurityRule::Direction direction,
                            const Flow& flow) const {
  NsgVerdict verdict;
  auto nsgs = nsgs_of(vm);
  // Inbound the subnet's first, then the NIC's; outbound the other way.
  if (direction == SecurityRule::Direction::kOutbound) std::reverse(nsgs.begin(), nsgs.end());
  for (const auto& [nsg, associated] : nsgs) {
    for (const SecurityRule& rule : nsg->rules) {
      if (rule.direction != direction || !matches(rule, vm, flow)) continue;
      verdict.decisions.push_back({nsg->name, associated, &rule});
      break;
    }
    // The default rules match everything last: a decision is always made.
    if (!verdict.decisions.empty() && !verdict.decisions.back().rule->allow) {
      verdict.allowed = false;
      return verdict;
    }
  }
  return verdict;
}

}  // namespace hublab
