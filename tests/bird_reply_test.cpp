// Unit tests of BIRD's reply framing and of the typed parsers, on replies
// recorded from a real BIRD 2.0.12: two daemons with an established eBGP
// session over a veth pair (multipath and recursive next hops), and one
// whose BGP neighbors never answer (Connect / Active states).
#include "drivers/bird/bird_reply.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/bird/bird_client.h"

namespace bird = hublab::bird;

namespace {

// ---- recorded replies (bytes exactly as read from the control socket) -------

constexpr std::string_view kGreeting = "0001 BIRD 2.0.12 ready.\n";

constexpr std::string_view kProtocolsEstablished =
    "2002-Name       Proto      Table      State  Since         Info\n"
    "1002-device1    Device     ---        up     12:38:42.279  \n"
    " vnets      Static     master4    up     12:38:42.279  \n"
    " peer       BGP        ---        up     12:38:43.105  Established   \n"
    "0000 \n";

constexpr std::string_view kProtocolsConnecting =
    "2002-Name       Proto      Table      State  Since         Info\n"
    "1002-device1    Device     ---        up     12:38:50.322  \n"
    " vnets      Static     master4    up     12:38:50.322  \n"
    " silent     BGP        ---        start  12:38:50.322  Connect       \n"
    " unreach    BGP        ---        start  12:38:50.322  Active        Socket: Network is "
    "unreachable\n"
    "0000 \n";

constexpr std::string_view kProtocolsAll =
    "2002-Name       Proto      Table      State  Since         Info\n"
    "1002-device1    Device     ---        up     12:38:42.279  \n"
    "1006-\n"
    "1002-vnets      Static     master4    up     12:38:42.279  \n"
    "1006-  Channel ipv4\n"
    "     State:          UP\n"
    "     Table:          master4\n"
    "     Preference:     200\n"
    "     Input filter:   ACCEPT\n"
    "     Output filter:  REJECT\n"
    "     Routes:         5 imported, 0 exported, 5 preferred\n"
    "     Route change stats:     received   rejected   filtered    ignored   accepted\n"
    "       Import updates:              5          0          0          0          5\n"
    "       Import withdraws:            0          0        ---          0          0\n"
    "       Export updates:              0          0          0        ---          0\n"
    "       Export withdraws:            0        ---        ---        ---          0\n"
    " \n"
    "1002-peer       BGP        ---        up     12:38:43.105  Established   \n"
    "1006-  BGP state:          Established\n"
    "     Neighbor address: 10.100.200.254\n"
    "     Neighbor AS:      65151\n"
    "     Local AS:         65150\n"
    "     Neighbor ID:      10.100.200.254\n"
    "     Local capabilities\n"
    "       Multiprotocol\n"
    "         AF announced: ipv4\n"
    "       Route refresh\n"
    "       Graceful restart\n"
    "       4-octet AS numbers\n"
    "       Enhanced refresh\n"
    "       Long-lived graceful restart\n"
    "     Neighbor capabilities\n"
    "       Multiprotocol\n"
    "         AF announced: ipv4\n"
    "       Route refresh\n"
    "       Graceful restart\n"
    "       4-octet AS numbers\n"
    "       Enhanced refresh\n"
    "       Long-lived graceful restart\n"
    "     Session:          external multihop AS4\n"
    "     Source address:   10.0.200.254\n"
    "     Hold timer:       25.937/30\n"
    "     Keepalive timer:  7.908/10\n"
    "   Channel ipv4\n"
    "     State:          UP\n"
    "     Table:          master4\n"
    "     Preference:     100\n"
    "     Input filter:   ACCEPT\n"
    "     Output filter:  (unnamed)\n"
    "     Routes:         3 imported, 5 exported, 2 preferred\n"
    "     Route change stats:     received   rejected   filtered    ignored   accepted\n"
    "       Import updates:              3          0          0          0          3\n"
    "       Import withdraws:            0          0        ---          0          0\n"
    "       Export updates:              7          2          0        ---          5\n"
    "       Export withdraws:            0        ---        ---        ---          0\n"
    "     BGP Next hop:   10.0.200.254\n"
    "     IGP IPv4 table: master4\n"
    " \n"
    "0000 \n";

constexpr std::string_view kBgpEstablished =
    "2002-Name       Proto      Table      State  Since         Info\n"
    "1002-peer       BGP        ---        up     12:38:43.105  Established   \n"
    "1006-  BGP state:          Established\n"
    "     Neighbor address: 10.100.200.254\n"
    "     Neighbor AS:      65151\n"
    "     Local AS:         65150\n"
    "     Neighbor ID:      10.100.200.254\n"
    "     Local capabilities\n"
    "       Multiprotocol\n"
    "         AF announced: ipv4\n"
    "       Route refresh\n"
    "       Graceful restart\n"
    "       4-octet AS numbers\n"
    "       Enhanced refresh\n"
    "       Long-lived graceful restart\n"
    "     Neighbor capabilities\n"
    "       Multiprotocol\n"
    "         AF announced: ipv4\n"
    "       Route refresh\n"
    "       Graceful restart\n"
    "       4-octet AS numbers\n"
    "       Enhanced refresh\n"
    "       Long-lived graceful restart\n"
    "     Session:          external multihop AS4\n"
    "     Source address:   10.0.200.254\n"
    "     Hold timer:       25.937/30\n"
    "     Keepalive timer:  7.908/10\n"
    "   Channel ipv4\n"
    "     State:          UP\n"
    "     Table:          master4\n"
    "     Preference:     100\n"
    "     Input filter:   ACCEPT\n"
    "     Output filter:  (unnamed)\n"
    "     Routes:         3 imported, 5 exported, 2 preferred\n"
    "     Route change stats:     received   rejected   filtered    ignored   accepted\n"
    "       Import updates:              3          0          0          0          3\n"
    "       Import withdraws:            0          0        ---          0          0\n"
    "       Export updates:              7          2          0        ---          5\n"
    "       Export withdraws:            0        ---        ---        ---          0\n"
    "     BGP Next hop:   10.0.200.254\n"
    "     IGP IPv4 table: master4\n"
    " \n"
    "0000 \n";

constexpr std::string_view kBgpActive =
    "2002-Name       Proto      Table      State  Since         Info\n"
    "1002-unreach    BGP        ---        start  12:38:50.322  Active        Socket: Network is "
    "unreachable\n"
    "1006-  BGP state:          Active\n"
    "     Neighbor address: 10.100.200.254\n"
    "     Neighbor AS:      65151\n"
    "     Local AS:         65150\n"
    "     Connect delay:    0.449/0\n"
    "     Last error:       Socket: Network is unreachable\n"
    "   Channel ipv4\n"
    "     State:          DOWN\n"
    "     Table:          master4\n"
    "     Preference:     100\n"
    "     Input filter:   ACCEPT\n"
    "     Output filter:  ACCEPT\n"
    "     IGP IPv4 table: master4\n"
    " \n"
    "0000 \n";

constexpr std::string_view kBgpConnect =
    "2002-Name       Proto      Table      State  Since         Info\n"
    "1002-silent     BGP        ---        start  12:38:50.322  Connect       \n"
    "1006-  BGP state:          Connect\n"
    "     Neighbor address: 192.168.7.9\n"
    "     Neighbor AS:      65151\n"
    "     Local AS:         65150\n"
    "   Channel ipv4\n"
    "     State:          DOWN\n"
    "     Table:          master4\n"
    "     Preference:     100\n"
    "     Input filter:   ACCEPT\n"
    "     Output filter:  ACCEPT\n"
    " \n"
    "0000 \n";

constexpr std::string_view kStaticDetails =
    "2002-Name       Proto      Table      State  Since         Info\n"
    "1002-vnets      Static     master4    up     12:38:50.322  \n"
    "1006-  Channel ipv4\n"
    "     State:          UP\n"
    "     Table:          master4\n"
    "     Preference:     200\n"
    "     Input filter:   ACCEPT\n"
    "     Output filter:  REJECT\n"
    "     Routes:         2 imported, 0 exported, 2 preferred\n"
    "     Route change stats:     received   rejected   filtered    ignored   accepted\n"
    "       Import updates:              2          0          0          0          2\n"
    "       Import withdraws:            0          0        ---          0          0\n"
    "       Export updates:              0          0          0        ---          0\n"
    "       Export withdraws:            0        ---        ---        ---          0\n"
    " \n"
    "0000 \n";

constexpr std::string_view kRoutesAll =
    "1007-Table master4:\n"
    " 10.220.0.0/16        unicast [vnets 12:38:42.279] * (200)\n"
    " \tvia 192.168.7.2 on v0 weight 2\n"
    " \tvia 192.168.7.3 on v0 weight 1\n"
    "1008-\tType: static univ\n"
    "1007-10.110.0.0/16        unicast [peer 12:38:43.105] * (100/?) [AS65151i]\n"
    " \tvia 10.100.200.254 on v0\n"
    "1008-\tType: BGP univ\n"
    "1012-\tBGP.origin: IGP\n"
    " \tBGP.as_path: 65151\n"
    " \tBGP.next_hop: 10.100.200.254\n"
    " \tBGP.local_pref: 100\n"
    "1007-10.100.200.254/32    unicast [vnets 12:38:42.279] * (200)\n"
    " \tdev v0\n"
    "1008-\tType: static univ\n"
    "1007-10.210.0.0/16        unicast [vnets 12:38:42.279] * (200)\n"
    " \tvia 192.168.7.2 on v0\n"
    "1008-\tType: static univ\n"
    "1007-10.100.0.0/16        unicast [peer 12:38:43.105] * (100/?) [AS65151i]\n"
    " \tvia 10.100.200.254 on v0\n"
    "1008-\tType: BGP univ\n"
    "1012-\tBGP.origin: IGP\n"
    " \tBGP.as_path: 65151\n"
    " \tBGP.next_hop: 10.100.200.254\n"
    " \tBGP.local_pref: 100\n"
    "1007-10.10.0.0/16         blackhole [vnets 12:38:42.279] * (200)\n"
    "1008-\tType: static univ\n"
    "1007-                     unicast [peer 12:38:43.105] (100/?) [AS65151i]\n"
    " \tvia 10.100.200.254 on v0\n"
    "1008-\tType: BGP univ\n"
    "1012-\tBGP.origin: IGP\n"
    " \tBGP.as_path: 65151\n"
    " \tBGP.next_hop: 10.100.200.254\n"
    " \tBGP.local_pref: 100\n"
    "1007-10.0.0.0/16          blackhole [vnets 12:38:42.279] * (200)\n"
    "1008-\tType: static univ\n"
    "0000 \n";

constexpr std::string_view kRoutesBrief =
    "1007-Table master4:\n"
    " 10.220.0.0/16        unicast [vnets 12:38:42.279] * (200)\n"
    " \tvia 192.168.7.2 on v0 weight 2\n"
    " \tvia 192.168.7.3 on v0 weight 1\n"
    " 10.110.0.0/16        unicast [peer 12:38:43.105] * (100/?) [AS65151i]\n"
    " \tvia 10.100.200.254 on v0\n"
    " 10.100.200.254/32    unicast [vnets 12:38:42.279] * (200)\n"
    " \tdev v0\n"
    " 10.210.0.0/16        unicast [vnets 12:38:42.279] * (200)\n"
    " \tvia 192.168.7.2 on v0\n"
    " 10.100.0.0/16        unicast [peer 12:38:43.105] * (100/?) [AS65151i]\n"
    " \tvia 10.100.200.254 on v0\n"
    " 10.10.0.0/16         blackhole [vnets 12:38:42.279] * (200)\n"
    "                      unicast [peer 12:38:43.105] (100/?) [AS65151i]\n"
    " \tvia 10.100.200.254 on v0\n"
    " 10.0.0.0/16          blackhole [vnets 12:38:42.279] * (200)\n"
    "0000 \n";

constexpr std::string_view kRoutesStatic =
    "1007-Table master4:\n"
    " 10.10.0.0/16         blackhole [vnets 12:38:50.322] * (200)\n"
    "1008-\tType: static univ\n"
    "1007-10.0.0.0/16          blackhole [vnets 12:38:50.322] * (200)\n"
    "1008-\tType: static univ\n"
    "0000 \n";

constexpr std::string_view kNoProtocolsMatch = "8003 No protocols match\n";

constexpr std::string_view kUnknownSymbol =
    "9001 syntax error, unexpected CF_SYM_UNDEFINED, expecting END or CF_SYM_KNOWN or TEXT\n";

constexpr std::string_view kNetworkNotFound = "8001 Network not found\n";

constexpr std::string_view kConfigureUnchanged =
    "0002-Reading configuration from /tmp/bird-capture/b1.conf\n"
    "0003 Reconfigured\n";

constexpr std::string_view kConfigureRestarting =
    "0002-Reading configuration from /tmp/bird-capture/b1.conf\n"
    "0004 Reconfiguration in progress\n";

constexpr std::string_view kConfigureSyntaxError =
    "0002-Reading configuration from /tmp/bird-capture/b1.conf\n"
    "8002 /tmp/bird-capture/b1.conf:11:49 syntax error, unexpected CF_SYM_UNDEFINED\n";

constexpr std::string_view kDisable =
    "0009-peer: disabled\n"
    "0000 \n";

constexpr std::string_view kStatus =
    "1000-BIRD 2.0.12\n"
    "1011-Router ID is 10.0.200.254\n"
    " Hostname is vm\n"
    " Current server time is 2026-11-25 12:38:44.772\n"
    " Last reboot on 2026-11-25 12:38:42.279\n"
    " Last reconfiguration on 2026-11-25 12:38:42.279\n"
    "0013 Daemon is up and running\n";

constexpr std::string_view kRoutesLongCommunity =
    "1007-Table master4:\n"
    " 10.50.0.0/16         blackhole [comm 12:39:18.912] * (200)\n"
    "1008-\tType: static univ\n"
    "1012-\tBGP.community: (65150,100) (65150,200) (65150,300) (65150,400) (65150,500) (65150,600) "
    "(65150,700) (65150,800) (65150,900) (65150,1000) (65150,1100) (65150,1200) (65150,1300) "
    "(65150,1400) (65150,1500) (65150,1600) (65150,1700) (65150,1800) (65150,1900) (65150,2000) "
    "(65150,2100) (65150,2200) (65150,2300) (65150,2400) (65150,2500) (65150,2600) (65150,2700) "
    "(65150,2800) (65150,2900) (65150,3000) (65150,3100) (65150,3200) (65150,3300) (65150,3400) "
    "(65150,3500) (65150,3600) (65150,3700)\n"
    " \t\t(65150,3800) (65150,3900) (65150,4000) (65150,4100) (65150,4200) (65150,4300) "
    "(65150,4400) (65150,4500) (65150,4600) (65150,4700) (65150,4800) (65150,4900) (65150,5000) "
    "(65150,5100) (65150,5200) (65150,5300) (65150,5400) (65150,5500) (65150,5600) (65150,5700) "
    "(65150,5800) (65150,5900) (65150,6000) (65150,6100) (65150,6200) (65150,6300) (65150,6400) "
    "(65150,6500) (65150,6600) (65150,6700) (65150,6800) (65150,6900) (65150,7000) (65150,7100) "
    "(65150,7200) (65150,7300) (65150,7400)\n"
    " \t\t(65150,7500) (65150,7600) (65150,7700) (65150,7800) (65150,7900) (65150,8000) "
    "(65150,8100) (65150,8200) (65150,8300) (65150,8400) (65150,8500) (65150,8600) (65150,8700) "
    "(65150,8800) (65150,8900) (65150,9000) (65150,9100) (65150,9200) (65150,9300) (65150,9400) "
    "(65150,9500) (65150,9600) (65150,9700) (65150,9800) (65150,9900) (65150,10000) (65150,10100) "
    "(65150,10200) (65150,10300) (65150,10400) (65150,10500) (65150,10600) (65150,10700) "
    "(65150,10800) (65150,10900) (65150,11000)\n"
    " \t\t(65150,11100) (65150,11200) (65150,11300) (65150,11400) (65150,11500) (65150,11600) "
    "(65150,11700) (65150,11800) (65150,11900) (65150,12000)\n"
    "0000 \n";
// Excerpt (first route) of `show route all table master4` while the BGP next
// hop did not resolve: the route is unreachable and "from" names the neighbor.
constexpr std::string_view kRouteFromNeighbor =
    "1007-Table master4:\n"
    " 10.110.0.0/16        unreachable [peer 12:24:04.422 from 10.100.200.254] * (100) [AS65151i]\n"
    "1008-\tType: BGP univ\n"
    "1012-\tBGP.origin: IGP\n"
    " \tBGP.as_path: 65151\n"
    " \tBGP.next_hop: 10.100.200.254\n"
    " \tBGP.local_pref: 100\n"
    "0000 \n";

// `echo all` was on: BIRD appends its log messages, '+'-prefixed, after the
// configure reply and before the reply of the next command.
constexpr std::string_view kConfigureThenSpontaneousThenProtocols =
    "0002-Reading configuration from /tmp/bird-capture/d.conf\n"
    "0003 Reconfigured\n"
    "+Reconfiguring\n"
    "+Reconfigured\n"
    "2002-Name       Proto      Table      State  Since         Info\n"
    "1002-comm       Static     master4    up     12:39:26.030  \n"
    "0000 \n";

std::vector<bird::Route> routes_for(const std::vector<bird::Route>& routes,
                                    std::string_view prefix) {
  std::vector<bird::Route> matching;
  for (const bird::Route& route : routes) {
    if (route.prefix == prefix) matching.push_back(route);
  }
  return matching;
}

}  // namespace

