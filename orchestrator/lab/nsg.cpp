#include "orchestrator/lab/nsg.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "base/ascii.h"

namespace hublab {

namespace {

constexpr int kLowestPriority = 100;
constexpr int kHighestPriority = 4096;
constexpr size_t kMaxRuleName = 80;
constexpr size_t kMaxRules = 1000;  // "Azure subscription and service limits": rules per NSG

// Azure's enumerations are matched without regard to case.
template <typename T>
std::optional<T> parse_choice(const std::string& text,
                              const std::vector<std::pair<const char*, T>>& choices) {
  for (const auto& [name, value] : choices)
    if (ascii_lower(text) == ascii_lower(name)) return value;
  return std::nullopt;
}

const std::vector<std::pair<const char*, SecurityRule::Protocol>> kProtocols = {
    {"Tcp", SecurityRule::Protocol::kTcp},   {"Udp", SecurityRule::Protocol::kUdp},
    {"Icmp", SecurityRule::Protocol::kIcmp}, {"Esp", SecurityRule::Protocol::kEsp},
    {"Ah", SecurityRule::Protocol::kAh},     {"*", SecurityRule::Protocol::kAny}};

const std::vector<const char*> kServiceTags = {"VirtualNetwork", "Internet", "AzureLoadBalancer"};

// A rule's name: "begin with a letter or number, end with a letter, number
// or underscore, and may contain only letters, numbers, underscores,
// periods, or hyphens", at most 80 characters.
bool is_rule_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxRuleName) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!word(name.front()) || !(word(name.back()) || name.back() == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return word(c) || c == '_' || c == '.' || c == '-'; });
}

std::optional<PortRange> parse_port_range(const std::string& text) {
  if (text == "*") return PortRange{};
  auto number = [](const std::string& digits) -> std::optional<int> {
    if (digits.empty() || digits.size() > 5 ||
        !std::all_of(digits.begin(), digits.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }))
      return std::nullopt;
    int value = std::stoi(digits);
    if (value > 65535) return std::nullopt;
    return value;
  };
  const size_t dash = text.find('-');
  auto first = number(text.substr(0, dash));
  auto last = dash == std::string::npos ? first : number(text.substr(dash + 1));
  if (!first || !last || *first > *last) return std::nullopt;
  return PortRange{*first, *last};
}

// `KEY` (one string) or `KEYs` (an array): Azure's singular and plural
// properties, one of them at most.
std::vector<std::pair<std::string, SourceLocation>> singular_or_plural(Fields& f,
                                                                       const std::string& key,
                                                                       const std::string& plural,
                                                                       bool& both) {
  both = f.has(key) && f.has(plural);
  if (both) {
    f.field_error(plural, "give " + key + " or " + plural + ", not both");
    f.node(key);
    f.node(plural);
    return {};
  }
  if (f.has(key)) {
    if (auto text = f.string(key, false)) return {{*text, f.where(key)}};
    return {};
  }
  if (!f.has(plural)) return {};
  const toml::node* n = f.node(plural);
  if (!n->as_array()) {
    f.field_error(plural, "expected an array of strings");
    return {};
  }
  return f.strings(plural, false);
}

