#include "orchestrator/lab/lab_validator.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "orchestrator/lab/connections.h"
#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/findings.h"
#include "orchestrator/lab/gateways.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/lab/nsg.h"
#include "orchestrator/lab/route_server.h"
#include "orchestrator/lab/route_tables.h"
#include "orchestrator/lab/vxlan.h"

namespace hublab {

namespace {

class Validator {
 public:
  explicit Validator(const Lab& lab) : lab_(lab), findings_(lab) {}

  std::vector<Diagnostic> run() {
    check_lab_name();
    check_has_a_vnet();
    check_node_names();
    for (const Vnet& vnet : lab_.vnets) check_vnet(vnet);
    check_vms();
    check_peerings();
    // Each feature's own checks, in its file.
    validate_gateways(lab_, findings_);
    validate_connections(lab_, findings_);
    validate_expressroute(lab_, findings_);
    validate_route_tables(lab_, findings_);
    validate_route_servers(lab_, findings_);
    validate_vxlans(lab_, findings_);
    validate_nsgs(lab_, findings_);
    check_expectations();
    return findings_.take();
  }

 private:
  void error(SourceLocation at, const std::string& message) { findings_.error(at, message); }

  void check_lab_name() {
    const std::string& name = lab_.name;
    if (!is_node_name(name) || name.find('.') != std::string::npos)
      error(lab_.name_where, "lab.name: '" + name +
                                 "' must start with a letter or digit and hold only letters, "
                                 "digits, '-' and '_'");
    else if (name.size() > naming::kMaxLabName)
      error(lab_.name_where, "lab.name: '" + name + "' is longer than " +
                                 std::to_string(naming::kMaxLabName) + " characters");
  }

  // The smallest lab is one Azure VNet: an empty file, or a TOML file of
  // something else that happens to hold no unknown keys, is no lab.
  void check_has_a_vnet() {
    for (const Vnet& vnet : lab_.vnets)
      if (!vnet.on_premises) return;
    error({1, 1}, "no [vnet.NAME]: a lab has at least one virtual network (docs/lab-format.md)");
  }

  // VNets, VMs and gateways each get a namespace named after them, so their
  // names share one space.
  void check_node_names() {
    std::map<std::string, std::string> owner;
    auto claim = [&](const std::string& kind, const std::string& name, SourceLocation at) {
      std::string path = kind + "." + name;
      if (!is_node_name(name)) {
        error(at, path +
                      ": name must start with a letter or digit and hold only letters, "
                      "digits, '-' and '_'");
        return;
      }
      auto [it, fresh] = owner.emplace(name, path);
      if (!fresh) error(at, path + ": name '" + name + "' is already used by " + it->second);
    };
    for (const Vnet& v : lab_.vnets) {
      claim(v.on_premises ? "site" : "vnet", v.name, v.where);
      if (!v.on_premises)  // sites are never peered
        check_interface_name("vnet." + v.name, naming::peering_port(v.name), v.where, "VNet");
    }
    for (const Vm& v : lab_.vms) {
      claim("vm", v.name, v.where);
      check_interface_name("vm." + v.name, naming::vm_port(v.name), v.where, "VM");
    }
    for (const Gateway& g : lab_.gateways) {
      if (g.on_premises) continue;           // a site's device is its site's node
      if (!g.instance_of.empty()) continue;  // an instance is its gateway's
      claim("gateway", g.name, g.where);
      check_interface_name("gateway." + g.name,
                           naming::gateway_port(naming::gateway_instance(g.name, g.active_active)),
                           g.where, "gateway");
    }
    // The namespace joining the gateways' public IPs has a fixed name.
    auto internet = owner.find(naming::internet_node());
    if (internet != owner.end()) {
      SourceLocation at;
      for (const Vnet& v : lab_.vnets)
        if (v.name == internet->first) at = v.where;
      for (const Vm& v : lab_.vms)
        if (v.name == internet->first) at = v.where;
      for (const Gateway& g : lab_.gateways)
        if (g.name == internet->first) at = g.where;
      error(at, internet->second + ": the name '" + internet->first +
                    "' is hublab's own (the namespace joining the gateways' public IPs)");
    }
  }

