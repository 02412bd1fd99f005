#include "orchestrator/plan/bird_config.h"

#include <sstream>

#include "orchestrator/lab/expressroute.h"
#include "orchestrator/lab/route_server.h"
#include "orchestrator/plan/addressing.h"

namespace hublab {

namespace {

std::string prefix_set(const std::vector<Prefix>& prefixes, const char* suffix) {
  std::string text;
  for (const Prefix& p : prefixes) text += (text.empty() ? "" : ", ") + p.str() + suffix;
  return "[ " + text + " ]";
}

// BIRD table names: letters, digits and '_'.
std::string table_name(const KernelTable& table) {
  if (table.number == kMainTable) return "main";
  std::string out = "subnet_";
  for (char c : table.name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string header(const BgpRouter& router) {
  return "# Written by hublab: " + router.role + ".\nrouter id " + router.router_id.str() +
         ";\nlog \"bird.log\" { info, remote, warning, error, auth, fatal, bug };\n"
         "protocol device { scan time 10; }\n";
}

// Short timers: a lost tunnel withdraws within the hold time, and a SYN lost
// before the tunnel was up costs a second, not BIRD's default two minutes.
std::string timers_text(const BirdTimers& timers) {
  return "  hold time " + std::to_string(timers.hold_seconds) + ";\n  keepalive time " +
         std::to_string(timers.keepalive_seconds) +
         ";\n  connect delay time 0;\n  connect retry time 1;\n  error wait time 1, 5;\n";
}

// How a session reaches its neighbor: through the tunnel, or on a link.
const char* reach_text(const BgpSession& session) {
  // Branch-to-branch: the VNet router reflects between its gateways (its
  // clients) and the Route Server's instances, all of AS 65515.
  if (session.kind == BgpSession::Kind::kFromGateway && session.branch_to_branch)
    return "  direct;\n  rr client;\n";
  switch (session.kind) {
    case BgpSession::Kind::kTunnel:
      // The gateway, its connection end, the far end, the far gateway: two
      // forwarding hops between the speakers.
      return "  multihop 3;\n";
    case BgpSession::Kind::kToSpoke:
      return "  direct;\n  rr client;\n";
    case BgpSession::Kind::kToNva:
      // Through the VNet router: eBGP multihop, as Azure requires of NVAs.
      // No graceful restart: FRR's bgpd stops without a Cease, and an NVA
      // that stops must take its routes with it (MS Learn names no restart
      // time for Route Server).
      return "  multihop;\n  graceful restart off;\n";
    default:
      return "  direct;\n";
  }
}

// Sessions over links a fault can cut without a word (a tunnel, an edge
// link) keep BGP's shortest hold time; the others, the internal timers.
bool may_lose_its_link(BgpSession::Kind kind) {
  return kind == BgpSession::Kind::kTunnel || kind == BgpSession::Kind::kToEdge ||
         kind == BgpSession::Kind::kToNva || kind == BgpSession::Kind::kToExpressRouteGateway ||
         kind == BgpSession::Kind::kToCustomerEdge;
}

// The mark an edge router (AS `edge`) puts on what an Azure gateway (AS
// `gateway`) sent it: another gateway on the circuit refuses it unless it
// allows remote VNet traffic.
std::string from_gateway_community(uint32_t edge, uint32_t gateway) {
  return "(" + std::to_string(edge) + ", " + std::to_string(gateway) + ")";
}

// A gateway's session to an edge router.
std::string edge_session_channel(const BgpSession& s) {
  std::string text = "  ipv4 {\n    import filter {\n";
  if (s.refuse_vnet_routes)
    text += "      # allow_remote_vnet_traffic off: nothing of other VNets.\n      if " +
            from_gateway_community(s.neighbor_as, s.local_as) + " ~ bgp_community then reject;\n";
  text += s.export_only.empty()
              ? "      # The connection's routing weight: the highest wins.\n"
              : "      # The site prefers its circuit to a VPN for the same prefix.\n";
  text +=
      "      bgp_local_pref = " + std::to_string(s.local_preference) + ";\n      accept;\n    };\n";
  if (s.export_only.empty() && s.branch_to_branch)
    text +=
        "    # Its VNets, and (branch-to-branch) what its Route Server's NVAs gave it\n"
        "    # through the VNet router; never what another edge brought.\n"
        "    export where proto = \"advertised\" || (source = RTS_BGP && proto ~ \"vnet_*\");\n"
        "  };\n";
  else if (s.export_only.empty())
    text +=
        "    # Its VNets, to the circuit; never what another edge brought.\n"
        "    export where proto = \"advertised\";\n  };\n";
  else
    text +=
        "    # The site's own spaces; never what it routes to Azure over a VPN.\n"
        "    export where proto = \"advertised\" && net ~ " +
        prefix_set(s.export_only, "") + ";\n  };\n";
  return text;
}

// An edge router's session to a gateway. Every Azure gateway holds the same
// ASN: the edge puts its own in its place, or the gateway it passes the
// route to would drop it as a loop.
std::string gateway_session_channel(const BgpSession& s) {
  const std::string gateway = std::to_string(s.neighbor_as);
  return "  ipv4 {\n    import filter { bgp_community.add(" +
         from_gateway_community(s.local_as, s.neighbor_as) +
         "); accept; };\n"
         "    # The gateways' ASN replaced by the edge's own.\n"
         "    export filter {\n      if bgp_path ~ [= * " +
         gateway + " * =] then {\n        bgp_path.delete(" + gateway +
         ");\n        bgp_path.prepend(" + std::to_string(s.local_as) +
         ");\n      }\n      accept;\n    };\n  };\n";
}

// What a session of `router` carries.
std::string channel_text(const BgpRouter& router, const BgpSession& session) {
  switch (session.kind) {
    case BgpSession::Kind::kToEdge:
      return edge_session_channel(session);
    case BgpSession::Kind::kToExpressRouteGateway:
      return gateway_session_channel(session);
    case BgpSession::Kind::kToCustomerEdge:
      // Both ways as they are: the site sees 12076 65515 for a VNet, the
      // gateways 12076 and the site's ASN for its spaces.
      return "  ipv4 { import all; export all; };\n";
    case BgpSession::Kind::kTunnel:
      return "  ipv4 {\n    import all;\n"
             "    # Azure drops the session of a peer that sends more than 4000 prefixes.\n"
             "    receive limit 4000 action disable;\n"
             "    # Its own prefixes, and what other peers taught it (transit).\n" +
             (router.customer_edge
                  ? "    # Not what its circuit brought (AS path from 12076).\n"
                    "    export where proto = \"advertised\" || (source = RTS_BGP && "
                    "bgp_path.first != " +
                        std::to_string(kMicrosoftEdgeAsn) + ");\n"
                  : "    export where proto = \"advertised\" || source = RTS_BGP;\n") +
             "    gateway recursive;\n    igp table tunnels;\n  };\n";
    case BgpSession::Kind::kToHubRouter:
      return std::string("  ipv4 {\n") +
             (session.branch_to_branch
                  ? "    # Branch-to-branch: what the Route Server's NVAs advertise.\n"
                    "    import all;\n"
                  : "    import none;\n") +
             "    export where source = RTS_BGP;\n    next hop self;\n  };\n";
    case BgpSession::Kind::kToSpoke:
      return "  ipv4 { import none; export where source = RTS_BGP; next hop self; };\n";
    case BgpSession::Kind::kFromGateway: {
      // Branch-to-branch: the Route Server's routes (its NVAs') to the
      // gateway, which reaches them through this router.
      const std::string out =
          session.branch_to_branch
              ? "    export where source = RTS_BGP && proto ~ \"route_server_*\";\n"
                "    next hop self;\n"
              : "    export none;\n";
      if (session.local_preference)
        return "  ipv4 {\n    # ExpressRoute over a VPN or an NVA for the same prefix.\n"
               "    import filter { bgp_local_pref = " +
               std::to_string(session.local_preference) + "; accept; };\n" + out + "  };\n";
      return "  ipv4 {\n    import all;\n" + out + "  };\n";
    }
    case BgpSession::Kind::kFromHub:
      return "  ipv4 { import all; export none; };\n";
    case BgpSession::Kind::kToNva:
      return "  ipv4 {\n"
             "    # Nothing as long as or longer than a space it serves.\n"
             "    import filter { if net ~ " +
             prefix_set(router.shielded, "+") +
             " then reject; accept; };\n"
             "    # Route Server drops a peer that sends more routes than its limit.\n"
             "    receive limit " +
             std::to_string(kRouteServerRouteLimit) +
             " action disable;\n"
             "    # The VNets it serves, and what other NVAs taught it; BGP's loop\n"
             "    # prevention drops any path that holds 65515 on the way in.\n"
             "    export where proto = \"advertised\" || source = RTS_BGP;\n"
             "    gateway recursive;\n    igp table nvas;\n  };\n";
    case BgpSession::Kind::kToVnetRouter:
      return std::string("  ipv4 {\n") +
             (session.branch_to_branch
                  ? "    # Branch-to-branch: the gateways' routes, for the NVAs.\n    import all;\n"
                  : "    import none;\n") +
             "    # Every NVA's route, next hop the NVA: the VNet's subnets get ECMP.\n"
             "    export where source = RTS_BGP;\n    add paths tx;\n  };\n";
    case BgpSession::Kind::kFromRouteServer:
      if (session.branch_to_branch)
        return "  ipv4 {\n    import all;\n"
               "    # Branch-to-branch: the gateways' routes, for the NVAs.\n"
               "    export where source = RTS_BGP && proto ~ \"gateway_*\";\n"
               "    next hop self;\n    add paths rx;\n  };\n";
      return "  ipv4 { import all; export none; add paths rx; };\n";
  }
  return "";
}

void sessions(std::ostream& c, const BgpRouter& router, const BirdTimers& timers) {
  for (const BgpSession& s : router.sessions)
    c << "\nprotocol bgp " << s.name << " {\n  description \"" << s.description << "\";\n  local "
      << s.local.str() << " as " << s.local_as << ";\n  neighbor " << s.neighbor.str() << " as "
      << s.neighbor_as << ";\n"
      << reach_text(s) << timers_text(may_lose_its_link(s.kind) ? timers : kInternalTimers)
      << channel_text(router, s) << "}\n";
}

// A table of its own for peers beyond a hop (a tunnel's far gateway, a
// Route Server's NVAs), each a static route via the address that reaches it:
// BGP next hops resolve through it.
void peer_routes(std::ostream& c, const char* table, const char* protocol,
                 const std::vector<TunnelPeer>& peers) {
  c << "ipv4 table " << table << ";\nprotocol static " << protocol << " {\n  ipv4 { table " << table
    << "; };\n";
  for (const TunnelPeer& p : peers)
    c << "  route " << p.peer.str() << " via " << p.via.str() << ";\n";
  c << "}\n";
}

// What a speaker advertises of its own: blackhole statics it exports.
void advertised_routes(std::ostream& c, const std::vector<Prefix>& prefixes) {
  c << "protocol static advertised {\n  ipv4;\n";
  for (const Prefix& p : prefixes) c << "  route " << p.str() << " blackhole;\n";
  c << "}\n";
}

std::vector<Prefix> tunnel_peer_prefixes(const BgpRouter& router) {
  std::vector<Prefix> prefixes;
  for (const TunnelPeer& p : router.tunnel_peers) prefixes.push_back(p.peer);
  return prefixes;
}

std::string gateway_config(const BgpRouter& router, const BirdTimers& timers) {
  std::ostringstream c;
  c << header(router);
  c << "\n# The tunnel peers' BGP peer IPs lie beyond each connection's end; BGP next\n"
       "# hops resolve through this table.\n";
  peer_routes(c, "tunnels", "tunnel_peers", router.tunnel_peers);
  c << "\n# What this gateway advertises of its own (Azure rule 3).\n";
  advertised_routes(c, router.advertised);
  c << "\n# Learned routes into the gateway's kernel; the peers' /32s stay hublab's\n"
       "# own device routes into ipsec0.\n"
       "protocol kernel {\n  ipv4 { import none; export where source = RTS_BGP";
  if (!router.tunnel_peers.empty())
    c << " && net !~ " << prefix_set(tunnel_peer_prefixes(router), "");
  c << "; };\n  metric " << kBgpRouteMetric << ";\n";
  if (router.customer_edge)
    c << "  # Equal routes from both of its circuit's edges: ECMP.\n  merge paths on;\n";
  c << "}\n";
  sessions(c, router, timers);
  return c.str();
}

std::string vnet_router_config(const BgpRouter& router, const BirdTimers& timers) {
  std::ostringstream c;
  c << header(router);
  c << "\n# What BGP routes reach this VNet's kernel tables. The VNet's own and its\n"
       "# peerings' system routes win even over more specific BGP routes (Azure\n"
       "# rule 5): BGP routes inside them stay in BIRD (Invalid in effective routes)\n"
       "# and are still reflected to spokes, but are not installed here.\n"
       "filter kernel_routes {\n  if source != RTS_BGP then reject;\n  if net ~ "
    << prefix_set(router.shielded, "+")
    << " then reject;\n  accept;\n}\n"
       "# The main table carries what peers send through this router, each packet\n"
       "# by the route its own VNet chose: only the VNet's own space is shielded.\n"
       "filter transit_routes {\n  if source != RTS_BGP then reject;\n  if net ~ "
    << prefix_set(router.transit_shielded, "+") << " then reject;\n  accept;\n}\n";
  sessions(c, router, timers);
  // BIRD syncs one kernel table per BIRD table, so each kernel table gets a
  // BIRD table of its own, fed by a pipe from master4.
  for (const KernelTable& table : router.kernel_tables) {
    const std::string name = table_name(table);
    c << "\n# "
      << (table.number == kMainTable ? "The main table: traffic passing through this router."
                                     : "Subnet " + table.name + ".")
      << "\nipv4 table " << name << ";\nprotocol pipe pipe_" << name
      << " {\n  table master4;\n  peer table " << name << ";\n  import none;\n  export filter "
      << (table.number == kMainTable ? "transit_routes" : "kernel_routes")
      << ";\n}\nprotocol kernel kernel_" << name << " {\n  ipv4 { table " << name
      << "; import none; export all; };\n  kernel table " << table.number << ";\n  metric "
      << kBgpRouteMetric
      << ";\n  # Equal routes from both instances of an active-active gateway: ECMP.\n"
         "  merge paths on;\n}\n";
  }
  return c.str();
}

// Learned routes into the kernel's main table; equal ones from both of a
// circuit's edges as one ECMP route.
std::string ecmp_kernel_protocol() {
  return "protocol kernel {\n  ipv4 { import none; export where source = RTS_BGP; };\n  metric " +
         std::to_string(kBgpRouteMetric) + ";\n  merge paths on;\n}\n";
}

std::string expressroute_gateway_config(const BgpRouter& router, const BirdTimers& timers) {
  std::ostringstream c;
  c << header(router);
  c << "\n# What this gateway advertises to its circuits: its VNets (Azure rule 3).\n";
  advertised_routes(c, router.advertised);
  c << "\n" << ecmp_kernel_protocol();
  sessions(c, router, timers);
  return c.str();
}

std::string edge_router_config(const BgpRouter& router, const BirdTimers& timers) {
  std::ostringstream c;
  c << header(router) << "\n" << ecmp_kernel_protocol();
  sessions(c, router, timers);
  return c.str();
}

std::string route_server_config(const BgpRouter& router, const BirdTimers& timers) {
  std::ostringstream c;
  c << header(router);
  c << "\n# Its NVAs lie beyond the VNet router; BGP next hops resolve through this\n"
       "# table. A Route Server forwards no traffic: its kernel learns nothing.\n";
  peer_routes(c, "nvas", "nva_addresses", router.tunnel_peers);
  c << "\n# What it advertises to the NVAs: the VNets it serves.\n";
  advertised_routes(c, router.advertised);
  sessions(c, router, timers);
  return c.str();
}

}  // namespace

std::string bird_config(const BgpRouter& router, const BirdTimers& timers) {
  switch (router.kind) {
    case BgpRouter::Kind::kVpnGateway:
      return gateway_config(router, timers);
    case BgpRouter::Kind::kExpressRouteGateway:
      return expressroute_gateway_config(router, timers);
    case BgpRouter::Kind::kEdgeRouter:
      return edge_router_config(router, timers);
    case BgpRouter::Kind::kRouteServer:
      return route_server_config(router, timers);
    case BgpRouter::Kind::kVnetRouter:
      break;
  }
  return vnet_router_config(router, timers);
}

}  // namespace hublab