void read_endpoints(Fields& f, const std::string& side, SecurityRule& rule) {
  std::vector<NsgEndpoint>& endpoints = side == "source" ? rule.sources : rule.destinations;
  bool both = false;
  auto prefixes = singular_or_plural(f, side + "_address_prefix", side + "_address_prefixes", both);
  auto groups = f.strings(side + "_application_security_groups", false);
  if (both) return;
  if (!prefixes.empty() && !groups.empty()) {
    f.field_error(
        side + "_application_security_groups",
        "a rule's " + side + " is address prefixes or application security groups, " + "not both");
    return;
  }
  if (prefixes.empty() && groups.empty()) {
    f.error(f.where(), f.path() + ": missing required field '" + side +
                           "_address_prefix' (a prefix, \"*\" or a service tag) or '" + side +
                           "_application_security_groups'");
    return;
  }
  for (const auto& [name, at] : groups)
    endpoints.push_back(
        {.kind = NsgEndpoint::Kind::kApplicationSecurityGroup, .name = name, .where = at});
  for (const auto& [text, at] : prefixes) {
    NsgEndpoint e{.where = at};
    if (text == "*") {
      e.kind = NsgEndpoint::Kind::kAny;
    } else if (std::isdigit(static_cast<unsigned char>(text[0]))) {
      // An address alone is a /32.
      const std::string cidr = text.find('/') == std::string::npos ? text + "/32" : text;
      auto p = f.prefix(side + "_address_prefix", cidr, at);
      if (!p) continue;
      e.kind = NsgEndpoint::Kind::kPrefix;
      e.prefix = *p;
    } else {
      e.kind = NsgEndpoint::Kind::kServiceTag;
      e.name = text;
    }
    endpoints.push_back(e);
  }
}

std::vector<PortRange> read_ports(Fields& f, const std::string& side, SourceLocation& where) {
  bool both = false;
  auto texts = singular_or_plural(f, side + "_port_range", side + "_port_ranges", both);
  where =
      f.has(side + "_port_range") ? f.where(side + "_port_range") : f.where(side + "_port_ranges");
  if (texts.empty()) return {PortRange{}};  // "*", as the portal fills in
  std::vector<PortRange> ranges;
  for (const auto& [text, at] : texts) {
    if (auto range = parse_port_range(text))
      ranges.push_back(*range);
    else
      f.error(at, f.path() + "." + side + "_port_range: '" + text +
                      "' is not a port range (\"*\", \"22\" or \"1024-65535\", 0 to 65535)");
  }
  if (ranges.empty()) ranges.push_back(PortRange{});
  return ranges;
}

SecurityRule default_rule(const char* name, int priority, SecurityRule::Direction direction,
                          bool allow, NsgEndpoint source, NsgEndpoint destination) {
  SecurityRule rule;
  rule.name = name;
  rule.priority = priority;
  rule.direction = direction;
  rule.allow = allow;
  rule.sources = {std::move(source)};
  rule.destinations = {std::move(destination)};
  rule.source_ports = rule.destination_ports = {PortRange{}};
  rule.is_default = true;
  return rule;
}

bool by_priority(const SecurityRule& a, const SecurityRule& b) {
  return std::pair(a.direction, a.priority) < std::pair(b.direction, b.priority);
}

}  // namespace

const char* direction_name(SecurityRule::Direction direction) {
  return direction == SecurityRule::Direction::kInbound ? "Inbound" : "Outbound";
}

const char* nsg_protocol_name(SecurityRule::Protocol protocol) {
  for (const auto& [name, value] : kProtocols)
    if (value == protocol) return name;
  return "*";
}

std::string security_rule_id(const SecurityRule& rule) {
  return std::string(rule.is_default ? "defaultSecurityRules/" : "securityRules/") + rule.name;
}

bool is_emulated_service_tag(const std::string& tag) {
  return std::find(kServiceTags.begin(), kServiceTags.end(), tag) != kServiceTags.end();
}

namespace {

std::vector<Prefix> split_internet() {
  const std::vector<Prefix> excluded = {
      *Prefix::parse("0.0.0.0/8"),      *Prefix::parse("10.0.0.0/8"),
      *Prefix::parse("100.64.0.0/10"),  *Prefix::parse("127.0.0.0/8"),
      *Prefix::parse("169.254.0.0/16"), *Prefix::parse("172.16.0.0/12"),
      *Prefix::parse("192.168.0.0/16"), *Prefix::parse("224.0.0.0/3")};
  // Split 0.0.0.0/0 until no piece overlaps an excluded range partly.
  std::vector<Prefix> result, pending = {*Prefix::parse("0.0.0.0/0")};
  while (!pending.empty()) {
    Prefix p = pending.back();
    pending.pop_back();
    bool inside = false, partly = false;
    for (const Prefix& x : excluded) {
      inside |= x.contains(p);
      partly |= p.contains(x) && !x.contains(p);
    }
    if (inside) continue;
    if (!partly) {
      result.push_back(p);
      continue;
    }
    const int length = p.length + 1;
    Prefix low{p.network, length};
    Prefix high{Ipv4{p.network.value | (1u << (32 - length))}, length};
    pending.push_back(high);
    pending.push_back(low);
  }
  std::sort(result.begin(), result.end());
  return result;
}

}  // namespace

