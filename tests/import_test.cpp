// hublab import and routes --compare: a real deployment's Azure JSON made a
// lab (tests/import_data/, in the shapes az and the REST API print, as its
// README says), and a lab's routes held against az's.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/command.h"
#include "tests/support/root.h"
#include "tests/support/scratch_lab.h"

namespace hublab {

namespace {

std::string data(const std::string& file) {
  return test::source_path("tests/import_data/" + file);
}

std::vector<std::string> reference_files() {
  return {data("vnet-list.json"), data("vnet-gateway-list.json"), data("vpn-connection-list.json"),
          data("nic-list.json"),  data("route-table-list.json"),  data("nsg-list.json")};
}

// A scratch path for an imported lab, removed with the test.
struct ImportedFile {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("hublab-import-" + std::to_string(::getpid()) + ".toml");
  ImportedFile() { std::filesystem::remove(path); }
  ~ImportedFile() { std::filesystem::remove(path); }
};

test::CommandResult import(const std::vector<std::string>& files,
                           const std::vector<std::string>& options = {}) {
  std::vector<std::string> args{"import"};
  args.insert(args.end(), files.begin(), files.end());
  args.insert(args.end(), options.begin(), options.end());
  return test::run_hublab(args);
}

// from -> to: reachable, as predict --json gives them.
std::map<std::pair<std::string, std::string>, bool> predicted(const std::string& lab) {
  auto result = test::run_hublab({"predict", lab, "--json"});
  INFO(result.err);
  REQUIRE(result.exit_code <= 1);
  std::map<std::pair<std::string, std::string>, bool> pairs;
  const nlohmann::json prediction = nlohmann::json::parse(result.out);
  for (const nlohmann::json& p : prediction["pairs"]) pairs[{p["from"], p["to"]}] = p["reachable"];
  return pairs;
}

}  // namespace

TEST_CASE(
    "hublab import: the reference deployment as az prints it is the reference lab: the "
    "same 30 pairs and every VM's routes",
    "[import]") {
  ImportedFile out;
  auto imported = import(reference_files(), {"-o", out.path.string()});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out.find("lab 'rg-hublab' (6 VNets, 6 VMs, 4 peerings, 2 gateways)") !=
        std::string::npos);
  std::ifstream in(out.path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  // Each section under its resource ID; nothing left out of this one.
  CHECK(text.find("# /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hublab/"
                  "providers/Microsoft.Network/virtualNetworks/hub00\n[vnet.hub00]") !=
        std::string::npos);
  CHECK(text.find("Not emulated") == std::string::npos);
  CHECK(text.find("[connection.hub01-to-hub02]\ngateways = [\"vpngw-hub01\", \"vpngw-hub02\"]\n"
                  "enable_bgp = true") != std::string::npos);
  CHECK(text.find("shared_key =") == std::string::npos);  // az never prints it
  auto validate = test::run_hublab({"validate", out.path.string()});
  CHECK(validate.exit_code == 0);

  const auto pairs = predicted(out.path.string());
  CHECK(pairs.size() == 30);
  CHECK(pairs == predicted(test::lab_path("multi-hub-internet-vpn.toml")));
  for (const char* vm :
       {"vm-hub00", "vm-spoke10", "vm-spoke20", "vm-hub100", "vm-spoke110", "vm-spoke120"}) {
    auto ours = test::run_hublab({"routes", out.path.string(), vm, "--model", "--format", "az"});
    auto reference = test::run_hublab(
        {"routes", test::lab_path("multi-hub-internet-vpn.toml"), vm, "--model", "--format", "az"});
    INFO(vm);
    CHECK(ours.exit_code == 0);
    CHECK(ours.out == reference.out);
  }
  // Held against the routes az shows for vm-spoke10: every row the same.
  auto compare = test::run_hublab({"routes", out.path.string(), "vm-spoke10", "--model",
                                   "--compare", data("vm-spoke10-effective-routes.json")});
  INFO(compare.out << compare.err);
  CHECK(compare.exit_code == 0);
  CHECK(compare.out.find("11 rows in") != std::string::npos);
  CHECK(compare.out.find("11 the same, none differs") != std::string::npos);
}

TEST_CASE(
    "hublab routes --compare: the rows only Azure has, only the lab has, and Azure's "
    "undocumented None routes apart",
    "[import]") {
  const std::string lab = test::lab_path("multi-hub-internet-vpn.toml");
  auto compare = test::run_hublab({"routes", lab, "vm-spoke10", "--model", "--compare",
                                   data("vm-spoke10-effective-routes-differs.json"), "--json"});
  INFO(compare.out << compare.err);
  CHECK(compare.exit_code == 1);
  const nlohmann::json result = nlohmann::json::parse(compare.out);
  CHECK(result["same"] == 10);
  REQUIRE(result["differences"].size() == 2);
  std::set<std::string> only_azure, only_lab;
  for (const nlohmann::json& d : result["differences"]) {
    if (!d["azure"].empty()) only_azure.insert(d["address_prefix"]);
    if (!d["lab"].empty()) only_lab.insert(d["address_prefix"]);
  }
  CHECK(only_azure == std::set<std::string>{"10.200.0.0/16"});
  CHECK(only_lab == std::set<std::string>{"10.120.0.0/16"});

  // A real table's extra None rows (127.0.0.0/8 and the like) are not
  // differences: MS Learn documents four, which the model emulates.
  const auto file = std::filesystem::temp_directory_path() /
                    ("hublab-compare-" + std::to_string(::getpid()) + ".json");
  {
    std::ifstream in(data("vm-spoke10-effective-routes.json"));
    nlohmann::json routes = nlohmann::json::parse(in);
    routes["value"].push_back({{"addressPrefix", {"127.0.0.0/8"}},
                               {"nextHopIpAddress", nlohmann::json::array()},
                               {"nextHopType", "None"},
                               {"source", "Default"},
                               {"state", "Active"}});
    std::ofstream(file) << routes.dump(2);
  }
  auto extra = test::run_hublab({"routes", lab, "vm-spoke10", "--model", "--compare", file});
  std::filesystem::remove(file);
  INFO(extra.out << extra.err);
  CHECK(extra.exit_code == 0);
  CHECK(extra.out.find("none differs") != std::string::npos);
  CHECK(extra.out.find("MS Learn does not document): 127.0.0.0/8") != std::string::npos);

  auto not_json = test::run_hublab(
      {"routes", lab, "vm-spoke10", "--model", "--compare", data("bad-json.json")});
  CHECK(not_json.exit_code == 2);
  CHECK(not_json.err.find("bad-json.json: not JSON") != std::string::npos);
  auto missing = test::run_hublab({"routes", lab, "vm-spoke10", "--model", "--compare", "/nope"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("/nope: no such file") != std::string::npos);
}

TEST_CASE(
    "hublab import reads the REST API's shape: NSGs, groups, route tables, a Route Server "
    "and its NVA, a site, and what it leaves out",
    "[import]") {
  ImportedFile out;
  auto imported = import({data("hub-nva-route-server-rest.json")}, {"-o", out.path.string()});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out.find("5 things left out") != std::string::npos);
  std::ifstream in(out.path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  INFO(text);
  for (const char* expected : {
           "#   - Microsoft.Network/azureFirewalls fw-hub00",
           "#   - route rt-spoke/storage-direct to service tag Storage",
           "#   - rule nsg-spoke10/deny-storage on service tag Storage",
           "#   - peering hub00 - spoke20 (one side only",
           "[route_server.rs-hub00]\nvnet = \"hub00\"\nbranch_to_branch = true\nbgp_connections = "
           "[{ name = \"nva-hub00\", peer_ip = \"10.0.0.4\", peer_asn = 65001 }]",
           "[vm.nva-hub00]\nvnet = \"hub00\"\nsubnet = \"default\"\naddress = \"10.0.0.4\"\n"
           "ip_forwarding = true\nbgp = { asn = 65001 }",
           "application_security_groups = [\"asg-web\"]",
           "destination_port_ranges = [\"80\", \"443\", \"8080-8090\"]",
           "source_address_prefixes = [\"10.20.0.0/16\", \"192.168.0.0/16\"]",
           "[route_table.rt-spoke]\nbgp_route_propagation = false",
           "GatewaySubnet = { prefix = \"10.0.200.0/24\", route_table = \"rt-gateway\" }",
           "[site.lng-onprem]",
           "gateways = [\"vpngw-hub00\", \"lng-onprem\"]\nenable_bgp = true",
           "public_ip = \"198.51.100.10\"\nactive_active = true",
       })
    CHECK(text.find(expected) != std::string::npos);
  CHECK(text.find("defaultSecurityRules") == std::string::npos);  // hublab adds Azure's own
  // A key in the input (the REST API's connection may hold its sharedKey)
  // is never copied: hublab makes one, or the user names a key file.
  CHECK(text.find("canary-psk-never-copied") == std::string::npos);
  CHECK(imported.out.find("canary-psk-never-copied") == std::string::npos);
  CHECK(test::run_hublab({"validate", out.path.string()}).exit_code == 0);
  // The same lab whichever order the resources come in: one file here.
  auto to_stdout = import({data("hub-nva-route-server-rest.json")});
  CHECK(to_stdout.out == text);
}

TEST_CASE("hublab import refuses bad input with one line and writes nothing", "[import]") {
  ImportedFile out;
  const std::string fifo = out.path.string() + ".fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  struct Case {
    std::vector<std::string> files;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{data("bad-json.json")}, "bad-json.json:22:29: not JSON"},
           {{data("unknown-type.json")}, "unknown resource type 'Microsoft.Network/frontDoors'"},
           {{data("dangling-reference.json")},
            "vm-ghost-nic references the virtual network "
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hublab/"
            "providers/Microsoft.Network/virtualNetworks/ghost, which is in no file given"},
           {{data("nic-list.json")}, "vm-hub00-nic references the virtual network"},
           {{"/nonexistent.json"}, "/nonexistent.json: no such file"},
           // A number beyond a double's range (found by fuzzing: nlohmann's
           // out_of_range, which escaped as an uncaught exception).
           {{test::source_path("tests/fuzz/regressions/import/number-out-of-range.json")},
            "not JSON that can be read"},
           {{"/dev/zero"}, "/dev/zero: not a regular file"},
           {{fifo}, "not a regular file"},
           {{test::source_path("tests")}, "not a regular file"},
       }) {
    auto result = import(c.files, {"-o", out.path.string()});
    INFO(c.files[0] << ": " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find(c.message) != std::string::npos);
    CHECK(result.out.empty());
    CHECK_FALSE(std::filesystem::exists(out.path));
  }
  std::filesystem::remove(fifo);
  // A lab that would not validate (a VM name longer than a namespace's
  // part may be): the finding, the resource it came from, nothing written.
  const auto long_name = std::filesystem::temp_directory_path() /
                         ("hublab-import-long-" + std::to_string(::getpid()) + ".json");
  {
    std::ifstream in(data("nic-list.json"));
    nlohmann::json nics = nlohmann::json::parse(in);
    nics[0]["virtualMachine"]["id"] =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hublab/providers/"
        "Microsoft.Compute/virtualMachines/vm-with-a-name-too-long";
    std::ofstream(long_name) << nics.dump(2);
  }
  std::vector<std::string> files = reference_files();
  files[3] = long_name.string();
  auto invalid = import(files, {"-o", out.path.string()});
  std::filesystem::remove(long_name);
  INFO(invalid.err);
  CHECK(invalid.exit_code == 2);
  CHECK(invalid.err.find("does not validate (nothing written)") != std::string::npos);
  CHECK(invalid.err.find("vm-with-a-name-too-long") != std::string::npos);
  CHECK(invalid.err.find("from /subscriptions/") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out.path));
  // An existing file is never overwritten.
  std::ofstream(out.path) << "mine\n";
  auto exists = import(reference_files(), {"-o", out.path.string()});
  CHECK(exists.exit_code == 2);
  CHECK(exists.err.find("exists") != std::string::npos);
  std::ifstream kept(out.path);
  CHECK(std::string((std::istreambuf_iterator<char>(kept)), {}) == "mine\n");
}

