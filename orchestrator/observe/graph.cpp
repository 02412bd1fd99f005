#include "orchestrator/observe/graph.h"

#include <algorithm>
#include <sstream>

#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/lab/route_server.h"
#include "orchestrator/observe/check_output.h"
#include "orchestrator/observe/tunnels.h"

namespace hublab {

namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string spaces(const Vnet& vnet) {
  std::string text;
  for (const Prefix& p : vnet.address_space) text += (text.empty() ? "" : ", ") + p.str();
  return text;
}

std::string peering_flags(const PeeringSide& side) {
  std::string flags;
  auto add = [&](bool on, const char* name) {
    if (on) flags += (flags.empty() ? "" : ", ") + std::string(name);
  };
  add(side.allow_gateway_transit, "gateway transit");
  add(side.use_remote_gateways, "remote gateways");
  add(side.allow_forwarded_traffic, "forwarded traffic");
  add(!side.allow_virtual_network_access, "NO vnet access");
  return flags;
}

// What a gateway node says of itself: a site's router, a VPN gateway with
// its public IP, or an ExpressRoute gateway (no public endpoint).
std::string gateway_label(const Lab& lab, const Gateway& g, const char* line) {
  std::string kind = g.on_premises ? " VPN device" : g.expressroute() ? " (ExpressRoute)" : "";
  if (g.on_premises &&
      std::none_of(lab.connections.begin(), lab.connections.end(), [&](const Connection& c) {
        return c.gateways[0] == g.name || c.gateways[1] == g.name;
      }))
    kind = " router";  // a site on a circuit only
  std::string label = g.name + kind + line + "ASN " + std::to_string(g.asn) + line + "BGP " +
                      lab.bgp_peer_ip(g).str();
  if (!g.expressroute()) label += line + std::string("public ") + lab.public_ip(g).str();
  return label;
}

// A circuit link's state: down while a fault holds it (a running lab), up
// when running, unknown from the file alone.
const char* link_colour(const GraphState& state, const Circuit& circuit, int link) {
  if (!state.running) return "gray40";
  return state.circuit_links_down.count({circuit.name, link}) ? "red" : "forestgreen";
}

const char* connection_colour(const GraphState& state, const std::string& name) {
  auto it = state.connections.find(name);
  if (it == state.connections.end()) return "gray40";
  return it->second == "up" ? "forestgreen" : "red";
}

}  // namespace

