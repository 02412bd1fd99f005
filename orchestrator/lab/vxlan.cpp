#include "orchestrator/lab/vxlan.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace hublab {

namespace {

// "192.168.100.1/30": an interface's address and its prefix length.
bool parse_interface_address(const std::string& text, VxlanEnd& end) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  auto address = Ipv4::parse(text.substr(0, slash));
  int length = -1;
  const char* first = text.data() + slash + 1;
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, length);
  if (!address || ec != std::errc() || ptr != last || first == last || length < 1 || length > 30)
    return false;
  end.address = *address;
  end.prefix_length = length;
  return true;
}

Prefix overlay_of(const VxlanEnd& end) {
  Prefix p{end.address, end.prefix_length};
  p.network = Ipv4{end.address.value & p.mask()};
  return p;
}

}  // namespace

void read_vxlans(Fields& top, Lab& lab) {
  const toml::node* n = top.node("vxlan");
  if (!n) return;
  const toml::array* array = n->as_array();
  if (!array || !array->is_array_of_tables()) {
    top.error(where_of(n->source()),
              "vxlan: expected [[vxlan]] tables (vni = N, VM = \"ADDRESS/LENGTH\" for each end)");
    return;
  }
  int index = 0;
  for (const toml::node& item : *array) {
    const toml::table& table = *item.as_table();
    const std::string path = "vxlan[" + std::to_string(index++) + "]";
    Fields f = top.nested(table, path);
    Vxlan vxlan;
    vxlan.index = static_cast<size_t>(index - 1);
    vxlan.where = f.where();
    vxlan.vni_where = f.where("vni");
    // VNIs are 24 bits (RFC 7348); 0 is left alone, as Linux's default.
    if (auto vni = f.integer_in("vni", 1, 16777215, true, [](int64_t v) {
          return "VNI " + std::to_string(v) + " is out of range 1-16777215 (24 bits, RFC 7348)";
        }))
      vxlan.vni = static_cast<uint32_t>(*vni);
    int ends = 0;
    for (auto&& [key, value] : table) {
      const std::string vm(key.str());
      if (vm == "vni") continue;
      f.node(vm);
      if (ends == 2) {
        f.error(where_of(key.source()),
                path + ": a VXLAN overlay joins exactly two VMs; '" + vm + "' is a third");
        continue;
      }
      VxlanEnd& end = vxlan.ends[ends++];
      end.vm = vm;
      end.where = where_of(key.source());
      auto text = value.value<std::string>();
      if (!text || !parse_interface_address(*text, end))
        f.field_error(vm,
                      "expected the VM's overlay address with its prefix length, e.g. "
                      "\"192.168.100.1/30\" (a length of 1-30)");
    }
    if (ends < 2) {
      f.error(vxlan.where,
              path + ": a VXLAN overlay joins exactly two VMs; " + std::to_string(ends) + " given");
      continue;
    }
    lab.vxlans.push_back(std::move(vxlan));
  }
}

OverlayPeer overlay_peer(const Lab& lab, const std::string& vm, Ipv4 peer_ip) {
  for (const Vxlan& vxlan : lab.vxlans)
    for (int e = 0; e < 2; ++e)
      if (vxlan.ends[e].vm == vm && vxlan.ends[1 - e].address == peer_ip)
        return {&vxlan, &vxlan.ends[e], &vxlan.ends[1 - e]};
  return {};
}