TEST_CASE("An imported lab comes up and holds what the model predicts", "[import][root]") {
  REQUIRE_ROOT();
  ImportedFile out;
  REQUIRE(import(reference_files(), {"-o", out.path.string()}).exit_code == 0);
  test::ScratchLab lab(out.path.string(), "imported");
  INFO(lab.up_result().out << lab.up_result().err);
  REQUIRE(lab.up_result().exit_code == 0);
  auto check = test::run_hublab({"check", lab.name()});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("6 of 6 VMs agree") != std::string::npos);
  auto compare = test::run_hublab(
      {"routes", lab.name(), "vm-spoke10", "--compare", data("vm-spoke10-effective-routes.json")});
  INFO(compare.out << compare.err);
  CHECK(compare.exit_code == 0);
  CHECK(compare.out.find("in the lab; 11 the same, none differs") != std::string::npos);
}

}  // namespace hublab

namespace hublab {

TEST_CASE(
    "hublab import reads an ARM template as az group export writes it: the same lab, and "
    "each expression it cannot evaluate named",
    "[import]") {
  ImportedFile out;
  auto imported = import({data("group-export.json")}, {"-o", out.path.string(), "--name", "arm"});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  std::ifstream in(out.path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  // parameters(), concat() and resourceId() evaluated; the template does not
  // know where it is deployed, and the IDs say so.
  CHECK(text.find("# /subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/"
                  "Microsoft.Network/virtualNetworks/hub00\n[vnet.hub00]") != std::string::npos);
  CHECK(text.find("public_ip = \"198.51.100.1\"") != std::string::npos);
  CHECK(predicted(out.path.string()) == predicted(test::lab_path("multi-hub-internet-vpn.toml")));
  auto compare = test::run_hublab({"routes", out.path.string(), "vm-spoke10", "--model",
                                   "--compare", data("vm-spoke10-effective-routes.json")});
  CHECK(compare.exit_code == 0);
  std::filesystem::remove(out.path);

  auto refused = import({data("group-export-unevaluated.json")}, {"-o", out.path.string()});
  INFO(refused.err);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("2 template expressions hublab cannot evaluate") != std::string::npos);
  CHECK(refused.err.find("resources[5].properties.addressSpace.addressPrefixes[0]: template "
                         "expression [format('10.{0}.0.0/16', 0)]: format() is not evaluated") !=
        std::string::npos);
  CHECK(refused.err.find("reference() is not evaluated") != std::string::npos);
  CHECK(refused.err.find("resourceGroup()") == std::string::npos);  // a location: not needed
  CHECK_FALSE(std::filesystem::exists(out.path));
}

}  // namespace hublab