std::string topology_dot(const Lab& lab, const GraphState& state) {
  std::ostringstream d;
  d << "graph " << quoted(lab.name) << " {\n"
    << "  graph [rankdir=LR, fontname=\"Helvetica\", label=" << quoted("lab " + lab.name)
    << ", labelloc=t];\n"
    << "  node [fontname=\"Helvetica\", fontsize=10];\n"
    << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (const Vnet& vnet : lab.vnets) {
    d << "  subgraph " << quoted("cluster_" + vnet.name) << " {\n    label="
      << quoted(vnet.name + (vnet.on_premises ? " (on premises)" : "") + "\n" + spaces(vnet))
      << "; style=rounded; color=" << (vnet.on_premises ? "darkorange" : "steelblue") << ";\n";
    d << "    " << quoted("vnet:" + vnet.name)
      << " [shape=box3d, label=" << quoted(vnet.name + " router") << "];\n";
    for (const Vm& vm : lab.vms)
      if (vm.vnet == vnet.name)
        d << "    " << quoted(vm.name) << " [shape=box, style=rounded, label="
          << quoted(vm.name + "\n" + lab.vm_address(vm).str() + " (" + vm.subnet + ")") << "];\n";
    for (const Gateway& g : lab.gateways)
      if (g.vnet == vnet.name)
        d << "    " << quoted(g.name)
          << " [shape=hexagon, label=" << quoted(gateway_label(lab, g, "\n")) << "];\n";
    if (const RouteServer* rs = lab.route_server_in(vnet.name))
      for (int i = 0; i < 2; ++i)
        d << "    " << quoted(route_server_instance(*rs, i)) << " [shape=octagon, label="
          << quoted("Route Server " + rs->name + "\ninstance " + std::to_string(i) + ", " +
                    route_server_instance_ip(lab, *rs, i).str() + "\nASN 65515")
          << "];\n";
    d << "  }\n";
  }
  for (const Vm& vm : lab.vms)
    d << "  " << quoted("vnet:" + vm.vnet) << " -- " << quoted(vm.name) << " [color=gray60];\n";
  for (const Gateway& g : lab.gateways)
    d << "  " << quoted("vnet:" + g.vnet) << " -- " << quoted(g.name)
      << " [color=gray60, label=" << (g.on_premises ? "\"its router\"" : "\"GatewaySubnet\"")
      << "];\n";
  // Each Route Server instance on its subnet, and its BGP to each NVA.
  for (const RouteServer& rs : lab.route_servers)
    for (int i = 0; i < 2; ++i) {
      d << "  " << quoted("vnet:" + rs.vnet) << " -- " << quoted(route_server_instance(rs, i))
        << " [color=gray60, label=\"RouteServerSubnet\"];\n";
      for (const BgpConnection& c : rs.bgp_connections)
        if (const Vm* nva = nva_of(lab, rs, c))
          d << "  " << quoted(route_server_instance(rs, i)) << " -- " << quoted(nva->name)
            << " [style=dashed, color=darkgreen, label=" << quoted("BGP " + c.name) << "];\n";
      // Branch-to-branch: it exchanges routes with the VNet's gateways.
      if (rs.branch_to_branch)
        for (const Gateway& g : lab.gateways)
          if (g.vnet == rs.vnet && !g.on_premises && g.instance_of.empty())
            d << "  " << quoted(route_server_instance(rs, i)) << " -- " << quoted(g.name)
              << " [style=dashed, color=darkgreen, label=\"branch-to-branch\"];\n";
    }
  // Each VXLAN overlay between two NVAs, with both ends' overlay addresses.
  for (const Vxlan& x : lab.vxlans)
    d << "  " << quoted(x.ends[0].vm) << " -- " << quoted(x.ends[1].vm)
      << " [style=bold, color=darkgreen, label="
      << quoted("VXLAN " + std::to_string(x.vni) + "\n" + x.ends[0].address.str() + " - " +
                x.ends[1].address.str())
      << "];\n";
  for (const Peering& p : lab.peerings)
    d << "  " << quoted("vnet:" + p.sides[0].vnet) << " -- " << quoted("vnet:" + p.sides[1].vnet)
      << " [label=\"peering\", taillabel=" << quoted(peering_flags(p.sides[0]))
      << ", headlabel=" << quoted(peering_flags(p.sides[1])) << ", color=steelblue];\n";
  for (const Connection& c : lab.connections) {
    std::string label = c.name + "\nIPsec" + (c.enable_bgp ? " + BGP" : "");
    if (auto it = state.connections.find(c.name); it != state.connections.end())
      label += "\n" + it->second;
    d << "  " << quoted(c.gateways[0]) << " -- " << quoted(c.gateways[1])
      << " [style=bold, color=" << connection_colour(state, c.name) << ", label=" << quoted(label)
      << "];\n";
  }
  // Each circuit: its two edge routers (Microsoft's, AS 12076), and every
  // gateway's (or the site's) link to each.
  for (const Circuit& circuit : lab.circuits) {
    d << "  subgraph " << quoted("cluster_circuit_" + circuit.name) << " {\n    label="
      << quoted("circuit " + circuit.name + "\n" + circuit.bandwidth + ", VLAN " +
                std::to_string(circuit.vlan) + ", peer ASN " + std::to_string(circuit.peer_asn))
      << "; style=dashed; color=purple;\n";
    for (int link : {kPrimaryLink, kSecondaryLink})
      d << "    " << quoted(naming::edge_router(circuit.name, link_name(link)))
        << " [shape=octagon, label="
        << quoted(std::string("MSEE ") + link_name(link) + "\nASN " +
                  std::to_string(kMicrosoftEdgeAsn) + "\nsilent hop")
        << "];\n";
    d << "  }\n";
  }
  for (size_t i = 0; i < lab.circuit_connections.size(); ++i) {
    const CircuitConnection& c = lab.circuit_connections[i];
    const Circuit* circuit = lab.find_circuit(c.circuit);
    if (!circuit) continue;
    for (int link : {kPrimaryLink, kSecondaryLink})
      d << "  " << quoted(c.gateway) << " -- "
        << quoted(naming::edge_router(c.circuit, link_name(link)))
        << " [style=bold, color=" << link_colour(state, *circuit, link) << ", label="
        << quoted(c.name + "\n" + circuit_connection_address(lab, i, link, 0).str() +
                  (c.routing_weight ? "\nweight " + std::to_string(c.routing_weight) : ""))
        << "];\n";
  }
  for (const auto& [pair, reachable] : state.reachable)
    if (pair.first < pair.second || !state.reachable.count({pair.second, pair.first}))
      d << "  " << quoted(pair.first) << " -- " << quoted(pair.second)
        << " [style=dashed, constraint=false, color=" << (reachable ? "forestgreen" : "red")
        << "];\n";
  d << "}\n";
  return d.str();
}