// ---- framing ----------------------------------------------------------------

TEST_CASE("reply codes are classified by their thousands digit", "[bird]") {
  CHECK(bird::classify_code(0) == bird::CodeClass::kSuccess);
  CHECK(bird::classify_code(13) == bird::CodeClass::kSuccess);
  CHECK(bird::classify_code(1002) == bird::CodeClass::kTableEntry);
  CHECK(bird::classify_code(2002) == bird::CodeClass::kTableHeading);
  CHECK(bird::classify_code(8003) == bird::CodeClass::kRuntimeError);
  CHECK(bird::classify_code(9001) == bird::CodeClass::kParseError);
  CHECK(bird::classify_code(3000) == bird::CodeClass::kUnknown);
  CHECK(bird::is_error_code(8002));
  CHECK_FALSE(bird::is_error_code(1007));
}

TEST_CASE("the greeting is a one-line reply", "[bird]") {
  const bird::Reply reply = bird::parse_reply(kGreeting);
  REQUIRE(reply.lines().size() == 1);
  CHECK(reply.final_line() == bird::ReplyLine{1, false, "BIRD 2.0.12 ready."});
  CHECK(reply.succeeded());
}

TEST_CASE("continuation lines carry the code of the line they continue", "[bird]") {
  const bird::Reply reply = bird::parse_reply(kProtocolsEstablished);
  REQUIRE(reply.lines().size() == 5);
  CHECK(reply.lines()[0].code == 2002);
  CHECK(reply.lines()[1] == bird::ReplyLine{1002, false,
                                            "device1    Device     ---        up     "
                                            "12:38:42.279  "});
  CHECK(reply.lines()[2].code == 1002);
  CHECK(reply.lines()[2].continuation);
  CHECK(reply.lines()[2].text.starts_with("vnets      Static"));
  // The terminating "0000 " line has empty text.
  CHECK(reply.final_line() == bird::ReplyLine{0, false, ""});
  CHECK(reply.texts_with_code(1002).size() == 3);
}

