#include "orchestrator/lab/lab_loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>

#include "base/regular_file.h"
#include "orchestrator/lab/naming.h"

namespace hublab {

namespace {

SourceLocation where_of(const toml::source_region& region) {
  return {static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Reads the fields of one TOML table: each getter marks its key as known, and
// `finish` reports every key nobody asked for (with a suggestion for typos).
class Fields {
 public:
  Fields(const toml::table& table, std::string path, std::vector<Diagnostic>& out,
         const std::string& file)
      : table_(table), path_(std::move(path)), out_(out), file_(file) {}

  const std::string& path() const { return path_; }
  SourceLocation where() const { return where_of(table_.source()); }

  const toml::node* node(std::string_view key) {
    known_.emplace(key);
    return table_.get(key);
  }
  SourceLocation where(std::string_view key) {
    const toml::node* n = table_.get(key);
    return n ? where_of(n->source()) : where();
  }

  void error(SourceLocation at, const std::string& message) {
    out_.push_back({file_, at, message});
  }
  void field_error(std::string_view key, const std::string& message) {
    error(where(key), path_ + "." + std::string(key) + ": " + message);
  }

  std::optional<std::string> string(std::string_view key, bool required) {
    const toml::node* n = node(key);
    if (!n) {
      if (required) error(where(), path_ + ": missing required field '" + std::string(key) + "'");
      return std::nullopt;
    }
    if (auto s = n->value<std::string>()) return *s;
    field_error(key, "expected a string");
    return std::nullopt;
  }

  std::optional<bool> boolean(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (n->is_boolean()) return n->value<bool>();
    field_error(key, "expected true or false");
    return std::nullopt;
  }

  std::optional<int64_t> integer(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (n->is_integer()) return n->value<int64_t>();
    field_error(key, "expected an integer");
    return std::nullopt;
  }

  std::optional<Ipv4> address(std::string_view key) {
    auto text = string(key, false);
    if (!text) return std::nullopt;
    auto parsed = Ipv4::parse(*text);
    if (!parsed) field_error(key, "'" + *text + "' is not an IPv4 address");
    return parsed;
  }

  // A string, or an array of strings; each with its own location.
  std::vector<std::pair<std::string, SourceLocation>> strings(std::string_view key, bool required) {
    std::vector<std::pair<std::string, SourceLocation>> result;
    const toml::node* n = node(key);
    if (!n) {
      if (required) error(where(), path_ + ": missing required field '" + std::string(key) + "'");
      return result;
    }
    if (auto s = n->value<std::string>()) {
      result.emplace_back(*s, where_of(n->source()));
    } else if (const toml::array* array = n->as_array()) {
      for (const toml::node& item : *array) {
        if (auto s = item.value<std::string>())
          result.emplace_back(*s, where_of(item.source()));
        else
          error(where_of(item.source()), path_ + "." + std::string(key) + ": expected a string");
      }
    } else {
      field_error(key, "expected a string or an array of strings");
    }
    return result;
  }

  const toml::table* table(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return nullptr;
    if (const toml::table* t = n->as_table()) return t;
    field_error(key, "expected a table");
    return nullptr;
  }

  void finish() {
    for (auto&& [key, value] : table_) {
      if (known_.count(std::string(key.str()))) continue;
      std::string message = path_.empty() ? "" : path_ + ": ";
      message += "unknown key '" + std::string(key.str()) + "'";
      std::string best;
      size_t best_distance = 3;
      for (const std::string& candidate : known_) {
        size_t d = edit_distance(key.str(), candidate);
        if (d < best_distance) best = candidate, best_distance = d;
      }
      if (!best.empty()) message += " (did you mean '" + best + "'?)";
      error(where_of(key.source()), message);
    }
  }

 private:
  const toml::table& table_;
  std::string path_;
  std::vector<Diagnostic>& out_;
  const std::string& file_;
  std::set<std::string, std::less<>> known_;
};

class LabReader {
 public:
  LabReader(LoadedLab& result) : result_(result), lab_(result.lab), out_(result.diagnostics) {}

  void read(const toml::table& root) {
    Fields top(root, "", out_, lab_.file);
    read_lab_section(top);
    for_each_named(top, "vnet", [&](Fields& f, const std::string& name) { read_vnet(f, name); });
    for_each_named(top, "site", [&](Fields& f, const std::string& name) { read_site(f, name); });
    for_each_named(top, "vm", [&](Fields& f, const std::string& name) { read_vm(f, name); });
    read_peerings(top);
    for_each_named(top, "gateway",
                   [&](Fields& f, const std::string& name) { read_gateway(f, name); });
    for_each_named(top, "connection",
                   [&](Fields& f, const std::string& name) { read_connection(f, name); });
    for_each_named(top, "route_table",
                   [&](Fields& f, const std::string& name) { read_route_table(f, name); });
    read_expectations(top);
    top.finish();
    add_gateway_instances();
  }

  // An active-active gateway's instance 1 is a gateway of its own, and each
  // connection of the gateway a tunnel between every pair of instances of
  // its two ends ("About active-active gateways": both instances carry
  // traffic, each with its own tunnels).
  void add_gateway_instances() {
    const size_t declared = lab_.gateways.size();
    for (size_t i = 0; i < declared; ++i) {
      if (!lab_.gateways[i].active_active) continue;
      Gateway second = lab_.gateways[i];
      second.name = naming::gateway_instance(second.name, 1);
      second.instance_of = lab_.gateways[i].name;
      second.instance = 1;
      second.active_active = false;
      second.bgp_peer_ip.reset();
      second.public_ip.reset();
      lab_.gateways.push_back(std::move(second));
    }
    auto instance_count = [&](const std::string& name) {
      const Gateway* g = lab_.find_gateway(name);
      return g && g->active_active ? 2 : 1;
    };
    const size_t connections = lab_.connections.size();
    for (size_t i = 0; i < connections; ++i)
      for (int a = 0; a < instance_count(lab_.connections[i].gateways[0]); ++a)
        for (int b = 0; b < instance_count(lab_.connections[i].gateways[1]); ++b) {
          if (a == 0 && b == 0) continue;
          Connection tunnel = lab_.connections[i];
          tunnel.tunnel_of = tunnel.name;
          tunnel.name = naming::instance_tunnel(tunnel.name, a, b);
          tunnel.gateways[0] = naming::gateway_instance(tunnel.gateways[0], a);
          tunnel.gateways[1] = naming::gateway_instance(tunnel.gateways[1], b);
          // A side's peer_ip override dials the far gateway's instance 0.
          if (b != 0) tunnel.sides[0].peer_ip.reset();
          if (a != 0) tunnel.sides[1].peer_ip.reset();
          lab_.connections.push_back(std::move(tunnel));
        }
  }

 private:
  void read_lab_section(Fields& top) {
    lab_.name = std::filesystem::path(lab_.file).stem().string();
    lab_.name_where = {1, 1};
    const toml::table* section = top.table("lab");
    if (!section) return;
    Fields f(*section, "lab", out_, lab_.file);
    if (auto name = f.string("name", false)) {
      lab_.name = *name;
      lab_.name_where = f.where("name");
    }
    if (auto description = f.string("description", false)) lab_.description = *description;
    if (auto hops = f.string("hops", false)) {
      if (*hops == "hidden" || *hops == "visible")
        lab_.hops_visible = *hops == "visible";
      else
        f.field_error("hops", "expected \"hidden\" (as Azure shows it) or \"visible\"");
    }
    f.finish();
  }

  // [kind.NAME] tables: the name is the key.
  void for_each_named(Fields& top, std::string_view kind,
                      const std::function<void(Fields&, const std::string&)>& read_one) {
    const toml::table* all = top.table(kind);
    if (!all) return;
    // toml++ keeps tables sorted by key; labs read better in file order
    // (namespaces, bridges and listings follow it).
    std::vector<std::pair<const toml::key*, const toml::node*>> entries;
    for (auto&& [key, value] : *all) entries.emplace_back(&key, &value);
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.first->source().begin < b.first->source().begin;
    });
    for (auto [key_ptr, value_ptr] : entries) {
      const toml::key& key = *key_ptr;
      const toml::node& value = *value_ptr;
      std::string name(key.str());
      std::string path = std::string(kind) + "." + name;
      const toml::table* table = value.as_table();
      if (!table) {
        top.error(where_of(value.source()), path + ": expected a table");
        continue;
      }
      Fields f(*table, path, out_, lab_.file);
      read_one(f, name);
      f.finish();
    }
  }

  std::optional<Prefix> prefix(Fields& f, const std::string& field, const std::string& text,
                               SourceLocation at) {
    Prefix::ParseError error;
    auto parsed = Prefix::parse(text, &error);
    if (error == Prefix::ParseError::kSyntax)
      f.error(at, f.path() + "." + field + ": '" + text + "' is not a CIDR prefix (a.b.c.d/n)");
    else if (error == Prefix::ParseError::kHostBits)
      f.error(at, f.path() + "." + field + ": '" + text +
                      "' has host bits set; the network address is needed");
    return parsed;
  }

  void read_vnet(Fields& f, const std::string& name) {
    Vnet vnet;
    vnet.name = name;
    vnet.where = f.where();
    for (auto& [text, at] : f.strings("address_space", true)) {
      if (auto p = prefix(f, "address_space", text, at)) {
        vnet.address_space.push_back(*p);
        vnet.address_space_where.push_back(at);
      }
    }
    if (const toml::table* subnets = f.table("subnets")) {
      Fields sf(*subnets, f.path() + ".subnets", out_, lab_.file);
      for (auto&& [key, value] : *subnets) {
        std::string subnet_name(key.str());
        sf.node(subnet_name);
        // `name = "prefix"`, or `name = { prefix = "...", route_table = "..." }`.
        if (const toml::table* detail = value.as_table()) {
          Fields df(*detail, sf.path() + "." + subnet_name, out_, lab_.file);
          auto text = df.string("prefix", true);
          auto table = df.string("route_table", false);
          if (text)
            if (auto p = prefix(df, "prefix", *text, df.where("prefix"))) {
              Subnet subnet{subnet_name, *p, where_of(key.source())};
              subnet.route_table = table.value_or("");
              subnet.route_table_where = df.where("route_table");
              vnet.subnets.push_back(std::move(subnet));
            }
          df.finish();
          continue;
        }
        auto text = value.value<std::string>();
        if (!text) {
          sf.field_error(subnet_name,
                         "expected a prefix string such as \"10.0.0.0/24\", or a table "
                         "{ prefix = \"...\", route_table = \"...\" }");
          continue;
        }
        if (auto p = prefix(sf, subnet_name, *text, where_of(value.source())))
          vnet.subnets.push_back({subnet_name, *p, where_of(key.source())});
      }
      sf.finish();
      std::sort(vnet.subnets.begin(), vnet.subnets.end(), [](const Subnet& a, const Subnet& b) {
        return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
      });
    } else {
      f.error(f.where(), f.path() + ": missing required field 'subnets'");
    }
    lab_.vnets.push_back(std::move(vnet));
  }

  void read_vm(Fields& f, const std::string& name) {
    Vm vm;
    vm.name = name;
    vm.where = f.where();
    vm.vnet = f.string("vnet", true).value_or("");
    vm.vnet_where = f.where("vnet");
    // Azure's first subnet is "default"; a site's, whatever it is called.
    const Vnet* vnet = lab_.find_vnet(vm.vnet);
    const std::string first = vnet && vnet->on_premises && !vnet->subnets.empty()
                                  ? vnet->subnets.front().name
                                  : "default";
    vm.subnet = f.string("subnet", false).value_or(first);
    vm.subnet_where = f.where("subnet");
    vm.address = f.address("address");
    vm.address_where = f.where("address");
    vm.ip_forwarding = f.boolean("ip_forwarding").value_or(false);
    lab_.vms.push_back(std::move(vm));
  }

  // [route_table.NAME]: routes = [{ name, address_prefix, next_hop_type,
  // next_hop_ip }], bgp_route_propagation.
  void read_route_table(Fields& f, const std::string& name) {
    RouteTable table;
    table.name = name;
    table.where = f.where();
    if (auto propagation = f.boolean("bgp_route_propagation")) {
      table.bgp_route_propagation = *propagation;
      table.propagation_where = f.where("bgp_route_propagation");
    }
    if (const toml::node* n = f.node("routes")) {
      const toml::array* routes = n->as_array();
      if (!routes) {
        f.field_error("routes", "expected an array of route tables");
      } else {
        int index = 0;
        for (const toml::node& item : *routes) {
          std::string path = f.path() + ".routes[" + std::to_string(index++) + "]";
          const toml::table* entry = item.as_table();
          if (!entry) {
            f.error(where_of(item.source()),
                    path + ": expected { name, address_prefix, next_hop_type, next_hop_ip }");
            continue;
          }
          Fields rf(*entry, path, out_, lab_.file);
          UserRoute route;
          route.where = where_of(entry->source());
          route.name = rf.string("name", true).value_or("");
          route.prefix_where = rf.where("address_prefix");
          route.next_hop_where = rf.where("next_hop_type");
          route.next_hop_ip_where = rf.where("next_hop_ip");
          bool ok = true;
          if (auto text = rf.string("address_prefix", true)) {
            if (auto p = prefix(rf, "address_prefix", *text, route.prefix_where))
              route.prefix = *p;
            else
              ok = false;
          } else {
            ok = false;
          }
          if (auto type = rf.string("next_hop_type", true)) {
            if (auto hop = parse_next_hop_type(*type))
              route.next_hop = *hop;
            else {
              rf.field_error("next_hop_type",
                             "'" + *type +
                                 "' is not a next hop type: VirtualAppliance, "
                                 "VirtualNetworkGateway, VnetLocal, Internet or None");
              ok = false;
            }
          } else {
            ok = false;
          }
          route.next_hop_ip = rf.address("next_hop_ip");
          rf.finish();
          if (ok) table.routes.push_back(std::move(route));
        }
      }
    }
    lab_.route_tables.push_back(std::move(table));
  }

  void read_peerings(Fields& top) {
    const toml::node* n = top.node("peering");
    if (!n) return;
    const toml::array* array = n->as_array();
    if (!array || !array->is_array_of_tables()) {
      top.error(where_of(n->source()), "peering: expected [[peering]] tables");
      return;
    }
    int index = 0;
    for (const toml::node& item : *array) {
      const toml::table& table = *item.as_table();
      std::string path = "peering[" + std::to_string(index++) + "]";
      Peering peering;
      peering.where = where_of(table.source());
      int side_count = 0;
      Fields f(table, path, out_, lab_.file);
      for (auto&& [key, value] : table) {
        std::string vnet(key.str());
        f.node(vnet);
        if (side_count == 2) {
          f.error(where_of(key.source()),
                  path + ": a peering joins exactly two VNets; '" + vnet + "' is a third");
          continue;
        }
        PeeringSide& side = peering.sides[side_count++];
        side.vnet = vnet;
        side.where = where_of(key.source());
        const toml::table* flags = value.as_table();
        if (!flags) {
          f.field_error(vnet,
                        "expected a table of peering flags, e.g. { use_remote_gateways = true }");
          continue;
        }
        Fields ff(*flags, path + "." + vnet, out_, lab_.file);
        side.allow_virtual_network_access =
            ff.boolean("allow_virtual_network_access").value_or(true);
        side.allow_forwarded_traffic = ff.boolean("allow_forwarded_traffic").value_or(false);
        side.allow_gateway_transit = ff.boolean("allow_gateway_transit").value_or(false);
        side.use_remote_gateways = ff.boolean("use_remote_gateways").value_or(false);
        side.use_remote_gateways_where = ff.where("use_remote_gateways");
        ff.finish();
      }
      if (side_count < 2)
        f.error(peering.where, path + ": a peering joins exactly two VNets; " +
                                   std::to_string(side_count) + " given");
      else
        lab_.peerings.push_back(std::move(peering));
    }
  }

  // An on-premises site: its network (address space and subnets, as a
  // VNet's) and its VPN device, which routes the site and holds its end of
  // each connection: a Gateway of the same name, on premises.
  void read_site(Fields& f, const std::string& name) {
    read_vnet(f, name);
    lab_.vnets.back().on_premises = true;
    Gateway device;
    device.name = name;
    device.vnet = name;
    device.on_premises = true;
    device.where = f.where();
    device.vnet_where = device.where;
    device.asn = 0;
    read_gateway_fields(f, device);
    lab_.gateways.push_back(std::move(device));
  }

  void read_gateway(Fields& f, const std::string& name) {
    Gateway gateway;
    gateway.name = name;
    gateway.where = f.where();
    gateway.vnet = f.string("vnet", true).value_or("");
    gateway.vnet_where = f.where("vnet");
    gateway.active_active = f.boolean("active_active").value_or(false);
    read_gateway_fields(f, gateway);
    lab_.gateways.push_back(std::move(gateway));
  }

  // What gateways and sites' devices share: ASN, BGP peer IP, public IP.
  void read_gateway_fields(Fields& f, Gateway& gateway) {
    if (auto asn = f.integer("asn")) {
      if (*asn < 1 || *asn > 4294967295LL)
        f.field_error("asn", "ASN " + std::to_string(*asn) + " is out of range 1-4294967295");
      else
        gateway.asn = static_cast<uint32_t>(*asn);
    }
    gateway.asn_where = f.where("asn");
    gateway.bgp_peer_ip = f.address("bgp_peer_ip");
    gateway.bgp_peer_ip_where = f.where("bgp_peer_ip");
    gateway.public_ip = f.address("public_ip");
    gateway.public_ip_where = f.where("public_ip");
  }

  void read_connection(Fields& f, const std::string& name) {
    Connection connection;
    connection.name = name;
    connection.where = f.where();
    auto gateways = f.strings("gateways", true);
    connection.gateways_where = f.where("gateways");
    if (f.node("gateways") && gateways.size() != 2)
      f.field_error("gateways", "a connection joins exactly two gateways");
    for (size_t i = 0; i < std::min<size_t>(2, gateways.size()); ++i)
      connection.gateways[i] = gateways[i].first;
    connection.enable_bgp = f.boolean("enable_bgp").value_or(false);
    read_shared_key(f, connection.shared_key);
    connection.ipsec_policy = ipsec_policy(f);
    for (size_t i = 0; i < std::min<size_t>(2, gateways.size()); ++i) {
      const toml::table* side = f.table(gateways[i].first);
      if (!side) continue;
      Fields sf(*side, f.path() + "." + gateways[i].first, out_, lab_.file);
      SharedKeySource key;
      if (read_shared_key(sf, key)) connection.sides[i].shared_key = key;
      connection.sides[i].ipsec_policy = ipsec_policy(sf);
      connection.sides[i].peer_ip = sf.address("peer_ip");
      sf.finish();
    }
    lab_.connections.push_back(std::move(connection));
  }

  std::optional<IpsecPolicy> ipsec_policy(Fields& f) {
    const toml::table* policy = f.table("ipsec_policy");
    if (!policy) return std::nullopt;
    Fields pf(*policy, f.path() + ".ipsec_policy", out_, lab_.file);
    IpsecPolicy p;
    p.where = pf.where();
    for (auto& [text, at] : pf.strings("ike", true)) p.ike_proposals.push_back(text);
    for (auto& [text, at] : pf.strings("esp", true)) p.esp_proposals.push_back(text);
    pf.finish();
    return p;
  }

  // Returns whether the table names a key at all.
  bool read_shared_key(Fields& f, SharedKeySource& key) {
    struct Choice {
      const char* field;
      SharedKeySource::Kind kind;
    };
    int given = 0;
    for (Choice choice : {Choice{"shared_key", SharedKeySource::Kind::kInline},
                          Choice{"shared_key_file", SharedKeySource::Kind::kFile},
                          Choice{"shared_key_env", SharedKeySource::Kind::kEnv}}) {
      auto value = f.string(choice.field, false);
      if (!value) continue;
      if (++given > 1) {
        f.field_error(choice.field,
                      "give only one of shared_key, shared_key_file and shared_key_env");
        continue;
      }
      if (value->empty()) f.field_error(choice.field, "must not be empty");
      key = {choice.kind, *value, f.where(choice.field)};
    }
    return given > 0;
  }

  std::optional<HopRange> hops(Fields& f) {
    const toml::node* n = f.node("hops");
    if (!n) return std::nullopt;
    if (auto exact = n->value<int64_t>()) {
      if (*exact >= 1 && *exact <= 30) return HopRange{int(*exact), int(*exact)};
    } else if (const toml::array* a = n->as_array(); a && a->size() == 2) {
      auto lo = a->get(0)->value<int64_t>(), hi = a->get(1)->value<int64_t>();
      if (lo && hi && *lo >= 1 && *lo <= *hi && *hi <= 30) return HopRange{int(*lo), int(*hi)};
    }
    f.field_error("hops", "expected a hop count 1-30 or a range [min, max]");
    return std::nullopt;
  }

  void read_expectations(Fields& top) {
    const toml::table* section = top.table("expect");
    if (!section) return;
    Fields f(*section, "expect", out_, lab_.file);
    Expectations& e = lab_.expectations;
    if (auto d = f.string("default", false)) {
      if (*d == "reachable")
        e.default_reachability = Expectations::Default::kReachable;
      else if (*d == "unreachable")
        e.default_reachability = Expectations::Default::kUnreachable;
      else if (*d == "unchecked")
        e.default_reachability = Expectations::Default::kUnchecked;
      else
        f.field_error("default", "expected \"reachable\", \"unreachable\" or \"unchecked\"");
    }
    e.default_hops = hops(f);
    if (const toml::node* rules = f.node("rule")) {
      const toml::array* array = rules->as_array();
      if (!array || !array->is_array_of_tables()) {
        f.field_error("rule", "expected [[expect.rule]] tables");
      } else {
        int index = 0;
        for (const toml::node& item : *array) {
          Fields rf(*item.as_table(), "expect.rule[" + std::to_string(index++) + "]", out_,
                    lab_.file);
          e.rules.push_back(read_rule(rf));
          rf.finish();
        }
      }
    }
    f.finish();
  }

  ExpectRule read_rule(Fields& f) {
    ExpectRule rule;
    rule.where = f.where();
    for (auto& [name, at] : f.strings("from", true)) rule.from.push_back(name);
    rule.from_where = f.where("from");
    for (auto& [name, at] : f.strings("to", true)) rule.to.push_back(name);
    rule.to_where = f.where("to");
    rule.reachable = f.boolean("reachable").value_or(true);
    rule.hops = hops(f);
    if (auto protocol = f.string("protocol", false)) {
      if (auto parsed = parse_protocol(*protocol))
        rule.protocol = *parsed;
      else
        f.field_error("protocol", "expected \"icmp\", \"udp\" or \"tcp\"");
    }
    if (auto port = f.integer("port")) {
      if (*port < 1 || *port > 65535)
        f.field_error("port", "expected a port 1-65535");
      else
        rule.port = int(*port);
      if (rule.protocol == ProbeProtocol::kIcmp)
        f.field_error("port", "a port needs protocol = \"tcp\" or \"udp\"");
    }
    return rule;
  }

  LoadedLab& result_;
  Lab& lab_;
  std::vector<Diagnostic>& out_;
};

}  // namespace

LoadedLab load_lab_text(const std::string& text, const std::string& path) {
  LoadedLab result;
  result.lab.file = path;
  try {
    toml::table root = toml::parse(text, path);
    result.readable = true;
    LabReader(result).read(root);
  } catch (const toml::parse_error& error) {
    result.diagnostics.push_back(
        {path, where_of(error.source()), "syntax error: " + std::string(error.description())});
  }
  return result;
}

std::variant<std::string, Diagnostic> read_lab_file(const std::string& path) {
  auto read = read_regular_file(path, kMaxLabFileBytes);
  if (auto* text = std::get_if<std::string>(&read)) return std::move(*text);
  const FileRefusal& refusal = std::get<FileRefusal>(read);
  switch (refusal.kind) {
    case FileRefusal::kUnreadable:
      return Diagnostic{path, {0, 0}, "cannot read the lab file: " + refusal.detail};
    case FileRefusal::kNotRegular:
      return Diagnostic{path, {0, 0}, refusal.detail + ", not a lab file"};
    case FileRefusal::kTooLarge:
      break;
  }
  return Diagnostic{path, {0, 0}, refusal.detail + " bytes: no lab file is that large"};
}

LoadedLab load_lab_file(const std::string& path) {
  auto read = read_lab_file(path);
  if (auto* refused = std::get_if<Diagnostic>(&read)) {
    LoadedLab result;
    result.lab.file = path;
    result.diagnostics.push_back(std::move(*refused));
    return result;
  }
  return load_lab_text(std::get<std::string>(read), path);
}

}  // namespace hublab
