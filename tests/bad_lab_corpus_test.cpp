// Every file under tests/bad_labs/ holds one kind of mistake and, at its end,
// the exact findings expected, as `# expect: line:col: message` lines.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/lab_validator.h"
#include "tests/support/command.h"

namespace {

std::vector<std::string> expected_findings(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  const std::string marker = "# expect: ";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(marker, 0) == 0) lines.push_back(line.substr(marker.size()));
  return lines;
}

std::vector<std::string> actual_findings(const std::string& path) {
  hublab::LoadedLab loaded = hublab::load_lab_file(path);
  std::vector<hublab::Diagnostic> all = loaded.diagnostics;
  if (loaded.readable) {
    auto semantic = hublab::validate_lab(loaded.lab);
    all.insert(all.end(), semantic.begin(), semantic.end());
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  std::vector<std::string> lines;
  for (const auto& d : all)
    lines.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": " +
                    d.message);
  return lines;
}

std::vector<std::string> corpus() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(hublab::test::source_path("tests/bad_labs")))
    files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("Each bad lab gives exactly its expected findings", "[validate]") {
  std::vector<std::string> files = corpus();
  REQUIRE(files.size() >= 25);
  for (const std::string& file : files) {
    INFO(file);
    std::vector<std::string> expected = expected_findings(file);
    REQUIRE_FALSE(expected.empty());
    CHECK(actual_findings(file) == expected);
  }
}

TEST_CASE("The reference lab has no findings", "[validate]") {
  CHECK(actual_findings(hublab::test::source_path("labs/multi-hub-internet-vpn.toml")).empty());
}

TEST_CASE("hublab validate prints file:line:col for every error and exits 2", "[validate][cli]") {
  std::string file = hublab::test::source_path("tests/bad_labs/many-errors.toml");
  auto result = hublab::test::run({hublab::test::hublab_binary(), "validate", file});
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  CHECK(result.err == file +
                          ":4:54: vnet.hub.subnets.GatewaySubnet: '10.0.300.0/24' is not a "
                          "CIDR prefix (a.b.c.d/n)\n" +
                          file +
                          ":8:11: vm.vm1.address: 10.0.0.1 is reserved by Azure (the first "
                          "four addresses and the last of 10.0.0.0/24)\n" +
                          file + ":11:8: vm.vm2.vnet: no VNet named 'spoke'\n" + file +
                          ":12:1: vm.vm2: unknown key 'colour'\n" + file + ": 4 errors\n");
}

TEST_CASE("hublab validate accepts the reference lab", "[validate][cli]") {
  auto result = hublab::test::run({hublab::test::hublab_binary(), "validate",
                                   hublab::test::source_path("labs/multi-hub-internet-vpn.toml")});
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK(result.out.find("is valid (6 VNets, 6 VMs, 4 peerings, 2 gateways, 1 connection)") !=
        std::string::npos);
}

TEST_CASE("An unreadable lab file is one clear line", "[validate][cli]") {
  auto result = hublab::test::run({hublab::test::hublab_binary(), "validate", "/nonexistent.toml"});
  CHECK(result.exit_code == 2);
  CHECK(result.err == "/nonexistent.toml: cannot read the lab file: No such file or directory\n");
}