const std::vector<Prefix>& internet_prefixes() {
  static const std::vector<Prefix> prefixes = split_internet();
  return prefixes;
}

std::vector<SecurityRule> default_security_rules() {
  using D = SecurityRule::Direction;
  auto tag = [](const char* name) {
    return NsgEndpoint{.kind = NsgEndpoint::Kind::kServiceTag, .name = name};
  };
  const NsgEndpoint any{};
  return {
      default_rule("AllowVnetInBound", 65000, D::kInbound, true, tag("VirtualNetwork"),
                   tag("VirtualNetwork")),
      default_rule("AllowAzureLoadBalancerInBound", 65001, D::kInbound, true,
                   tag("AzureLoadBalancer"), any),
      default_rule("DenyAllInBound", 65500, D::kInbound, false, any, any),
      default_rule("AllowVnetOutBound", 65000, D::kOutbound, true, tag("VirtualNetwork"),
                   tag("VirtualNetwork")),
      default_rule("AllowInternetOutBound", 65001, D::kOutbound, true, any, tag("Internet")),
      default_rule("DenyAllOutBound", 65500, D::kOutbound, false, any, any),
  };
}

void read_nsg(Fields& f, const std::string& name, Lab& lab) {
  Nsg nsg;
  nsg.name = name;
  nsg.where = f.where();
  f.each_entry(
      "rules", "expected an array of rule tables",
      "{ name, priority, direction, access, protocol, source_address_prefix, "
      "destination_address_prefix, destination_port_range }",
      [&](Fields& rf, SourceLocation at) {
        SecurityRule rule;
        rule.where = at;
        rule.name = rf.string("name", true).value_or("");
        if (!rule.name.empty() && !is_rule_name(rule.name))
          rf.field_error("name",
                         "'" + rule.name +
                             "' is not a rule name (up to 80 letters, digits, '_', '.' and '-', "
                             "starting with a letter or digit, ending with one or '_')");
        rule.priority_where = rf.where("priority");
        rule.priority = static_cast<int>(
            rf.integer_in("priority", kLowestPriority, kHighestPriority, true, [](int64_t v) {
                return std::to_string(v) + " is out of range: a rule's priority is 100 to 4096";
              }).value_or(0));
        rule.direction_where = rf.where("direction");
        if (auto text = rf.string("direction", true)) {
          if (auto d = parse_choice<SecurityRule::Direction>(
                  *text, {{"Inbound", SecurityRule::Direction::kInbound},
                          {"Outbound", SecurityRule::Direction::kOutbound}}))
            rule.direction = *d;
          else
            rf.field_error("direction", "'" + *text + "' is not Inbound or Outbound");
        }
        if (auto text = rf.string("access", true)) {
          if (auto a = parse_choice<bool>(*text, {{"Allow", true}, {"Deny", false}}))
            rule.allow = *a;
          else
            rf.field_error("access", "'" + *text + "' is not Allow or Deny");
        }
        rule.protocol_where = rf.where("protocol");
        if (auto text = rf.string("protocol", true)) {
          if (auto p = parse_choice(*text, kProtocols))
            rule.protocol = *p;
          else
            rf.field_error("protocol", "'" + *text + "' is not Tcp, Udp, Icmp, Esp, Ah or *");
        }
        read_endpoints(rf, "source", rule);
        read_endpoints(rf, "destination", rule);
        rule.source_ports = read_ports(rf, "source", rule.source_ports_where);
        rule.destination_ports = read_ports(rf, "destination", rule.destination_ports_where);
        rf.node("description");
        nsg.rules.push_back(std::move(rule));
      });
  for (SecurityRule& rule : default_security_rules()) nsg.rules.push_back(std::move(rule));
  std::stable_sort(nsg.rules.begin(), nsg.rules.end(), by_priority);
  lab.nsgs.push_back(std::move(nsg));
}

