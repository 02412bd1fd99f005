#include "orchestrator/observe/route_compare.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "base/ascii.h"

namespace hublab {

namespace {

// The API's names (az prints them) as hublab shows them, like the portal.
std::string shown_next_hop_type(const std::string& api) {
  const std::string t = ascii_lower(api);
  if (t == "vnetlocal") return "Virtual network";
  // A peering across regions is "global"; a lab has no regions.
  if (t == "vnetpeering" || t == "vnetglobalpeering") return "VNet peering";
  if (t == "virtualnetworkgateway") return "Virtual network gateway";
  if (t == "virtualappliance") return "Virtual appliance";
  if (t == "internet") return "Internet";
  if (t == "none") return "None";
  return api;
}

std::string shown_source(const std::string& api) {
  const std::string s = ascii_lower(api);
  if (s == "virtualnetworkgateway") return "Virtual network gateway";
  if (s == "default") return "Default";
  if (s == "user") return "User";
  return api;
}

std::string row_text(const EffectiveRoute& r) {
  std::string text = r.source + ", " + r.state + ", " + r.prefix.str() + ", " + r.next_hop_type;
  if (!r.next_hop_ip.empty()) text += " " + r.next_hop_ip;
  if (!r.udr_name.empty()) text += " (" + r.udr_name + ")";
  return text;
}

bool same_row(const EffectiveRoute& a, const EffectiveRoute& b) {
  return a.prefix == b.prefix && ascii_lower(a.source) == ascii_lower(b.source) &&
         ascii_lower(a.state) == ascii_lower(b.state) &&
         ascii_lower(a.next_hop_type) == ascii_lower(b.next_hop_type) &&
         a.next_hop_ip == b.next_hop_ip && a.udr_name == b.udr_name;
}

nlohmann::json row_json(const EffectiveRoute& r) {
  return {{"source", r.source},
          {"state", r.state},
          {"address_prefix", r.prefix.str()},
          {"next_hop_type", r.next_hop_type},
          {"next_hop_ip", r.next_hop_ip.empty() ? nlohmann::json() : nlohmann::json(r.next_hop_ip)},
          {"user_defined_route_name",
           r.udr_name.empty() ? nlohmann::json() : nlohmann::json(r.udr_name)}};
}

}  // namespace

std::vector<EffectiveRoute> read_az_effective_routes(const std::string& text,
                                                     const std::string& file) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    throw std::runtime_error(file + ": not JSON (byte " + std::to_string(error.byte) + ")");
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(file + ": not JSON that can be read (" + error.what() + ")");
  }
  const nlohmann::json* rows = &document;
  if (document.is_object() && document.contains("value")) rows = &document["value"];
  if (!rows->is_array())
    throw std::runtime_error(file +
                             ": not az's effective routes ({\"value\": [...]} or a list of rows)");
  std::vector<EffectiveRoute> routes;
  size_t index = 0;
  for (const nlohmann::json& row : *rows) {
    ++index;
    const std::string where = file + ": row " + std::to_string(index);
    if (!row.is_object() || !row.contains("addressPrefix") || !row.contains("nextHopType"))
      throw std::runtime_error(where + ": no addressPrefix or nextHopType");
    auto strings = [&](const char* key) {
      std::vector<std::string> out;
      if (!row.contains(key) || row[key].is_null()) return out;
      if (row[key].is_string()) return std::vector<std::string>{row[key].get<std::string>()};
      if (!row[key].is_array()) throw std::runtime_error(where + ": " + key + " is not a list");
      for (const nlohmann::json& v : row[key])
        if (v.is_string()) out.push_back(v.get<std::string>());
      return out;
    };
    auto string = [&](const char* key) {
      return row.contains(key) && row[key].is_string() ? row[key].get<std::string>() : "";
    };
    std::vector<std::string> hops = strings("nextHopIpAddress");
    if (hops.empty()) hops.push_back("");
    for (const std::string& prefix_text : strings("addressPrefix")) {
      auto prefix = Prefix::parse(prefix_text);
      if (!prefix)
        throw std::runtime_error(where + ": addressPrefix '" + prefix_text + "' is no prefix");
      for (const std::string& hop : hops)
        routes.push_back({.source = shown_source(string("source")),
                          .state = string("state"),
                          .prefix = *prefix,
                          .next_hop_type = shown_next_hop_type(string("nextHopType")),
                          .next_hop_ip = hop,
                          .udr_name = string("name")});
    }
  }
  return routes;
}

