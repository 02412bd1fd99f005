// What a command-line user types without reading the manual: --help, -h,
// help CMD, --version, tab completion; and what a lab path may be (not a
// directory, a FIFO, a device, an empty file or some other TOML file). A
// FILE given to a command that can work from the file alone is read alone,
// even while a lab of the same name is up.

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>

#include "orchestrator/cli/commands.h"
#include "tests/support/command.h"
#include "tests/support/scratch_lab.h"

using namespace hublab::test;

namespace {

size_t lines_in(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// What `_hublab` completes for the words typed so far (the last one being
// completed), in a bash that sourced `hublab completion bash`; `as` runs
// that bash through setpriv (completion must need no root).
std::string completed(const std::string& script, const std::vector<std::string>& words,
                      const std::string& as = "") {
  std::string array;
  for (const std::string& word : words) array += " '" + word + "'";
  const std::string program = "source " + script + "; COMP_WORDS=(" + array +
                              "); COMP_CWORD=" + std::to_string(words.size() - 1) +
                              "; _hublab; printf '%s\\n' \"${COMPREPLY[@]}\" | sort";
  auto result =
      run(as.empty() ? std::vector<std::string>{"bash", "-c", program}
                     : std::vector<std::string>{"setpriv", "--reuid=65534", "--regid=65534",
                                                "--clear-groups", "bash", "-c", program});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  return result.out;
}

}  // namespace

TEST_CASE("The version, help CMD, CMD --help and -h: usage on stdout, exit 0", "[cli]") {
  auto version = run_hublab({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == "hublab " HUBLAB_VERSION_FOR_TESTS "\n");
  for (const hublab::cli::Command* command : hublab::cli::all_commands()) {
    const std::string& name = command->spec.name;
    INFO(name);
    auto help = run_hublab({"help", name});
    CHECK(help.exit_code == 0);
    CHECK(help.err.empty());
    CHECK(help.out.rfind("usage: " + hublab::cli::usage_line(command->spec) + "\n", 0) == 0);
    CHECK(help.out == hublab::cli::command_usage(command->spec));
    for (const char* flag : {"--help", "-h"}) {
      auto asked = run_hublab({name, flag});
      CHECK(asked.exit_code == 0);
      CHECK(asked.out == help.out);
    }
    // Anywhere among the arguments, before they are checked.
    CHECK(run_hublab({name, "no-such-lab", "--no-such-option", "--help"}).out == help.out);
  }
  auto route_help = run_hublab({"routes", "--help"});
  // Each option's help on its line, after the option and some spaces.
  CHECK(
      std::regex_search(route_help.out, std::regex("\n  --model +predicted from the lab file\n")));
  // After `--` the words are exec's command's, not hublab's.
  auto exec = run_hublab({"exec", unique_lab_name("absent"), "vm", "--", "ls", "--help"});
  CHECK(exec.exit_code == 2);
  CHECK(exec.out.empty());
  auto unknown = run_hublab({"help", "nosuch"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err == "hublab: unknown command 'nosuch'; 'hublab help' lists them\n");
  auto general = run_hublab({"help"});
  CHECK(general.exit_code == 0);
  CHECK(run_hublab({"help", "help"}).out == general.out);
  CHECK(general.out.find("  help [COMMAND]\n") != std::string::npos);
  CHECK(general.out.find("  --version\n") != std::string::npos);
}

TEST_CASE("A lab path that is no regular file is one line, exit 2, and nothing made",
          "[cli][root]") {
  REQUIRE_ROOT();
  ScratchPath directory, fifo;
  REQUIRE(mkdir(directory.path.c_str(), 0755) == 0);
  REQUIRE(mkfifo(fifo.path.c_str(), 0644) == 0);
  const std::vector<std::pair<std::string, std::string>> paths = {
      {directory.path, "is a directory, not a lab file"},
      {directory.path + "/", "is a directory, not a lab file"},
      {fifo.path, "is a FIFO, not a lab file"},
      {"/dev/zero", "is a character device, not a lab file"}};
  const std::string before = host_network_snapshot();
  for (const auto& [path, why] : paths) {
    for (const std::vector<std::string>& command :
         std::vector<std::vector<std::string>>{{"validate", path},
                                               {"up", path},
                                               {"predict", path},
                                               {"graph", path},
                                               {"explain", path, "a", "b"},
                                               {"routes", path, "vm", "--model"},
                                               {"check", path, "--up", "--down"},
                                               {"status", path},
                                               {"down", path}}) {
      INFO(command[0] << " " << path);
      auto result = run_hublab(command);  // a FIFO or /dev/zero must not block it
      CHECK(result.exit_code == 2);
      CHECK(lines_in(result.err) == 1);
      CHECK(result.err.find(path + ": " + why + "\n") != std::string::npos);
      CHECK(result.out.empty());
    }
  }
  // `up` of a directory once made a lab named after it.
  CHECK(leftovers_of(directory.path.substr(5)).empty());
  CHECK(host_network_snapshot() == before);
}

TEST_CASE("An empty file, some other TOML file and a huge file are no labs", "[cli][validate]") {
  ScratchPath empty, other, huge;
  std::ofstream(empty.path).flush();
  std::ofstream(other.path) << "# a file of another tool\ntitle = \"x\"\n";
  REQUIRE(truncate((std::ofstream(huge.path), huge.path.c_str()), 100 << 20) == 0);
  auto none = run_hublab({"validate", empty.path});
  CHECK(none.exit_code == 2);
  CHECK(none.err == empty.path +
                        ":1:1: no [vnet.NAME]: a lab has at least one virtual network "
                        "(docs/lab-format.md)\n");
  auto up = run_hublab({"up", empty.path});
  CHECK(up.exit_code == 2);
  CHECK(up.err == none.err);
  CHECK(leftovers_of(empty.path.substr(5)).empty());
  auto foreign = run_hublab({"validate", other.path});
  CHECK(foreign.exit_code == 2);
  CHECK(foreign.err.find(other.path + ":2:1: unknown key 'title'") != std::string::npos);
  CHECK(foreign.err.find("no [vnet.NAME]") != std::string::npos);
  auto large = run_hublab({"validate", huge.path});
  CHECK(large.exit_code == 2);
  CHECK(large.err == huge.path +
                         ": is 104857600 bytes, more than 16777216 bytes: no lab file is that "
                         "large\n");
  // The smallest lab: one VNet with one subnet.
  std::ofstream(empty.path) << "[vnet.one]\naddress_space = [\"10.1.0.0/16\"]\n"
                               "subnets = { default = \"10.1.0.0/24\" }\n";
  auto smallest = run_hublab({"validate", empty.path});
  CHECK(smallest.exit_code == 0);
  CHECK(smallest.out.find("is valid (1 VNet") != std::string::npos);
}

TEST_CASE("A FILE is read alone even while a lab of its name is up, a NAME reads that lab",
          "[cli][graph][root]") {
  REQUIRE_ROOT();
  // A lab up under the name its file declares, as a user would have it.
  const std::string name = unique_lab_name("alone");
  LabVariant file("", name);
  REQUIRE(run_hublab({"up", file.path(), "--quiet"}).exit_code == 0);
  struct Down {
    std::string name;
    ~Down() { run_hublab({"down", name}); }
  } down{name};

  auto from_file = run_hublab({"graph", file.path(), "--format", "mermaid"});
  CHECK(from_file.exit_code == 0);
  CHECK(from_file.out.find("gw_vpngw_hub01 ===|IPsec + BGP| gw_vpngw_hub02") != std::string::npos);
  auto from_lab = run_hublab({"graph", name, "--format", "mermaid"});
  CHECK(from_lab.exit_code == 0);
  CHECK(from_lab.out.find("gw_vpngw_hub01 ===|IPsec + BGP up| gw_vpngw_hub02") !=
        std::string::npos);

  // The running lab's faults are the lab's, not the file's.
  REQUIRE(run_hublab({"fault", name, "tunnel", "hub01-hub02", "down"}).exit_code == 0);
  auto file_rows = run_hublab({"routes", file.path(), "vm-spoke10", "--model"});
  CHECK(file_rows.out.find("10.110.0.0/16") != std::string::npos);
  auto lab_rows = run_hublab({"routes", name, "vm-spoke10", "--model"});
  CHECK(lab_rows.exit_code == 0);
  CHECK(lab_rows.out.find("10.110.0.0/16") == std::string::npos);
  auto explained = run_hublab({"explain", file.path(), "vm-spoke10", "vm-spoke110"});
  CHECK(explained.out.rfind("as Azure decides it:\n", 0) == 0);
  CHECK(explained.out.find("reachable\n") != std::string::npos);
  CHECK(explained.out.find("under the fault") == std::string::npos);
  CHECK(run_hublab({"explain", name, "vm-spoke10", "vm-spoke110"}).out.find("under the fault") !=
        std::string::npos);
}

TEST_CASE("check --up --name brings a lab up under its own name beside one of the file's",
          "[cli][check][root]") {
  REQUIRE_ROOT();
  const std::string name = unique_lab_name("named");
  auto result = run_hublab({"check", reference_lab(), "--up", "--down", "--name", name, "--json"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(nlohmann::json::parse(result.out)["lab"] == name);
  CHECK(result.err.find("lab '" + name + "' is up in") != std::string::npos);
  CHECK(leftovers_of(name).empty());
  auto without_up = run_hublab({"check", reference_lab(), "--name", name});
  CHECK(without_up.exit_code == 2);
  CHECK(without_up.err == "hublab check: --name names the lab --up brings up\n");
}

TEST_CASE("Completion: commands, options, their choices, running labs and their nodes",
          "[cli][completion][root]") {
  REQUIRE_ROOT();
  ScratchPath script;
  REQUIRE(shell(hublab_binary() + " completion bash > " + script.path).exit_code == 0);
  shell("chmod 644 " + script.path);
  CHECK(completed(script.path, {"hublab", "gr"}) == "graph\n");
  CHECK(completed(script.path, {"hublab", "--v"}) == "--version\n");
  CHECK(completed(script.path, {"hublab", "help", "ex"}) == "exec\nexplain\n");
  CHECK(completed(script.path, {"hublab", "check", "x", "--j"}) == "--json\n--junit\n");
  CHECK(completed(script.path, {"hublab", "graph", "x", "--format", "m"}) == "mermaid\n");
  CHECK(completed(script.path, {"hublab", "trace", "x", "-P", ""}) == "icmp\ntcp\nudp\n");
  CHECK(completed(script.path, {"hublab", "completion", ""}) == "bash\n");
  CHECK(completed(script.path, {"hublab", "validate", source_path("labs/three-h")}) ==
        source_path("labs/three-hubs-chain.toml") + "\n");

  ScratchLab lab(reference_lab(), "complete");
  REQUIRE(lab.up_result().exit_code == 0);
  // Labs and nodes come from /run/netns, which anyone may list.
  for (const std::string as : {"", "nobody"}) {
    INFO("as " << (as.empty() ? "root" : as));
    CHECK(completed(script.path, {"hublab", "status", lab.name()}, as) == lab.name() + "\n");
    CHECK(completed(script.path, {"hublab", "exec", lab.name(), "vm-spoke1"}, as) ==
          "vm-spoke10\nvm-spoke110\nvm-spoke120\n");
    CHECK(completed(script.path, {"hublab", "trace", "-P", "udp", lab.name(), "vm-spoke10", "vm-h"},
                    as) == "vm-hub00\nvm-hub100\n");
  }
  CHECK(completed(script.path, {"hublab", "fault", lab.name(), "pe"}) == "peering\n");
  CHECK(completed(script.path, {"hublab", "fault", lab.name(), "peering", "spoke1"}) ==
        "spoke10\nspoke110\nspoke120\n");
  CHECK(completed(script.path, {"hublab", "fault", lab.name(), "tunnel", "hub01-hub02", "d"}) ==
        "down\n");
}