void read_application_security_group(Fields& f, const std::string& name, Lab& lab) {
  f.string("description", false);
  lab.application_security_groups.push_back({name, f.where()});
}

void read_vm_security(Fields& f, Vm& vm) {
  vm.nsg = f.string("nsg", false).value_or("");
  vm.nsg_where = f.where("nsg");
  for (auto& [name, at] : f.strings("application_security_groups", false)) {
    vm.application_security_groups.push_back(name);
    vm.application_security_groups_where.push_back(at);
  }
}

namespace {

void validate_rules(const Lab& lab, const Nsg& nsg, Findings& findings) {
  std::map<std::pair<SecurityRule::Direction, int>, std::string> priorities;
  std::set<std::string> names;
  size_t user_rules = 0;
  for (size_t i = 0; i < nsg.rules.size(); ++i) {
    const SecurityRule& rule = nsg.rules[i];
    if (rule.is_default) continue;
    ++user_rules;
    const std::string path = "nsg." + nsg.name + " rule '" + rule.name + "'";
    if (!rule.name.empty() && !names.insert(ascii_lower(rule.name)).second)
      findings.error(rule.where, path + ": the NSG already has a rule of that name");
    if (rule.priority != 0) {
      auto [it, added] = priorities.emplace(std::pair(rule.direction, rule.priority), rule.name);
      if (!added)
        findings.error(rule.priority_where,
                       path + ".priority: " + std::to_string(rule.priority) + " is rule '" +
                           it->second + "''s already; priorities are unique per direction (" +
                           direction_name(rule.direction) + ")");
    }
    const bool ports_apply = rule.protocol == SecurityRule::Protocol::kTcp ||
                             rule.protocol == SecurityRule::Protocol::kUdp ||
                             rule.protocol == SecurityRule::Protocol::kAny;
    auto all_any = [](const std::vector<PortRange>& ranges) {
      return std::all_of(ranges.begin(), ranges.end(), [](const PortRange& r) { return r.any(); });
    };
    if (!ports_apply && !all_any(rule.destination_ports))
      findings.error(rule.destination_ports_where, path + ".destination_port_range: protocol " +
                                                       nsg_protocol_name(rule.protocol) +
                                                       " has no ports; give \"*\"");
    if (!ports_apply && !all_any(rule.source_ports))
      findings.error(rule.source_ports_where, path + ".source_port_range: protocol " +
                                                  nsg_protocol_name(rule.protocol) +
                                                  " has no ports; give \"*\"");
    std::set<std::string> asg_vnets;
    for (const std::vector<NsgEndpoint>* side : {&rule.sources, &rule.destinations})
      for (const NsgEndpoint& e : *side) {
        const char* which = side == &rule.sources ? "source" : "destination";
        if (e.kind == NsgEndpoint::Kind::kServiceTag && !is_emulated_service_tag(e.name))
          findings.error(e.where, path + "." + which + "_address_prefix: '" + e.name +
                                      "' is not a prefix, \"*\" or a service tag hublab "
                                      "emulates (VirtualNetwork, Internet, AzureLoadBalancer)");
        if (e.kind != NsgEndpoint::Kind::kApplicationSecurityGroup) continue;
        auto declared = std::find_if(lab.application_security_groups.begin(),
                                     lab.application_security_groups.end(),
                                     [&](const auto& a) { return a.name == e.name; });
        if (declared == lab.application_security_groups.end())
          findings.error(e.where, path + "." + which +
                                      "_application_security_groups: no application security "
                                      "group named '" +
                                      e.name + "' ([asg." + e.name + "])");
        for (const Vm& vm : lab.vms)
          if (std::count(vm.application_security_groups.begin(),
                         vm.application_security_groups.end(), e.name))
            asg_vnets.insert(vm.vnet);
      }
    // "All network interfaces assigned to an application security group
    // have to exist in the same virtual network that the first network
    // interface assigned to it is in"; a rule's groups share that network.
    if (asg_vnets.size() > 1)
      findings.error(rule.where, path +
                                     ": its application security groups hold NICs of more than "
                                     "one VNet; Azure requires them all in one");
  }
  if (user_rules > kMaxRules)
    findings.error(nsg.where, "nsg." + nsg.name + ": " + std::to_string(user_rules) +
                                  " rules; Azure allows 1000 per NSG");
}

}  // namespace

