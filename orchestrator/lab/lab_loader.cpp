#include "orchestrator/lab/lab_loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>

#include "base/regular_file.h"
#include "orchestrator/lab/active_active.h"
#include "orchestrator/lab/connections.h"
#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/gateways.h"
#include "orchestrator/lab/lab_fields.h"
#include "orchestrator/lab/nsg.h"
#include "orchestrator/lab/route_server.h"
#include "orchestrator/lab/route_tables.h"
#include "orchestrator/lab/vxlan.h"

namespace hublab {

namespace {

class LabReader {
 public:
  LabReader(LoadedLab& result) : lab_(result.lab), out_(result.diagnostics) {}

  void read(const toml::table& root) {
    Fields top(root, "", out_, lab_.file);
    read_lab_section(top);
    // In an order where each section finds what it refers to (a VM its
    // VNet or site); gateways, connections and route tables are read by
    // their features' files.
    top.each_named("vnet", [&](Fields& f, const std::string& name) { read_vnet(f, name); });
    top.each_named("site", [&](Fields& f, const std::string& name) { read_site(f, name); });
    top.each_named("vm", [&](Fields& f, const std::string& name) { read_vm(f, name); });
    read_peerings(top);
    top.each_named("gateway",
                   [&](Fields& f, const std::string& name) { read_gateway(f, name, lab_); });
    top.each_named("circuit",
                   [&](Fields& f, const std::string& name) { read_circuit(f, name, lab_); });
    // A connection to a circuit names it; a VPN connection names two gateways.
    top.each_named("connection", [&](Fields& f, const std::string& name) {
      if (f.has("circuit"))
        read_circuit_connection(f, name, lab_);
      else
        read_connection(f, name, lab_);
    });
    top.each_named("route_table",
                   [&](Fields& f, const std::string& name) { read_route_table(f, name, lab_); });
    top.each_named("route_server",
                   [&](Fields& f, const std::string& name) { read_route_server(f, name, lab_); });
    read_vxlans(top, lab_);
    top.each_named("asg", [&](Fields& f, const std::string& name) {
      read_application_security_group(f, name, lab_);
    });
    top.each_named("nsg", [&](Fields& f, const std::string& name) { read_nsg(f, name, lab_); });
    read_expectations(top);
    top.finish();
    add_gateway_instances(lab_);
  }

 private:
  void read_lab_section(Fields& top) {
    lab_.name = std::filesystem::path(lab_.file).stem().string();
    lab_.name_where = {1, 1};
    const toml::table* section = top.table("lab");
    if (!section) return;
    Fields f = top.nested(*section, "lab");
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

  void read_vnet(Fields& f, const std::string& name) {
    Vnet vnet;
    vnet.name = name;
    vnet.where = f.where();
    for (auto& [text, at] : f.strings("address_space", true)) {
      if (auto p = f.prefix("address_space", text, at)) {
        vnet.address_space.push_back(*p);
        vnet.address_space_where.push_back(at);
      }
    }
    if (const toml::table* subnets = f.table("subnets")) {
      Fields sf = f.nested(*subnets, f.path() + ".subnets");
      for (auto&& [key, value] : *subnets) {
        std::string subnet_name(key.str());
        sf.node(subnet_name);
        // `name = "prefix"`, or `name = { prefix = "...", route_table = "...", nsg = "..." }`.
        if (const toml::table* detail = value.as_table()) {
          Fields df = sf.nested(*detail, sf.path() + "." + subnet_name);
          auto text = df.string("prefix", true);
          auto table = df.string("route_table", false);
          auto nsg = df.string("nsg", false);
          if (text)
            if (auto p = df.prefix("prefix", *text, df.where("prefix"))) {
              Subnet subnet{subnet_name, *p, where_of(key.source())};
              subnet.route_table = table.value_or("");
              subnet.route_table_where = df.where("route_table");
              subnet.nsg = nsg.value_or("");
              subnet.nsg_where = df.where("nsg");
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
        if (auto p = sf.prefix(subnet_name, *text, where_of(value.source())))
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
    read_vm_bgp(f, vm);
    read_vm_security(f, vm);
    lab_.vms.push_back(std::move(vm));
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
      Fields f = top.nested(table, path);
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
        Fields ff = f.nested(*flags, path + "." + vnet);
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
    Fields f = top.nested(*section, "expect");
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
