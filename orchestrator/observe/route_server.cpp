#include "orchestrator/observe/route_server.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace hublab {

namespace {

size_t as_path_length(const bird::Route& route) {
  auto path = route.attribute("BGP.as_path");
  if (!path) return 0;
  std::istringstream words(*path);
  size_t n = 0;
  for (std::string asn; words >> asn;) ++n;
  return n;
}

}  // namespace

std::map<Prefix, std::vector<std::string>> nva_next_hops(
    const Lab& lab, const std::vector<bird::Route>& vnet_router_routes) {
  std::set<std::string> nvas;
  for (const Vm& vm : lab.vms)
    if (vm.bgp) nvas.insert(lab.vm_address(vm).str());
  std::map<Prefix, std::vector<const bird::Route*>> by_prefix;
  for (const bird::Route& route : vnet_router_routes) {
    auto prefix = Prefix::parse(route.prefix);
    if (!prefix || route.next_hops.empty() || !nvas.count(route.next_hops.front().gateway))
      continue;
    by_prefix[*prefix].push_back(&route);
  }
  std::map<Prefix, std::vector<std::string>> hops;
  for (const auto& [prefix, routes] : by_prefix) {
    size_t best = SIZE_MAX;
    for (const bird::Route* r : routes) best = std::min(best, as_path_length(*r));
    std::vector<std::string>& ips = hops[prefix];
    for (const bird::Route* r : routes)
      if (as_path_length(*r) == best)
        for (const bird::NextHop& hop : r->next_hops)
          if (nvas.count(hop.gateway) &&
              std::find(ips.begin(), ips.end(), hop.gateway) == ips.end())
            ips.push_back(hop.gateway);
    std::sort(ips.begin(), ips.end(), [](const std::string& a, const std::string& b) {
      return Ipv4::parse(a)->value < Ipv4::parse(b)->value;
    });
  }
  return hops;
}

}  // namespace hublab