TEST_CASE("a reply completes only at a line with a space after its code", "[bird]") {
  const bird::Reply whole = bird::parse_reply(kBgpEstablished);

  SECTION("fed one byte at a time") {
    bird::ReplyAssembler assembler;
    for (std::size_t i = 0; i + 1 < kBgpEstablished.size(); ++i) {
      REQUIRE_FALSE(assembler.feed(kBgpEstablished.substr(i, 1)));
    }
    REQUIRE(assembler.feed(kBgpEstablished.substr(kBgpEstablished.size() - 1)));
    CHECK(assembler.take().lines() == whole.lines());
    CHECK(assembler.idle());
  }
  SECTION("split in two at every position") {
    for (std::size_t split = 0; split <= kRoutesAll.size(); ++split) {
      bird::ReplyAssembler assembler;
      assembler.feed(kRoutesAll.substr(0, split));
      REQUIRE(assembler.feed(kRoutesAll.substr(split)));
      REQUIRE(assembler.take().lines() == bird::parse_reply(kRoutesAll).lines());
    }
  }
  SECTION("0xxx lines with '-' do not end the reply") {
    const bird::Reply disable = bird::parse_reply(kDisable);
    REQUIRE(disable.lines().size() == 2);
    CHECK(disable.lines()[0] == bird::ReplyLine{9, false, "peer: disabled"});
    CHECK(disable.final_line().code == 0);
  }
}