std::string topology_mermaid(const Lab& lab, const GraphState& state) {
  auto id = [](const std::string& name) {
    std::string out;
    for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return out;
  };
  std::ostringstream m;
  m << "flowchart LR\n";
  for (const Vnet& vnet : lab.vnets) {
    m << "  subgraph net_" << id(vnet.name) << "[\"" << vnet.name
      << (vnet.on_premises ? " (on premises) " : " ") << spaces(vnet) << "\"]\n";
    m << "    r_" << id(vnet.name) << "[(\"" << vnet.name << " router\")]\n";
    for (const Vm& vm : lab.vms)
      if (vm.vnet == vnet.name)
        m << "    " << id(vm.name) << "[\"" << vm.name << "<br>" << lab.vm_address(vm).str()
          << "\"]\n";
    for (const Gateway& g : lab.gateways)
      if (g.vnet == vnet.name)
        m << "    gw_" << id(g.name) << "{{\"" << gateway_label(lab, g, "<br>") << "\"}}\n";
    if (const RouteServer* rs = lab.route_server_in(vnet.name))
      for (int i = 0; i < 2; ++i)
        m << "    rs_" << id(route_server_instance(*rs, i)) << "{{\"Route Server " << rs->name
          << " " << i << "<br>" << route_server_instance_ip(lab, *rs, i).str() << "\"}}\n";
    m << "  end\n";
  }
  for (const Vm& vm : lab.vms) m << "  r_" << id(vm.vnet) << " --- " << id(vm.name) << "\n";
  for (const Gateway& g : lab.gateways)
    m << "  r_" << id(g.vnet) << " --- gw_" << id(g.name) << "\n";
  for (const RouteServer& rs : lab.route_servers)
    for (int i = 0; i < 2; ++i) {
      m << "  r_" << id(rs.vnet) << " --- rs_" << id(route_server_instance(rs, i)) << "\n";
      for (const BgpConnection& c : rs.bgp_connections)
        if (const Vm* nva = nva_of(lab, rs, c))
          m << "  rs_" << id(route_server_instance(rs, i)) << " -.-|BGP| " << id(nva->name) << "\n";
    }
  for (const Vxlan& x : lab.vxlans)
    m << "  " << id(x.ends[0].vm) << " ===|VXLAN " << x.vni << "| " << id(x.ends[1].vm) << "\n";
  for (const Peering& p : lab.peerings)
    m << "  r_" << id(p.sides[0].vnet) << " ---|peering| r_" << id(p.sides[1].vnet) << "\n";
  for (const Connection& c : lab.connections) {
    std::string label = "IPsec" + std::string(c.enable_bgp ? " + BGP" : "");
    if (auto it = state.connections.find(c.name); it != state.connections.end())
      label += " " + it->second;
    m << "  gw_" << id(c.gateways[0]) << " ===|" << label << "| gw_" << id(c.gateways[1]) << "\n";
  }
  for (const Circuit& circuit : lab.circuits) {
    m << "  subgraph circuit_" << id(circuit.name) << "[\"circuit " << circuit.name << "\"]\n";
    for (int link : {kPrimaryLink, kSecondaryLink})
      m << "    " << id(naming::edge_router(circuit.name, link_name(link))) << "{{\"MSEE "
        << link_name(link) << "<br>ASN " << kMicrosoftEdgeAsn << "\"}}\n";
    m << "  end\n";
  }
  for (const CircuitConnection& c : lab.circuit_connections)
    for (int link : {kPrimaryLink, kSecondaryLink}) {
      const bool down = state.running && state.circuit_links_down.count({c.circuit, link});
      m << "  gw_" << id(c.gateway) << " ===|" << c.name << (down ? " down" : "") << "| "
        << id(naming::edge_router(c.circuit, link_name(link))) << "\n";
    }
  for (const auto& [pair, reachable] : state.reachable)
    if (pair.first < pair.second)
      m << "  " << id(pair.first) << " -.-" << (reachable ? "|reaches|" : "|blocked|") << " "
        << id(pair.second) << "\n";
  return m.str();
}

// What the running lab adds to the picture: tunnel state, and the last
// check's reachability.
GraphState live_graph_state(LabState& state, const Lab& lab) {
  GraphState graph;
  graph.running = true;
  const Lab faulted = lab_under_faults(lab, state.faults());
  for (const Circuit& circuit : faulted.circuits)
    for (int link : {kPrimaryLink, kSecondaryLink})
      if (circuit.link_down[link]) graph.circuit_links_down.insert({circuit.name, link});
  for (const TunnelReport& t : read_tunnels(state, lab)) {
    bool up = t.daemon_alive[0] && t.daemon_alive[1] && t.sides[0].child_state == "INSTALLED" &&
              t.sides[1].child_state == "INSTALLED";
    graph.connections[t.connection] = up ? "up" : "down";
  }
  if (auto last = parse_last_check(state.last_check()))
    for (const LastCheck::Pair& pair : last->results)
      if (pair.protocol == ProbeProtocol::kIcmp && lab.find_vm(pair.to))
        graph.reachable[{pair.from, pair.to}] = pair.reachable;
  return graph;
}

}  // namespace hublab