// MS Learn: "Network security groups" (security rules, default rules,
// service tags), "Application security groups", and where an NSG may not
// go: the GatewaySubnet and the RouteServerSubnet.
void validate_nsgs(const Lab& lab, Findings& findings) {
  for (const Nsg& nsg : lab.nsgs) validate_rules(lab, nsg, findings);
  for (const Vnet& vnet : lab.vnets)
    for (const Subnet& subnet : vnet.subnets) {
      if (subnet.nsg.empty()) continue;
      const std::string path =
          (vnet.on_premises ? "site." : "vnet.") + vnet.name + ".subnets." + subnet.name + ".nsg";
      if (!lab.find_nsg(subnet.nsg))
        findings.error(subnet.nsg_where,
                       path + ": no network security group named '" + subnet.nsg + "'");
      else if (vnet.on_premises)
        findings.error(subnet.nsg_where,
                       path +
                           ": network security groups are Azure's; a site filters by its "
                           "own device");
      else if (subnet.name == kGatewaySubnet)
        findings.error(subnet.nsg_where,
                       path +
                           ": Azure refuses an NSG on the GatewaySubnet "
                           "(NetworkSecurityGroupCannotBeAttachedToGatewaySubnet)");
      else if (subnet.name == kRouteServerSubnet)
        findings.error(subnet.nsg_where,
                       path + ": Azure does not support an NSG on the RouteServerSubnet");
    }
  std::map<std::string, std::string> asg_vnet;  // the VNet of its first NIC
  for (const Vm& vm : lab.vms) {
    const Vnet* vnet = lab.find_vnet(vm.vnet);
    if (!vm.nsg.empty()) {
      if (!lab.find_nsg(vm.nsg))
        findings.error(vm.nsg_where,
                       "vm." + vm.name + ".nsg: no network security group named '" + vm.nsg + "'");
      else if (vnet && vnet->on_premises)
        findings.error(vm.nsg_where, "vm." + vm.name +
                                         ".nsg: network security groups are Azure's; a site's "
                                         "VM has none");
    }
    for (size_t i = 0; i < vm.application_security_groups.size(); ++i) {
      const std::string& name = vm.application_security_groups[i];
      const SourceLocation at = vm.application_security_groups_where[i];
      const std::string path = "vm." + vm.name + ".application_security_groups";
      if (std::none_of(lab.application_security_groups.begin(),
                       lab.application_security_groups.end(),
                       [&](const auto& a) { return a.name == name; })) {
        findings.error(at, path + ": no application security group named '" + name + "'");
        continue;
      }
      if (vnet && vnet->on_premises) {
        findings.error(at, path +
                               ": application security groups are Azure's; a site's VM "
                               "joins none");
        continue;
      }
      auto [it, first] = asg_vnet.emplace(name, vm.vnet);
      if (!first && it->second != vm.vnet)
        findings.error(at, path + ": '" + name + "' already holds a NIC in VNet '" + it->second +
                               "'; Azure keeps an application security group's NICs in one VNet");
    }
  }
}

}  // namespace hublab