TEST_CASE("bytes after a reply are kept for the next one", "[bird]") {
  bird::ReplyAssembler assembler;
  const std::string two_replies = std::string(kDisable) + std::string(kGreeting);
  REQUIRE(assembler.feed(two_replies));
  CHECK(assembler.take().lines().size() == 2);
  REQUIRE(assembler.complete());
  CHECK(assembler.take().final_line().code == 1);
  CHECK(assembler.idle());
}

TEST_CASE("spontaneous '+' printouts belong to no reply", "[bird]") {
  bird::ReplyAssembler assembler;
  REQUIRE(assembler.feed(kConfigureThenSpontaneousThenProtocols));
  const bird::Reply configure = assembler.take();
  CHECK(configure.final_line() == bird::ReplyLine{3, false, "Reconfigured"});
  REQUIRE(assembler.complete());
  const bird::Reply protocols = assembler.take();
  REQUIRE(protocols.lines().size() == 3);
  CHECK(protocols.lines()[0].code == 2002);
}

TEST_CASE("bytes that break the grammar are rejected", "[bird]") {
  CHECK_THROWS_AS(bird::parse_reply("hello\n"), bird::ProtocolError);
  CHECK_THROWS_AS(bird::parse_reply(" orphan continuation\n0000 \n"), bird::ProtocolError);
  CHECK_THROWS_AS(bird::parse_reply("12a4 x\n"), bird::ProtocolError);
  CHECK_THROWS_AS(bird::parse_reply("1002-row\n"), bird::ProtocolError);  // incomplete
  CHECK_THROWS_AS(bird::parse_reply("0000 \n0000 \n"), bird::ProtocolError);
  CHECK_THROWS_AS(bird::parse_reply("0000 "), bird::ProtocolError);  // no newline yet
}

