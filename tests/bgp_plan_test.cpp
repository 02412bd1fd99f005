// Route distribution as planned data: who speaks BGP to whom, what each
// router advertises, learns and installs (docs/azure-rules.md, rules 3-5).
// The BIRD text rendered from it is tested in bird_config_test.cpp.

#include <catch2/catch.hpp>

#include "orchestrator/plan/bgp.h"
#include "tests/support/inline_lab.h"
#include "tests/support/reference_lab.h"

using namespace hublab;

namespace {

const BgpRouter& router(const std::vector<BgpRouter>& routers, const std::string& name) {
  for (const BgpRouter& r : routers)
    if (r.node == name) return r;
  FAIL("no BGP router for " << name);
  return routers.front();
}

std::vector<std::string> strs(const std::vector<Prefix>& prefixes) {
  std::vector<std::string> out;
  for (const Prefix& p : prefixes) out.push_back(p.str());
  return out;
}

std::vector<std::string> names(const std::vector<BgpSession>& sessions) {
  std::vector<std::string> out;
  for (const BgpSession& s : sessions) out.push_back(s.name);
  return out;
}

bool has(const std::vector<Prefix>& prefixes, const std::string& prefix) {
  for (const Prefix& p : prefixes)
    if (p.str() == prefix) return true;
  return false;
}

}  // namespace

TEST_CASE("A gateway advertises its VNet, its gateway-transit spokes and its BGP peer IP (rule 3)",
          "[bgp]") {
  Lab lab = test::inline_lab(test::kTwoHubs);
  CHECK(strs(advertised_by(lab, *lab.find_gateway("gw-a"))) ==
        std::vector<std::string>{"10.1.0.0/16", "10.11.0.0/16", "10.1.255.254/32"});
  CHECK(strs(advertised_by(lab, *lab.find_gateway("gw-b"))) ==
        std::vector<std::string>{"10.2.0.0/16", "10.2.255.254/32"});
}

TEST_CASE("Gateways speak eBGP between their BGP peer IPs, iBGP to their hub's router", "[bgp]") {
  std::vector<BgpRouter> routers = plan_bgp(test::inline_lab(test::kTwoHubs));
  // Each gateway, its hub's router, and the spoke that uses gw-a.
  REQUIRE(routers.size() == 5);
  const BgpRouter& gw_a = router(routers, "gw-a");
  CHECK(gw_a.kind == BgpRouter::Kind::kVpnGateway);
  REQUIRE(gw_a.sessions.size() == 2);
  const BgpSession& tunnel = gw_a.sessions[0];
  CHECK(tunnel.kind == BgpSession::Kind::kTunnel);
  CHECK(tunnel.local.str() == "10.1.255.254");
  CHECK(tunnel.local_as == 65001);
  CHECK(tunnel.neighbor.str() == "10.2.255.254");
  CHECK(tunnel.neighbor_as == 65002);
  REQUIRE(gw_a.tunnel_peers.size() == 1);
  CHECK(gw_a.tunnel_peers[0].peer.str() == "10.2.255.254/32");
  CHECK(gw_a.tunnel_peers[0].via.str() == "169.254.128.1");  // connection 0, side 0, its end
  const BgpSession& to_hub = gw_a.sessions[1];
  CHECK(to_hub.kind == BgpSession::Kind::kToHubRouter);
  CHECK(to_hub.neighbor.str() == "10.1.255.1");  // the GatewaySubnet's router
  CHECK(to_hub.neighbor_as == 65001);            // iBGP

  const BgpRouter& hub_a = router(routers, "hub-a");
  CHECK(names(hub_a.sessions) == std::vector<std::string>{"gateway_gw_a", "spoke_spoke_a"});
  CHECK(hub_a.sessions[1].kind == BgpSession::Kind::kToSpoke);
  const BgpRouter& spoke_a = router(routers, "spoke-a");
  REQUIRE(spoke_a.sessions.size() == 1);
  CHECK(spoke_a.sessions[0].kind == BgpSession::Kind::kFromHub);
  // The peering link's two ends, seen from each side.
  CHECK(spoke_a.sessions[0].local == hub_a.sessions[1].neighbor);
  CHECK(spoke_a.sessions[0].neighbor == hub_a.sessions[1].local);
}

TEST_CASE("What the remote gateway advertises reaches the hub and its spokes' subnets (rule 4)",
          "[bgp]") {
  std::vector<BgpRouter> routers = plan_bgp(test::inline_lab(test::kTwoHubs));
  const std::vector<std::string> from_b = {"10.2.0.0/16", "10.2.255.254/32"};
  CHECK(strs(router(routers, "gw-a").expected) == from_b);
  // The peer's /32 stays hublab's device route into the tunnel.
  CHECK(strs(router(routers, "gw-a").installed) == std::vector<std::string>{"10.2.0.0/16"});
  for (const char* vnet : {"hub-a", "spoke-a"}) {
    CHECK(strs(router(routers, vnet).installed) == from_b);
    // main, and one table per subnet
    CHECK(router(routers, vnet).kernel_tables.size() ==
          1 + (std::string(vnet) == "hub-a" ? 2u : 1u));
  }
  CHECK(strs(router(routers, "gw-b").installed) ==
        std::vector<std::string>{"10.1.0.0/16", "10.11.0.0/16"});
}

TEST_CASE(
    "A BGP route inside the VNet's or a peer's space stays in BIRD but reaches no kernel "
    "table (rule 5's exception)",
    "[bgp]") {
  // hub-b also announces 10.11.5.0/24, a more specific route inside spoke-a's
  // space: spoke-a and its peer hub-a keep their system route for it.
  Lab lab = test::inline_lab(test::kTwoHubs);
  for (Vnet& vnet : lab.vnets)
    if (vnet.name == "hub-b") vnet.address_space.push_back(*Prefix::parse("10.11.5.0/24"));
  std::vector<BgpRouter> routers = plan_bgp(lab);
  for (const char* vnet : {"hub-a", "spoke-a"}) {
    INFO(vnet);
    CHECK(has(router(routers, vnet).expected, "10.11.5.0/24"));         // learned, shown Invalid
    CHECK_FALSE(has(router(routers, vnet).installed, "10.11.5.0/24"));  // never used
    CHECK(has(router(routers, vnet).installed, "10.2.0.0/16"));
  }
  // The gateway has no VNet system routes to lose to: it installs it.
  CHECK(has(router(routers, "gw-a").installed, "10.11.5.0/24"));
}

TEST_CASE("Without BGP on any connection there is no BGP router", "[bgp]") {
  Lab lab = test::inline_lab(test::kTwoHubs);
  lab.connections[0].enable_bgp = false;
  CHECK(plan_bgp(lab).empty());
}

TEST_CASE("The reference lab: eight BGP routers, spoke10 learns hub02's four prefixes", "[bgp]") {
  std::vector<BgpRouter> routers = plan_bgp(test::loaded_reference_lab());
  CHECK(routers.size() == 8);
  CHECK(strs(router(routers, "spoke10").installed) ==
        std::vector<std::string>{"10.100.0.0/16", "10.100.200.254/32", "10.110.0.0/16",
                                 "10.120.0.0/16"});
}
