#include "orchestrator/lab/expectations.h"

#include <map>
#include <set>
#include <tuple>

namespace hublab {

std::string Expectation::name() const {
  std::string text = from + " -> " + to + " (" + protocol_name(protocol);
  if (port) text += "/" + std::to_string(port);
  return text + ")";
}

std::vector<Expectation> expand_expectations(const Lab& lab) {
  using Key = std::tuple<std::string, std::string, ProbeProtocol, int>;
  std::map<Key, size_t> index;
  std::vector<Expectation> out;
  std::set<std::pair<std::string, std::string>> named;
  auto destination_of = [&](const std::string& to) {
    if (const Vm* vm = lab.find_vm(to)) return lab.vm_address(*vm);
    return *Ipv4::parse(to);
  };
  for (const ExpectRule& rule : lab.expectations.rules) {
    for (const std::string& from : rule.from) {
      for (const std::string& to : rule.to) {
        if (from == to) continue;  // a VM with itself is no pair
        named.insert({from, to});
        Expectation e;
        e.from = from;
        e.to = to;
        e.destination = destination_of(to);
        e.protocol = rule.protocol;
        e.port = rule.port.value_or(0);
        e.reachable = rule.reachable;
        e.hops =
            rule.hops ? rule.hops : (rule.reachable ? lab.expectations.default_hops : std::nullopt);
        e.where = rule.where;
        Key key{from, to, e.protocol, e.port};
        auto [it, fresh] = index.emplace(key, out.size());
        if (fresh)
          out.push_back(e);
        else
          out[it->second] = e;
      }
    }
  }
  auto fallback = lab.expectations.default_reachability;
  if (fallback == Expectations::Default::kUnchecked) return out;
  for (const Vm& from : lab.vms) {
    for (const Vm& to : lab.vms) {
      if (from.name == to.name || named.count({from.name, to.name})) continue;
      Expectation e;
      e.from = from.name;
      e.to = to.name;
      e.destination = lab.vm_address(to);
      e.reachable = fallback == Expectations::Default::kReachable;
      if (e.reachable) e.hops = lab.expectations.default_hops;
      e.from_default = true;
      out.push_back(e);
    }
  }
  return out;
}

}  // namespace hublab