// ---- errors -----------------------------------------------------------------

TEST_CASE("error replies carry BIRD's code and message", "[bird]") {
  SECTION("9001: an unknown name is a syntax error when unquoted") {
    const bird::Reply reply = bird::parse_reply(kUnknownSymbol);
    CHECK_FALSE(reply.succeeded());
    CHECK(reply.error_code() == 9001);
    CHECK(bird::classify_code(*reply.error_code()) == bird::CodeClass::kParseError);
    CHECK(reply.error_message() ==
          "syntax error, unexpected CF_SYM_UNDEFINED, expecting END or CF_SYM_KNOWN or TEXT");
  }
  SECTION("8003: a quoted name that matches nothing") {
    const bird::Reply reply = bird::parse_reply(kNoProtocolsMatch);
    CHECK(reply.error_code() == 8003);
    CHECK(reply.error_message() == "No protocols match");
  }
  SECTION("8001: no route for the network") {
    CHECK(bird::parse_reply(kNetworkNotFound).error_code() == 8001);
  }
  SECTION("8002: configure reports progress, then the error") {
    const bird::Reply reply = bird::parse_reply(kConfigureSyntaxError);
    REQUIRE(reply.lines().size() == 2);
    CHECK(reply.lines()[0].code == 2);
    CHECK(reply.error_code() == 8002);
    CHECK(reply.error_message() ==
          "/tmp/bird-capture/b1.conf:11:49 syntax error, unexpected CF_SYM_UNDEFINED");
    try {
      reply.throw_if_error("configure");
      FAIL("throw_if_error did not throw");
    } catch (const bird::CommandError& error) {
      CHECK(error.code() == 8002);
      CHECK(error.command() == "configure");
      CHECK(error.bird_message() == reply.error_message());
      CHECK_THAT(error.what(), Catch::Contains("8002") && Catch::Contains("11:49 syntax error"));
    }
  }
  SECTION("successful replies do not throw") {
    CHECK_NOTHROW(bird::parse_reply(kConfigureUnchanged).throw_if_error("configure"));
    const bird::Reply restarting = bird::parse_reply(kConfigureRestarting);
    CHECK(restarting.succeeded());
    CHECK(restarting.final_line() == bird::ReplyLine{4, false, "Reconfiguration in progress"});
    const bird::Reply status = bird::parse_reply(kStatus);
    CHECK(status.succeeded());
    CHECK(status.final_line() == bird::ReplyLine{13, false, "Daemon is up and running"});
    CHECK(status.texts_with_code(1011).size() == 5);
  }
}

