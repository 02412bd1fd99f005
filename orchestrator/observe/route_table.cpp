#include "orchestrator/observe/route_table.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace hublab {

namespace {

nlohmann::json or_null(const std::string& text) {
  return text.empty() ? nlohmann::json() : nlohmann::json(text);
}

// The API's names for what the portal shows ("Virtual network" is VnetLocal).
std::string api_next_hop_type(const std::string& shown) {
  if (shown == "Virtual network") return "VnetLocal";
  if (shown == "VNet peering") return "VNetPeering";
  if (shown == "Virtual network gateway") return "VirtualNetworkGateway";
  if (shown == "Virtual appliance") return "VirtualAppliance";
  return shown;  // Internet, None
}

std::string api_source(const std::string& shown) {
  return shown == "Virtual network gateway" ? "VirtualNetworkGateway" : shown;
}

}  // namespace

std::string route_table_text(const Lab& lab, const Vm& vm, const std::vector<EffectiveRoute>& rows,
                             const std::string& origin) {
  char line[512];
  std::snprintf(line, sizeof line, "Effective routes of %s (eth0 %s, subnet %s/%s)%s\n\n",
                vm.name.c_str(), lab.vm_address(vm).str().c_str(), vm.vnet.c_str(),
                vm.subnet.c_str(), origin.c_str());
  std::string out = line;
  std::snprintf(line, sizeof line, "%-24s %-8s %-18s %-24s %-20s %s\n", "Source", "State",
                "Address Prefixes", "Next Hop Type", "Next Hop IP Address",
                "User Defined Route Name");
  out += line;
  for (const EffectiveRoute& r : rows) {
    std::snprintf(line, sizeof line, "%-24s %-8s %-18s %-24s %-20s %s\n", r.source.c_str(),
                  r.state.c_str(), r.prefix.str().c_str(), r.next_hop_type.c_str(),
                  r.next_hop_ip.empty() ? "-" : r.next_hop_ip.c_str(),
                  r.udr_name.empty() ? "-" : r.udr_name.c_str());
    out += line;
  }
  return out;
}

std::string route_table_json(const Lab& lab, const Vm& vm,
                             const std::vector<EffectiveRoute>& rows) {
  nlohmann::json routes = nlohmann::json::array();
  for (const EffectiveRoute& r : rows)
    routes.push_back({{"source", r.source},
                      {"state", r.state},
                      {"address_prefix", r.prefix.str()},
                      {"next_hop_type", r.next_hop_type},
                      {"next_hop_ip", or_null(r.next_hop_ip)},
                      {"user_defined_route_name", or_null(r.udr_name)}});
  return nlohmann::json({{"lab", lab.name}, {"vm", vm.name}, {"routes", routes}}).dump(2) + "\n";
}

std::string route_table_az(const std::vector<EffectiveRoute>& rows, bool propagation_disabled) {
  nlohmann::json value = nlohmann::json::array();
  for (const EffectiveRoute& r : rows)
    value.push_back({{"addressPrefix", {r.prefix.str()}},
                     {"disableBgpRoutePropagation", propagation_disabled},
                     {"name", or_null(r.udr_name)},
                     {"nextHopIpAddress", r.next_hop_ip.empty() ? nlohmann::json::array()
                                                                : nlohmann::json{r.next_hop_ip}},
                     {"nextHopType", api_next_hop_type(r.next_hop_type)},
                     {"source", api_source(r.source)},
                     {"state", r.state}});
  return nlohmann::json({{"nextLink", nullptr}, {"value", value}}).dump(2) + "\n";
}

}  // namespace hublab
