#include "orchestrator/lab/expectations.h"

#include <catch2/catch.hpp>

#include "orchestrator/lab/lab_loader.h"
#include "tests/support/command.h"
#include "tests/support/reference_lab.h"

using namespace hublab;

TEST_CASE("The reference lab's expectations expand to 30 ordered pairs", "[expect]") {
  std::vector<Expectation> all = expand_expectations(test::loaded_reference_lab());
  REQUIRE(all.size() == 30);
  int unreachable = 0;
  for (const Expectation& e : all) {
    CHECK(e.from != e.to);
    if (!e.reachable) {
      ++unreachable;
      CHECK_FALSE(e.hops);
    } else {
      REQUIRE(e.hops);
      CHECK(e.hops->min == 1);
      CHECK(e.hops->max == 1);
    }
  }
  CHECK(unreachable == 4);
}

TEST_CASE("A later rule overrides an earlier one, unchecked pairs are left out", "[expect]") {
  std::string text = R"(
[vnet.a]
address_space = ["10.0.0.0/16"]
subnets = { default = "10.0.0.0/24" }
[vm.x]
vnet = "a"
[vm.y]
vnet = "a"
[vm.z]
vnet = "a"
[expect]
default = "unchecked"
[[expect.rule]]
from = "x"
to = ["y", "z", "192.0.2.9"]
reachable = false
[[expect.rule]]
from = "x"
to = "z"
hops = [1, 2]
[[expect.rule]]
from = "y"
to = "x"
protocol = "tcp"
port = 22
)";
  LoadedLab loaded = load_lab_text(text, "e.toml");
  REQUIRE(loaded.diagnostics.empty());
  std::vector<Expectation> all = expand_expectations(loaded.lab);
  REQUIRE(all.size() == 4);
  CHECK(all[0].name() == "x -> y (icmp)");
  CHECK_FALSE(all[0].reachable);
  CHECK(all[1].name() == "x -> z (icmp)");
  CHECK(all[1].reachable);  // overridden
  CHECK(all[1].hops->max == 2);
  CHECK(all[2].destination.str() == "192.0.2.9");
  CHECK(all[3].name() == "y -> x (tcp/22)");
  CHECK(all[3].destination.str() == "10.0.0.4");
}