// ---- show protocols ---------------------------------------------------------

TEST_CASE("protocol rows are split into columns, Info kept whole", "[bird]") {
  const std::vector<bird::Protocol> protocols =
      bird::parse_protocols(bird::parse_reply(kProtocolsConnecting));
  REQUIRE(protocols.size() == 4);

  CHECK(protocols[0].name == "device1");
  CHECK(protocols[0].proto == "Device");
  CHECK(protocols[0].table == "---");
  CHECK(protocols[0].info.empty());

  CHECK(protocols[1].name == "vnets");
  CHECK(protocols[1].proto == "Static");
  CHECK(protocols[1].table == "master4");
  CHECK(protocols[1].state == "up");
  CHECK(protocols[1].since == "12:38:50.322");

  CHECK(protocols[2].name == "silent");
  CHECK(protocols[2].state == "start");
  CHECK(protocols[2].info == "Connect");

  CHECK(protocols[3].name == "unreach");
  CHECK(protocols[3].info == "Active        Socket: Network is unreachable");
}

TEST_CASE("protocol rows also parse out of `show protocols all`", "[bird]") {
  const std::vector<bird::Protocol> protocols =
      bird::parse_protocols(bird::parse_reply(kProtocolsAll));
  REQUIRE(protocols.size() == 3);
  CHECK(protocols[2].name == "peer");
  CHECK(protocols[2].state == "up");
  CHECK(protocols[2].info == "Established");
}