RouteComparison compare_routes(const std::vector<EffectiveRoute>& azure,
                               const std::vector<EffectiveRoute>& lab) {
  RouteComparison c{.azure_rows = azure.size(), .lab_rows = lab.size()};
  std::vector<bool> matched(lab.size(), false);
  std::vector<EffectiveRoute> azure_only;
  for (const EffectiveRoute& a : azure) {
    bool found = false;
    for (size_t i = 0; i < lab.size() && !found; ++i)
      if (!matched[i] && same_row(a, lab[i])) matched[i] = found = true;
    if (found)
      ++c.same;
    else
      azure_only.push_back(a);
  }
  auto difference_of = [&](const Prefix& p) -> RouteDifference& {
    for (RouteDifference& d : c.differences)
      if (d.prefix == p) return d;
    c.differences.push_back({.prefix = p});
    return c.differences.back();
  };
  auto in_lab = [&](const Prefix& p) {
    return std::any_of(lab.begin(), lab.end(),
                       [&](const EffectiveRoute& r) { return r.prefix == p; });
  };
  for (const EffectiveRoute& a : azure_only) {
    if (a.source == "Default" && a.next_hop_type == "None" && !in_lab(a.prefix))
      c.undocumented.push_back(a);
    else
      difference_of(a.prefix).azure.push_back(a);
  }
  for (size_t i = 0; i < lab.size(); ++i)
    if (!matched[i]) difference_of(lab[i].prefix).lab.push_back(lab[i]);
  return c;
}

std::string comparison_text(const RouteComparison& c, const std::string& vm,
                            const std::string& file, const std::string& lab_side) {
  std::string out = vm + ": " + std::to_string(c.azure_rows) + " rows in " + file + ", " +
                    std::to_string(c.lab_rows) + " in " + lab_side + "; " + std::to_string(c.same) +
                    " the same";
  std::string apart;
  if (!c.undocumented.empty()) {
    apart = "  not emulated (Azure's own None routes MS Learn does not document):";
    for (const EffectiveRoute& r : c.undocumented) apart += " " + r.prefix.str();
    apart += "\n";
  }
  if (c.differences.empty()) return out + ", none differs\n" + apart;
  out += ", " + std::to_string(c.differences.size()) + " prefixes differ:\n";
  for (const RouteDifference& d : c.differences) {
    out += "  " + d.prefix.str() + "\n";
    for (const EffectiveRoute& r : d.azure) out += "    Azure: " + row_text(r) + "\n";
    if (d.azure.empty()) out += "    Azure: no such row\n";
    for (const EffectiveRoute& r : d.lab) out += "    " + lab_side + ": " + row_text(r) + "\n";
    if (d.lab.empty()) out += "    " + lab_side + ": no such row\n";
  }
  return out + apart;
}

std::string comparison_json(const RouteComparison& c, const std::string& vm,
                            const std::string& file) {
  nlohmann::json differences = nlohmann::json::array();
  for (const RouteDifference& d : c.differences) {
    nlohmann::json azure = nlohmann::json::array(), lab = nlohmann::json::array();
    for (const EffectiveRoute& r : d.azure) azure.push_back(row_json(r));
    for (const EffectiveRoute& r : d.lab) lab.push_back(row_json(r));
    differences.push_back({{"address_prefix", d.prefix.str()}, {"azure", azure}, {"lab", lab}});
  }
  nlohmann::json undocumented = nlohmann::json::array();
  for (const EffectiveRoute& r : c.undocumented) undocumented.push_back(row_json(r));
  return nlohmann::json({{"vm", vm},
                         {"file", file},
                         {"azure_rows", c.azure_rows},
                         {"lab_rows", c.lab_rows},
                         {"same", c.same},
                         {"differences", differences},
                         {"not_emulated", undocumented}})
             .dump(2) +
         "\n";
}

}  // namespace hublab
