#include "orchestrator/observe/route_server.h"

#include <algorithm>
#include <ctime>
#include <set>
#include <sstream>

#include "drivers/frr/frr_daemon.h"
#include "drivers/frr/frr_vty.h"
#include "orchestrator/lab/route_server.h"
#include "orchestrator/lab/vxlan.h"

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

// What the lab calls the NVA's neighbor at `address`: a Route Server's
// instance, an NVA over an overlay, or FRR's own word for it.
std::string neighbor_name(const Lab& lab, const Vm& nva, const frr::BgpNeighbor& n) {
  auto address = Ipv4::parse(n.address);
  if (!address) return n.address;
  for (const RouteServer& server : lab.route_servers)
    for (int i = 0; i < 2; ++i)
      if (route_server_instance_ip(lab, server, i) == *address)
        return route_server_instance(server, i);
  const OverlayPeer over = overlay_peer(lab, nva.name, *address);
  if (over.vxlan) return over.far->vm + " (vxlan " + std::to_string(over.vxlan->vni) + ")";
  return n.hostname.empty() ? "bgp" : n.hostname;
}

// When the session came up, as BIRD's rows say it (local time of day), or
// FRR's own word while it is down.
std::string since(const frr::BgpNeighbor& n) {
  if (n.state != "Established" || n.established_epoch == 0) return n.uptime;
  const time_t when = static_cast<time_t>(n.established_epoch);
  struct tm local {};
  char text[16];
  if (!localtime_r(&when, &local) || !std::strftime(text, sizeof text, "%H:%M:%S", &local))
    return n.uptime;
  return text;
}

}  // namespace

std::vector<BgpSessionReport> read_nva_sessions(LabState& state, const Lab& lab) {
  using namespace std::chrono_literals;
  std::vector<BgpSessionReport> sessions;
  const auto bgpds = state.daemons_of(frr::daemon_kind("bgpd"));
  for (const Vm& vm : lab.vms) {
    if (!vm.bgp) continue;
    auto bgpd = bgpds.find(vm.name);
    if (bgpd == bgpds.end() || !daemon_alive(bgpd->second)) {
      sessions.push_back({.node = vm.name, .session = "bgpd", .neighbor = "-", .state = "NO-FRR"});
      continue;
    }
    const frr::FrrFiles files{state.daemon_dir("frr", vm.name)};
    try {
      frr::Vty vty = frr::Vty::connect(files.vty_socket("bgpd"), 1000ms);
      for (const frr::BgpNeighbor& n :
           frr::parse_bgp_summary(vty.command("show bgp ipv4 unicast summary json", 2000ms)))
        sessions.push_back({.node = vm.name,
                            .session = neighbor_name(lab, vm, n),
                            .neighbor = n.address,
                            .state = n.state,
                            .since = since(n),
                            .imported = n.prefixes_received,
                            .exported = n.prefixes_sent});
    } catch (const frr::VtyError& error) {
      sessions.push_back({.node = vm.name,
                          .session = "bgpd",
                          .neighbor = "-",
                          .state = "NO-ANSWER",
                          .last_error = error.what()});
    }
  }
  return sessions;
}

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