// ---- show protocols all NAME --------------------------------------------------

TEST_CASE("an established BGP session", "[bird]") {
  const bird::BgpSession session =
      bird::parse_bgp_session(bird::parse_reply(kBgpEstablished), "peer");
  CHECK(session.established());
  CHECK(session.state == "Established");
  CHECK(session.protocol.state == "up");
  CHECK(session.neighbor_address == "10.100.200.254");
  CHECK(session.neighbor_as == 65151u);
  CHECK(session.local_as == 65150u);
  CHECK(session.neighbor_id == "10.100.200.254");
  CHECK(session.source_address == "10.0.200.254");
  CHECK(session.last_error.empty());
  REQUIRE(session.channels.size() == 1);
  const bird::Channel& channel = session.channels[0];
  CHECK(channel.name == "ipv4");
  CHECK(channel.state == "UP");
  CHECK(channel.table == "master4");
  CHECK(channel.preference == 100);
  CHECK(channel.imported == 3);
  CHECK(channel.filtered == 0);
  CHECK(channel.exported == 5);
  CHECK(channel.preferred == 2);
}

TEST_CASE("BGP sessions that never reach their neighbor", "[bird]") {
  SECTION("Active after a socket error") {
    const bird::BgpSession session =
        bird::parse_bgp_session(bird::parse_reply(kBgpActive), "unreach");
    CHECK_FALSE(session.established());
    CHECK(session.state == "Active");
    CHECK(session.protocol.state == "start");
    CHECK(session.last_error == "Socket: Network is unreachable");
    CHECK(session.neighbor_id.empty());
    REQUIRE(session.channels.size() == 1);
    CHECK(session.channels[0].state == "DOWN");
    CHECK(session.channels[0].imported == 0);
  }
  SECTION("Connect while the SYN goes unanswered") {
    const bird::BgpSession session =
        bird::parse_bgp_session(bird::parse_reply(kBgpConnect), "silent");
    CHECK(session.state == "Connect");
    CHECK(session.neighbor_address == "192.168.7.9");
    CHECK(session.last_error.empty());
  }
}

TEST_CASE("a BGP session is picked by name out of several protocols", "[bird]") {
  const bird::Reply reply = bird::parse_reply(kProtocolsAll);
  const bird::BgpSession session = bird::parse_bgp_session(reply, "peer");
  CHECK(session.state == "Established");
  // The static protocol's channel (preference 200) must not leak into peer's.
  REQUIRE(session.channels.size() == 1);
  CHECK(session.channels[0].preference == 100);

  CHECK_THROWS_AS(bird::parse_bgp_session(reply, "vnets"), std::invalid_argument);
  CHECK_THROWS_AS(bird::parse_bgp_session(reply, "nosuch"), bird::ProtocolError);
  CHECK_THROWS_AS(bird::parse_bgp_session(bird::parse_reply(kStaticDetails), "vnets"),
                  std::invalid_argument);
}

// ---- show route all table T ---------------------------------------------------

