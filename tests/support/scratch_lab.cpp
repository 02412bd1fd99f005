#include "tests/support/scratch_lab.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace hublab::test {

std::string unique_lab_name(const std::string& stem) {
  static std::atomic<int> counter{0};
  return "t-" + stem + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

ScratchLab::ScratchLab(const std::string& file, const std::string& stem,
                       const std::vector<std::string>& up_options)
    : name_(unique_lab_name(stem)) {
  std::vector<std::string> argv = {hublab_binary(), "up", file, "--name", name_};
  argv.insert(argv.end(), up_options.begin(), up_options.end());
  up_ = run(argv);
}

ScratchLab::ScratchLab(const LabText& text, const std::string& stem,
                       const std::vector<std::string>& up_options)
    : name_(unique_lab_name(stem)) {
  const std::string file = "/tmp/hublab-" + name_ + ".toml";
  std::ofstream(file) << text.toml;
  std::vector<std::string> argv = {hublab_binary(), "up", file, "--name", name_};
  argv.insert(argv.end(), up_options.begin(), up_options.end());
  up_ = run(argv);
  unlink(file.c_str());
}

ScratchLab::~ScratchLab() {
  run({hublab_binary(), "down", name_});
}

DownOnExit::~DownOnExit() {
  run({hublab_binary(), "down", lab_});
}

CommandResult ScratchLab::exec(const std::string& node,
                               const std::vector<std::string>& command) const {
  std::vector<std::string> argv = {hublab_binary(), "exec", name_, node, "--"};
  argv.insert(argv.end(), command.begin(), command.end());
  return run(argv);
}

bool ScratchLab::pings(const std::string& from, const std::string& address) const {
  return exec(from, {"ping", "-c", "1", "-W", "1", "-n", address}).exit_code == 0;
}

std::string host_network_snapshot() {
  // Brief forms: no counters or address lifetimes that change on their own.
  return shell("ip -br link; ip -br addr; ip route show table all; ip rule").out;
}

std::string leftovers_of(const std::string& lab) {
  std::string found;
  found += shell("ls /run/netns 2>/dev/null | grep -F '" + lab + ".'").out;
  found += shell("grep -F '/run/netns/" + lab + ".' /proc/mounts").out;
  found += shell("ls -d /run/hublab/" + lab + " 2>/dev/null").out;
  return found;
}

bool running_as_root() {
  return geteuid() == 0;
}

std::string reference_lab() {
  return lab_path("multi-hub-internet-vpn.toml");
}

std::string lab_path(const std::string& file) {
  return source_path("labs/" + file);
}

void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
}

void drop_expectations(std::string& text) {
  text = text.substr(0, text.find("[expect]"));
}

nlohmann::json passing_check(const std::string& lab) {
  auto result = run_hublab({"check", lab, "--json"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  return nlohmann::json::parse(result.out);
}

bool every_vm_agrees(const nlohmann::json& report) {
  bool agree = !report["routes"].empty();
  for (const auto& r : report["routes"]) agree &= r["agrees"] == true;
  return agree;
}

EditedLab::EditedLab(const std::string& file, const std::function<void(std::string&)>& edit)
    : path_("/tmp/" + unique_lab_name("edited") + ".toml") {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string lab = text.str();
  edit(lab);
  std::ofstream(path_) << lab;
}

ScratchPath::~ScratchPath() { shell("rm -rf '" + path + "'"); }

EditedLab::~EditedLab() {
  unlink(path_.c_str());
}

LabVariant::LabVariant(const std::string& extra, const std::string& name,
                       const std::function<void(std::string&)>& edit)
    : EditedLab(reference_lab(), [&](std::string& lab) {
        if (!name.empty()) {
          const std::string declared = "name = \"multi-hub-internet-vpn\"";
          lab.replace(lab.find(declared), declared.size(), "name = \"" + name + "\"");
        }
        if (edit) edit(lab);
        lab += "\n" + extra + "\n";
      }) {}

}  // namespace hublab::test
