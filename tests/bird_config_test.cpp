// The BIRD text rendered from the BGP plan: what BIRD must be told, and that
// BIRD itself accepts every config.

#include "orchestrator/plan/bird_config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "orchestrator/plan/bgp.h"
#include "tests/support/command.h"
#include "tests/support/reference_lab.h"

using namespace hublab;

namespace {

std::string config_of(const std::string& node) {
  for (const BgpRouter& router : plan_bgp(test::loaded_reference_lab()))
    if (router.node == node) return bird_config(router);
  FAIL("no BGP router for " << node);
  return "";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "A gateway's BIRD: eBGP to the peer through its connection's end, its own prefixes, "
    "transit export, Azure's prefix limit",
    "[bird-config]") {
  std::string c = config_of("vpngw-hub01");
  CHECK(has(c, "local 10.0.200.254 as 65150;"));
  CHECK(has(c, "neighbor 10.100.200.254 as 65151;"));
  CHECK(has(c, "route 10.100.200.254/32 via 169.254.128.1;"));
  CHECK(has(c, "receive limit 4000 action disable;"));
  CHECK(has(c, "route 10.20.0.0/16 blackhole;"));
  CHECK(has(c, "export where proto = \"advertised\" || source = RTS_BGP;"));
}

TEST_CASE("A VNet router's BIRD: shielded spaces filtered, one kernel table per subnet",
          "[bird-config]") {
  std::string hub = config_of("hub00");
  CHECK(has(hub, "rr client;"));
  CHECK(has(hub, "kernel table 102;"));  // GatewaySubnet, the third subnet
  std::string spoke = config_of("spoke10");
  CHECK(has(spoke, "local 169.254.0.1 as 65150;"));
  CHECK(has(spoke, "if net ~ [ 10.10.0.0/16+, 10.0.0.0/16+ ] then reject;"));
  CHECK(has(spoke, "export filter kernel_routes;"));
}

TEST_CASE("Every rendered BIRD config parses with bird -p", "[bird-config][bird]") {
  for (const BgpRouter& router : plan_bgp(test::loaded_reference_lab())) {
    std::string path = "/tmp/hublab-bird-" + std::to_string(getpid()) + "-" + router.node + ".conf";
    {
      std::ofstream out(path);
      out << bird_config(router);
    }
    auto check = test::run({"bird", "-p", "-c", path});
    INFO(router.node << ": " << check.err);
    CHECK(check.exit_code == 0);
    std::remove(path.c_str());
  }
}