TEST_CASE("routes with every kind of next hop and their BGP attributes", "[bird]") {
  const std::vector<bird::Route> routes = bird::parse_routes(bird::parse_reply(kRoutesAll));
  REQUIRE(routes.size() == 8);
  for (const bird::Route& route : routes) CHECK(route.table == "master4");

  SECTION("static multipath") {
    const bird::Route& route = routes[0];
    CHECK(route.prefix == "10.220.0.0/16");
    CHECK(route.destination == "unicast");
    CHECK(route.protocol == "vnets");
    CHECK(route.since == "12:38:42.279");
    CHECK(route.primary);
    CHECK(route.preference == 200);
    CHECK(route.type == "static univ");
    CHECK(route.attributes.empty());
    REQUIRE(route.next_hops.size() == 2);
    CHECK(route.next_hops[0].gateway == "192.168.7.2");
    CHECK(route.next_hops[0].interface == "v0");
    CHECK(route.next_hops[0].weight == 2);
    CHECK(route.next_hops[1].gateway == "192.168.7.3");
    CHECK(route.next_hops[1].weight == 1);
  }
  SECTION("BGP route with a recursive next hop") {
    const bird::Route& route = routes[1];
    CHECK(route.prefix == "10.110.0.0/16");
    CHECK(route.protocol == "peer");
    CHECK(route.primary);
    CHECK(route.preference == 100);  // printed "(100/?)": preference/IGP metric
    CHECK(route.from.empty());       // printed only when it differs from the gateway
    CHECK(route.type == "BGP univ");
    CHECK(route.attribute("BGP.as_path") == "65151");
    CHECK(route.attribute("BGP.origin") == "IGP");
    CHECK(route.attribute("BGP.next_hop") == "10.100.200.254");
    CHECK(route.attribute("BGP.local_pref") == "100");
    CHECK_FALSE(route.attribute("BGP.community").has_value());
    REQUIRE(route.next_hops.size() == 1);
    CHECK(route.next_hops[0].gateway == "10.100.200.254");
    CHECK(route.next_hops[0].interface == "v0");
  }
  SECTION("device route") {
    const bird::Route& route = routes[2];
    CHECK(route.prefix == "10.100.200.254/32");
    REQUIRE(route.next_hops.size() == 1);
    CHECK(route.next_hops[0].gateway.empty());
    CHECK(route.next_hops[0].interface == "v0");
  }
  SECTION("a prefix with two candidates: the losing one is not primary") {
    const std::vector<bird::Route> candidates = routes_for(routes, "10.10.0.0/16");
    REQUIRE(candidates.size() == 2);
    CHECK(candidates[0].destination == "blackhole");
    CHECK(candidates[0].next_hops.empty());
    CHECK(candidates[0].primary);
    CHECK(candidates[0].preference == 200);
    CHECK(candidates[1].destination == "unicast");
    CHECK(candidates[1].protocol == "peer");
    CHECK_FALSE(candidates[1].primary);
    CHECK(candidates[1].attribute("BGP.as_path") == "65151");
  }
}

TEST_CASE("`show route` without `all` yields the same routes, without details", "[bird]") {
  const std::vector<bird::Route> brief = bird::parse_routes(bird::parse_reply(kRoutesBrief));
  const std::vector<bird::Route> full = bird::parse_routes(bird::parse_reply(kRoutesAll));
  REQUIRE(brief.size() == full.size());
  for (std::size_t i = 0; i < brief.size(); ++i) {
    CHECK(brief[i].prefix == full[i].prefix);
    CHECK(brief[i].primary == full[i].primary);
    CHECK(brief[i].next_hops.size() == full[i].next_hops.size());
    CHECK(brief[i].type.empty());
    CHECK(brief[i].attributes.empty());
  }
}

TEST_CASE("static blackholes and wrapped attribute values", "[bird]") {
  const std::vector<bird::Route> statics = bird::parse_routes(bird::parse_reply(kRoutesStatic));
  REQUIRE(statics.size() == 2);
  CHECK(statics[0].prefix == "10.10.0.0/16");
  CHECK(statics[1].prefix == "10.0.0.0/16");
  CHECK(statics[1].destination == "blackhole");

  // 120 communities do not fit one line: BIRD continues the value on "\t\t" lines.
  const std::vector<bird::Route> routes =
      bird::parse_routes(bird::parse_reply(kRoutesLongCommunity));
  REQUIRE(routes.size() == 1);
  const std::string communities = routes[0].attribute("BGP.community").value_or("");
  CHECK(communities.starts_with("(65150,100) (65150,200) "));
  CHECK(communities.ends_with(" (65150,12000)"));
  CHECK(std::count(communities.begin(), communities.end(), '(') == 120);
  CHECK(communities.find("  ") == std::string::npos);
}

TEST_CASE("an unresolved BGP route names the neighbor it came from", "[bird]") {
  const std::vector<bird::Route> routes = bird::parse_routes(bird::parse_reply(kRouteFromNeighbor));
  REQUIRE(routes.size() == 1);
  CHECK(routes[0].destination == "unreachable");
  CHECK(routes[0].next_hops.empty());
  CHECK(routes[0].protocol == "peer");
  CHECK(routes[0].since == "12:24:04.422");
  CHECK(routes[0].from == "10.100.200.254");
  CHECK(routes[0].preference == 100);
  CHECK(routes[0].attribute("BGP.as_path") == "65151");
}

TEST_CASE("an empty table and an error reply yield no routes", "[bird]") {
  CHECK(bird::parse_routes(bird::parse_reply("0000 \n")).empty());
  CHECK(bird::parse_routes(bird::parse_reply(kNetworkNotFound)).empty());
}