  void check_interface_name(const std::string& path, const std::string& interface,
                            SourceLocation at, const std::string& kind) {
    if (interface.size() <= naming::kMaxInterfaceName) return;
    size_t overhead = interface.size() - (path.size() - path.find('.') - 1);
    error(at, path + ": name is too long: its interface '" + interface + "' would exceed " +
                  std::to_string(naming::kMaxInterfaceName) + " characters (" + kind +
                  " names: at most " + std::to_string(naming::kMaxInterfaceName - overhead) + ")");
  }

  void check_vnet(const Vnet& vnet) {
    std::string path = (vnet.on_premises ? "site." : "vnet.") + vnet.name;
    if (vnet.address_space.empty() && !vnet.address_space_where.empty())
      error(vnet.where, path + ".address_space: needs at least one prefix");
    if (vnet.on_premises && vnet.subnets.empty())
      error(vnet.where, path + ".subnets: a site needs at least one subnet (its device routes it)");
    for (size_t i = 0; i < vnet.address_space.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (vnet.address_space[i].overlaps(vnet.address_space[j]))
          error(vnet.address_space_where[i], path +
                                                 ".address_space: " + vnet.address_space[i].str() +
                                                 " overlaps " + vnet.address_space[j].str());
    for (size_t i = 0; i < vnet.subnets.size(); ++i) {
      const Subnet& subnet = vnet.subnets[i];
      std::string subnet_path = path + ".subnets." + subnet.name;
      if (subnet.prefix.length > 29)
        error(subnet.where, subnet_path + ": " + subnet.prefix.str() +
                                " is too small: Azure subnets are /29 or larger");
      bool inside = false;
      for (const Prefix& space : vnet.address_space) inside |= space.contains(subnet.prefix);
      if (!inside && !vnet.address_space.empty())
        error(subnet.where, subnet_path + ": " + subnet.prefix.str() +
                                " is outside the VNet's address space " +
                                address_spaces_text(vnet));
      for (size_t j = 0; j < i; ++j)
        if (subnet.prefix.overlaps(vnet.subnets[j].prefix))
          error(subnet.where, subnet_path + ": " + subnet.prefix.str() + " overlaps subnet '" +
                                  vnet.subnets[j].name + "' (" + vnet.subnets[j].prefix.str() +
                                  ")");
    }
  }

  void check_vms() {
    std::map<std::pair<std::string, uint32_t>, std::string> taken;
    for (const Vm& vm : lab_.vms) {
      std::string path = "vm." + vm.name;
      if (vm.vnet.empty()) continue;
      const Vnet* vnet = lab_.find_vnet(vm.vnet);
      if (!vnet) {
        error(vm.vnet_where, path + ".vnet: no VNet named '" + vm.vnet + "'");
        continue;
      }
      const Subnet* subnet = vnet->find_subnet(vm.subnet);
      if (!subnet) {
        error(vm.subnet_where,
              path + ".subnet: VNet '" + vm.vnet + "' has no subnet named '" + vm.subnet + "'");
        continue;
      }
      if (subnet->name == kGatewaySubnet || subnet->name == kBastionSubnet) {
        error(vm.subnet_where, path + ".subnet: Azure allows no VMs in " + subnet->name);
        continue;
      }
      Ipv4 address = lab_.vm_address(vm);
      if (vm.address && !subnet->prefix.contains(address)) {
        error(vm.address_where, path + ".address: " + address.str() + " is outside subnet '" +
                                    subnet->name + "' (" + subnet->prefix.str() + ")");
        continue;
      }
      if (vm.address && subnet->prefix.is_azure_reserved(address)) {
        error(vm.address_where, path + ".address: " + address.str() +
                                    " is reserved by Azure (the first four addresses and the "
                                    "last of " +
                                    subnet->prefix.str() + ")");
        continue;
      }
      auto [it, fresh] = taken.emplace(std::pair{vm.vnet, address.value}, vm.name);
      if (!fresh)
        error(vm.address_where,
              path + ".address: " + address.str() + " is already used by vm." + it->second);
    }
  }

  void check_peerings() {
    std::set<std::pair<std::string, std::string>> peered;
    std::map<std::string, SourceLocation> uses_remote;
    for (size_t i = 0; i < lab_.peerings.size(); ++i) {
      const Peering& peering = lab_.peerings[i];
      std::string path = "peering[" + std::to_string(i) + "]";
      const Vnet* vnets[2];
      bool known = true;
      for (const PeeringSide& side : peering.sides) {
        const Vnet* vnet = lab_.find_vnet(side.vnet);
        if (!vnet) error(side.where, path + ": no VNet named '" + side.vnet + "'");
        known &= vnet != nullptr;
        vnets[&side - peering.sides] = vnet;
      }
      if (!known) continue;
      bool site = false;
      for (const Vnet* vnet : vnets)
        if (vnet->on_premises) {
          error(peering.where, path + ": '" + vnet->name +
                                   "' is an on-premises site: sites join over VPN connections, "
                                   "not peerings");
          site = true;
        }
      if (site) continue;
      auto pair = std::minmax(peering.sides[0].vnet, peering.sides[1].vnet);
      if (!peered.insert(pair).second) {
        error(peering.where,
              path + ": VNets '" + pair.first + "' and '" + pair.second + "' are already peered");
        continue;
      }
      for (const Prefix& a : vnets[0]->address_space)
        for (const Prefix& b : vnets[1]->address_space)
          if (a.overlaps(b))
            error(peering.where, path + ": address spaces overlap: " + vnets[0]->name + " " +
                                     a.str() + " and " + vnets[1]->name + " " + b.str() +
                                     " (Azure cannot peer them)");
      for (int s = 0; s < 2; ++s) {
        const PeeringSide& side = peering.sides[s];
        const PeeringSide& remote = peering.sides[1 - s];
        if (!side.use_remote_gateways) continue;
        std::string field = path + "." + side.vnet + ".use_remote_gateways: ";
        if (!lab_.gateway_of(remote.vnet) && !lab_.route_server_in(remote.vnet))
          error(side.use_remote_gateways_where,
                field + "VNet '" + remote.vnet + "' has no gateway or Route Server to use");
        else if (!remote.allow_gateway_transit)
          error(side.use_remote_gateways_where,
                field + "VNet '" + remote.vnet +
                    "' does not set allow_gateway_transit on this peering");
        if (lab_.gateway_of(side.vnet) || lab_.route_server_in(side.vnet))
          error(side.use_remote_gateways_where,
                field + "VNet '" + side.vnet + "' has a gateway or Route Server of its own");
        auto [it, fresh] = uses_remote.emplace(side.vnet, side.use_remote_gateways_where);
        if (!fresh)
          error(side.use_remote_gateways_where,
                field + "VNet '" + side.vnet + "' already uses remote gateways on line " +
                    std::to_string(it->second.line) + " (Azure allows one)");
      }
    }
  }

  void check_expectations() {
    for (size_t i = 0; i < lab_.expectations.rules.size(); ++i) {
      const ExpectRule& rule = lab_.expectations.rules[i];
      std::string path = "expect.rule[" + std::to_string(i) + "]";
      for (const std::string& vm : rule.from)
        if (!lab_.find_vm(vm)) error(rule.from_where, path + ".from: no VM named '" + vm + "'");
      for (const std::string& vm : rule.to)
        if (!lab_.find_vm(vm) && !Ipv4::parse(vm))
          error(rule.to_where, path + ".to: '" + vm + "' is neither a VM nor an IPv4 address");
      if (!rule.reachable && rule.hops)
        error(rule.where, path + ": hops make no sense for an unreachable pair");
    }
  }

  const Lab& lab_;
  Findings findings_;
};

}  // namespace

std::vector<Diagnostic> validate_lab(const Lab& lab) {
  return Validator(lab).run();
}

}  // namespace hublab