void validate_vxlans(const Lab& lab, Findings& findings) {
  std::map<uint32_t, size_t> by_vni;
  std::vector<std::pair<Prefix, size_t>> overlays;
  std::map<std::pair<std::string, std::string>, size_t> by_pair;
  for (const Vxlan& vxlan : lab.vxlans) {
    const size_t i = vxlan.index;
    const std::string path = "vxlan[" + std::to_string(i) + "]";
    if (vxlan.vni != 0) {
      auto [other, fresh] = by_vni.emplace(vxlan.vni, i);
      if (!fresh)
        findings.error(vxlan.vni_where, path + ".vni: " + std::to_string(vxlan.vni) + " is vxlan[" +
                                            std::to_string(other->second) + "]'s too");
    }
    const Vm* vms[2] = {lab.find_vm(vxlan.ends[0].vm), lab.find_vm(vxlan.ends[1].vm)};
    bool ends_ok = true;
    for (int e = 0; e < 2; ++e) {
      const VxlanEnd& end = vxlan.ends[e];
      const std::string epath = path + "." + end.vm;
      if (!vms[e]) {
        findings.error(end.where, epath + ": no VM named '" + end.vm + "'");
        ends_ok = false;
        continue;
      }
      if (end.prefix_length == 0) {  // reported by the reader
        ends_ok = false;
        continue;
      }
      const Prefix overlay = overlay_of(end);
      if (end.address == overlay.network || end.address == overlay.broadcast())
        findings.error(end.where, epath + ": " + end.address.str() +
                                      " is the network or "
                                      "broadcast address of " +
                                      overlay.str());
      for (const Vnet& vnet : lab.vnets)
        for (const Prefix& space : vnet.address_space)
          if (space.contains(overlay.network) || overlay.contains(space.network))
            findings.error(end.where, epath + ": the overlay " + overlay.str() + " overlaps " +
                                          (vnet.on_premises ? "site." : "vnet.") + vnet.name +
                                          "'s space " + space.str() +
                                          ": it must be an address range of its own");
      if (!vms[e]->bgp)
        findings.error(end.where, epath + ": vm." + end.vm +
                                      " speaks no BGP: an overlay joins NVAs (give it bgp = { "
                                      "asn = ..., peers = [...] })");
      const Vnet* vnet = lab.find_vnet(vms[e]->vnet);
      const Subnet* subnet = vnet ? vnet->find_subnet(vms[e]->subnet) : nullptr;
      if (subnet && !subnet->route_table.empty())
        findings.error(end.where, epath + ": vm." + end.vm + "'s subnet has route_table " +
                                      subnet->route_table +
                                      ": an overlay's underlay through user routes is not "
                                      "emulated yet");
    }
    if (!ends_ok) continue;
    if (vxlan.ends[0].vm == vxlan.ends[1].vm) {
      findings.error(vxlan.ends[1].where, path + ": both ends are vm." + vxlan.ends[0].vm +
                                              ": an overlay joins two VMs");
      continue;
    }
    // One overlay per pair of VMs: a second would carry the same routes.
    auto [pair, first] = by_pair.emplace(std::minmax(vxlan.ends[0].vm, vxlan.ends[1].vm), i);
    if (!first)
      findings.error(vxlan.where, path + ": vm." + vxlan.ends[0].vm + " and vm." +
                                      vxlan.ends[1].vm + " have vxlan[" +
                                      std::to_string(pair->second) +
                                      "] already: one overlay per pair of VMs");
    const Prefix a = overlay_of(vxlan.ends[0]), b = overlay_of(vxlan.ends[1]);
    if (a != b)
      findings.error(vxlan.ends[1].where, path + "." + vxlan.ends[1].vm + ": " +
                                              vxlan.ends[1].address.str() + "/" +
                                              std::to_string(vxlan.ends[1].prefix_length) +
                                              " is not on " + vxlan.ends[0].vm + "'s overlay " +
                                              a.str() + ": both ends share one subnet");
    else if (vxlan.ends[0].address == vxlan.ends[1].address)
      findings.error(vxlan.ends[1].where, path + "." + vxlan.ends[1].vm + ": " +
                                              vxlan.ends[1].address.str() + " is " +
                                              vxlan.ends[0].vm + "'s address too");
    for (const auto& [other, j] : overlays)
      if (other.contains(a.network) || a.contains(other.network)) {
        findings.error(vxlan.where, path + ": its overlay " + a.str() + " overlaps vxlan[" +
                                        std::to_string(j) + "]'s " + other.str());
        break;
      }
    overlays.emplace_back(a, i);
    // The underlay: each end reaches the other's NIC through Azure's
    // fabric, so the two VMs share a VNet or their VNets are peered.
    const std::string& va = vms[0]->vnet;
    const std::string& vb = vms[1]->vnet;
    bool reached = va == vb;
    for (const Peering& p : lab.peerings)
      reached |= ((p.sides[0].vnet == va && p.sides[1].vnet == vb) ||
                  (p.sides[0].vnet == vb && p.sides[1].vnet == va)) &&
                 p.sides[0].allow_virtual_network_access && p.sides[1].allow_virtual_network_access;
    if (!reached)
      findings.error(vxlan.where, path + ": vm." + vms[0]->name + " (" + va + ") and vm." +
                                      vms[1]->name + " (" + vb +
                                      ") cannot reach each other's NIC: their VNets must be the "
                                      "same, or peered with virtual network access both ways");
  }
}

}  // namespace hublab
