// `hublab routes` on the running reference lab: Azure's effective routes
// table, read from kernel and BIRD. These tests need root.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/scratch_lab.h"

using namespace hublab::test;

namespace {

const std::string kReferenceLab = reference_lab();

struct Row {
  std::string source, state, prefix, type, ip;
};

std::vector<Row> rows_of(const std::string& lab, const std::string& vm) {
  auto result = run({hublab_binary(), "routes", lab, vm, "--json"});
  REQUIRE(result.exit_code == 0);
  std::vector<Row> rows;
  nlohmann::json report = nlohmann::json::parse(result.out);
  for (const auto& r : report["routes"])
    rows.push_back({r["source"], r["state"], r["address_prefix"], r["next_hop_type"],
                    r["next_hop_ip"].is_null() ? "-" : r["next_hop_ip"].get<std::string>()});
  return rows;
}

std::string text(const std::vector<Row>& rows) {
  std::string out;
  for (const Row& r : rows)
    out += r.source + " | " + r.state + " | " + r.prefix + " | " + r.type + " | " + r.ip + "\n";
  return out;
}

}  // namespace

TEST_CASE("vm-spoke10's effective routes are the seed's, row by row", "[routes][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(kReferenceLab, "effective");
  REQUIRE(lab.up_result().exit_code == 0);
  // The real deployment's table, then Azure's default system routes; the remote gateway's
  // public IP is vpngw-hub02's (198.51.100.2).
  CHECK(text(rows_of(lab.name(), "vm-spoke10")) ==
        "Default | Active | 10.10.0.0/16 | Virtual network | -\n"
        "Default | Active | 10.0.0.0/16 | VNet peering | -\n"
        "Virtual network gateway | Active | 10.100.200.254/32 | Virtual network gateway | "
        "198.51.100.2\n"
        "Virtual network gateway | Active | 10.100.0.0/16 | Virtual network gateway | "
        "198.51.100.2\n"
        "Virtual network gateway | Active | 10.110.0.0/16 | Virtual network gateway | "
        "198.51.100.2\n"
        "Virtual network gateway | Active | 10.120.0.0/16 | Virtual network gateway | "
        "198.51.100.2\n"
        "Default | Active | 0.0.0.0/0 | Internet | -\n"
        "Default | Active | 10.0.0.0/8 | None | -\n"
        "Default | Active | 172.16.0.0/12 | None | -\n"
        "Default | Active | 192.168.0.0/16 | None | -\n"
        "Default | Active | 100.64.0.0/10 | None | -\n");
  auto table = run({hublab_binary(), "routes", lab.name(), "vm-spoke10"});
  CHECK(table.out.find("Next Hop Type") != std::string::npos);
}

TEST_CASE("Routes that lose show as Invalid", "[routes][root]") {
  REQUIRE_ROOT();
  // hub100 also holds 10.0.5.0/24 (inside hub00's space: hub00's own route
  // wins, rule 5) and 172.16.0.0/12 (BGP beats the None system route).
  std::string path = "/tmp/" + unique_lab_name("invalid") + ".toml";
  {
    std::ifstream in(kReferenceLab);
    std::stringstream lab;
    lab << in.rdbuf();
    std::string text = lab.str();
    std::string from = "address_space = [\"10.100.0.0/16\"]";
    text.replace(text.find(from), from.size(),
                 "address_space = [\"10.100.0.0/16\", \"10.0.5.0/24\", \"172.16.0.0/12\"]");
    std::ofstream(path) << text;
  }
  ScratchLab lab(path, "invalid");
  unlink(path.c_str());
  REQUIRE(lab.up_result().exit_code == 0);
  std::string rows = text(rows_of(lab.name(), "vm-spoke10"));
  CHECK(rows.find("Virtual network gateway | Invalid | 10.0.5.0/24 | Virtual network gateway | "
                  "198.51.100.2\n") != std::string::npos);
  CHECK(rows.find("Virtual network gateway | Active | 172.16.0.0/12 | Virtual network gateway") !=
        std::string::npos);
  CHECK(rows.find("Default | Invalid | 172.16.0.0/12 | None | -\n") != std::string::npos);
  // The kernel agrees: 10.0.5.4 goes to hub00 by the peering, not to the gateway.
  CHECK(shell("ip -n " + lab.netns("spoke10") + " route get 10.0.5.4 iif br0 from 10.10.0.4")
            .out.find("via 169.254.0.0") != std::string::npos);
}
