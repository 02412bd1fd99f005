// Bad input on every command (issue R): empty words, output paths that are
// directories, FIFOs, devices or in no directory, numbers out of range,
// names with path characters or far too long, fault words that are no
// fault, and key and FRR files that are no file to read. Each is one line
// on stderr, exit 2, nothing on stdout, and nothing made or changed.
// (Lab paths of every kind are cli_conventions_test's.)

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/scratch_lab.h"
#include "tests/support/watched_command.h"

namespace hublab::test {

namespace {

// A scratch directory for the files a case needs, removed with the object.
struct ScratchDir : ScratchPath {
  ScratchDir() { mkdir(path.c_str(), 0700); }
};

// hublab under a time bound: a FIFO opened by mistake would block for ever.
CommandResult bounded(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"timeout", "30", hublab_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

// Refused as bad input: one line that says `because`, nothing on stdout.
void require_refused(const std::vector<std::string>& args, const std::string& because) {
  std::string typed;
  for (const std::string& word : args) typed += " '" + word + "'";
  INFO("hublab" << typed);
  const CommandResult result = bounded(args);
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK(line_count(result.err) == 1);
  CHECK(result.err.find(because) != std::string::npos);
  CHECK(result.out.empty());
}

// Every kind of path that no output can be written to, with what it is.
struct UnwritablePaths {
  ScratchDir dir;
  std::vector<std::pair<std::string, std::string>> paths;
  UnwritablePaths() {
    mkdir((dir / "directory").c_str(), 0755);
    mkfifo((dir / "fifo").c_str(), 0644);
    symlink("/dev/zero", (dir / "to-dev-zero").c_str());
    paths = {
        {dir / "directory", "is a directory, not a file"},
        {dir / "directory/", "names a directory, not a file"},
        {dir / "fifo", "is a FIFO, not a file"},
        {"/dev/zero", "is a character device, not a file"},
        {dir / "to-dev-zero", "is a character device, not a file"},
        {dir / "no-such-dir/out", "its directory " + (dir / "no-such-dir") + " does not exist"},
    };
  }
};

}  // namespace

TEST_CASE("An empty word for an option's value is refused, never taken for its default", "[cli]") {
  const std::string lab = reference_lab();
  const std::string inventory = source_path("tests/import_data");
  const std::string absent = unique_lab_name("absent");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"up", lab, "--name", ""},
           {"up", lab, "--name="},
           {"check", lab, "--up", "--name", ""},
           {"check", absent, "--junit", ""},
           {"graph", lab, "-o", ""},
           {"import", inventory, "--name", ""},
           {"import", inventory, "-o", ""},
           {"explain", lab, "vm-hub00", "vm-hub100", "-P", ""},
       })
    require_refused(args, "not an empty word");
}

TEST_CASE("An output path no file can be written to is refused before any work", "[cli]") {
  const UnwritablePaths unwritable;
  const std::string absent = unique_lab_name("absent");
  for (const auto& [path, what] : unwritable.paths) {
    // graph renders nothing; check looks at no lab (the name is of none).
    require_refused({"graph", reference_lab(), "-o", path}, "-o: " + path + ": " + what);
    require_refused({"check", absent, "--junit", path}, "--junit: " + path + ": " + what);
  }
  // The FIFO was never opened: a reader would see an end at once.
  struct stat info {};
  CHECK(lstat("/dev/zero", &info) == 0);
  CHECK(S_ISCHR(info.st_mode));
}

TEST_CASE("graph -o and import -o write the whole file, and import never replaces one", "[cli]") {
  ScratchDir dir;
  const std::string graph = dir / "lab.dot";
  std::ofstream(graph) << "old";
  auto drawn = run_hublab({"graph", reference_lab(), "-o", graph});
  CHECK(drawn.exit_code == 0);
  CHECK(shell("head -c 6 '" + graph + "'").out == "graph ");
  CHECK(shell("ls -A '" + dir.path + "'").out == "lab.dot\n");  // no temporary left

  const std::string imported = dir / "lab.toml";
  std::ofstream(imported) << "mine";
  require_refused({"import", source_path("tests/import_data"), "-o", imported},
                  "-o: " + imported + ": exists; remove it or name another file");
  CHECK(shell("cat '" + imported + "'").out == "mine");
}

TEST_CASE("An input file that is a directory, a FIFO, a device or 100 MB is refused unread",
          "[cli]") {
  ScratchDir dir;
  mkdir((dir / "directory").c_str(), 0755);
  mkfifo((dir / "fifo").c_str(), 0644);
  REQUIRE(shell("truncate -s 100M '" + (dir / "big") + "'").exit_code == 0);
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {dir / "directory", "not a regular file (is a directory)"},
      {dir / "fifo", "not a regular file (is a FIFO)"},
      {"/dev/zero", "not a regular file (is a character device)"},
      {dir / "big", "too large (is 104857600 bytes"},
      {dir / "absent", "no such file"},
  };
  for (const auto& [path, what] : inputs) {
    require_refused({"import", path}, path + ": " + what);
    require_refused({"routes", reference_lab(), "vm-hub00", "--model", "--compare", path},
                    "--compare: " + path + ": " + what);
  }
}

TEST_CASE("Nodes, connections and VNets that a running lab lacks: one line, the lab unchanged",
          "[cli][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(reference_lab(), "sweep-nodes");
  REQUIRE(lab.up_result().exit_code == 0);
  const std::string daemons = processes_of(lab.name());
  const std::string& n = lab.name();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"ping", n, "no-such-vm", "vm-hub100"}, "no VM 'no-such-vm'"},
      {{"ping", n, "vm-hub00", "no-such-vm"}, "'no-such-vm' is neither a VM of the lab"},
      {{"trace", n, "no-such-vm", "10.0.0.1"}, "no VM 'no-such-vm'"},
      {{"routes", n, "no-such-vm"}, "no VM 'no-such-vm'"},
      {{"rules", n, "no-such-vm"}, "no VM 'no-such-vm'"},
      {{"explain", n, "no-such-vm", "vm-hub100"}, "no VM 'no-such-vm'"},
      {{"verify", n, "no-such-vm", "--direction", "out", "--protocol", "icmp", "--local",
        "10.0.0.4", "--remote", "10.1.0.4"},
       "no VM 'no-such-vm'"},
      {{"exec", n, "no-such-node", "--", "true"}, "no-such-node"},
      {{"logs", n, "no-such-node"}, "no-such-node"},
      {{"fault", n, "gateway", "no-such-gw", "down"}, "no-such-gw"},
      {{"fault", n, "tunnel", "no-such-connection", "down"}, "no-such-connection"},
      {{"fault", n, "peering", "hub00", "no-such-vnet", "down"}, "no-such-vnet"},
      {{"fault", n, "nva", "no-such-vm", "down"}, "no-such-vm"},
      {{"fault", n, "circuit", "no-such-circuit", "down"}, "no-such-circuit"},
      {{"fault", n, "route-server", "no-such-rs", "instance", "0", "down"}, "no-such-rs"},
      {{"fault", n, "bgp", "no-such-gw", "reset"}, "no-such-gw"},
  };
  for (const auto& [args, because] : cases) require_refused(args, because);
  CHECK(run_hublab({"fault", n, "list"}).out.empty());
  CHECK(processes_of(n) == daemons);
  auto check = run_hublab({"check", n});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
}

TEST_CASE("Numbers out of range are refused by the option, before any lab is looked at", "[cli]") {
  const std::string absent = unique_lab_name("absent");
  require_refused({"ping", absent, "vm", "10.0.0.1", "-c", "100000"},
                  "-c takes a whole number from 1 to 1000, not 100000");
  require_refused({"ping", absent, "vm", "10.0.0.1", "-w", "600000"},
                  "-w takes a whole number from 1 to 60000");
  require_refused({"trace", absent, "vm", "10.0.0.1", "-p", "70000"},
                  "-p takes a whole number from 1 to 65535");
  require_refused({"explain", reference_lab(), "vm-hub00", "vm-hub100", "-p", "65536"},
                  "-p takes a whole number from 1 to 65535");
  require_refused({"check", absent, "--timeout-ms", "99999999999"},
                  "--timeout-ms takes a whole number above 0");
  require_refused({"ping", absent, "vm", "10.0.0.1", "-c", "-1"}, "-c");
}

TEST_CASE("Names with path characters, empty or far too long, are no lab's on any command",
          "[cli][root]") {
  REQUIRE_ROOT();
  const std::string too_long(300, 'a');
  for (const std::string& name : {std::string(""), std::string("a/b"), std::string("..."),
                                  std::string("-"), too_long, std::string(41, 'b')}) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"down", name},
             {"status", name},
             {"check", name},
             {"routes", name, "vm"},
             {"ping", name, "vm", "10.0.0.1"},
             {"exec", name, "vm", "--", "true"},
             {"logs", name, "vm"},
             {"fault", name, "list"},
         })
      require_refused(args, "is neither a lab file nor a lab name");
  }
  CHECK(shell("ls /run/hublab | grep -c '^aaaa' || true").out == "0\n");
}

TEST_CASE("Words that are no fault are one line naming the forms, before the lab is looked at",
          "[cli]") {
  const std::string absent = unique_lab_name("absent");
  require_refused({"fault", absent, "bogus"},
                  "'bogus' is no fault ACTION: one of list, clear, tunnel, peering, gateway");
  require_refused({"fault", absent, "tunnel", "hub01-hub02", "sideways"},
                  "'tunnel hub01-hub02 sideways' is no fault: tunnel CONNECTION down|up");
  require_refused({"fault", absent, "gateway", "gw"},
                  "gateway GATEWAY down|up or gateway GATEWAY instance 0|1 down|up");
  auto unknown = run_hublab({"nosuch"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err == "hublab: unknown command 'nosuch'; 'hublab help' lists them\n");
}

TEST_CASE("A key file that is no one-line regular file: file:line:col, exit 2, nothing made",
          "[cli][root]") {
  REQUIRE_ROOT();
  ScratchDir dir;
  std::string text = shell("cat '" + reference_lab() + "'").out;
  text += "[connection.hub01-hub02.vpngw-hub01]\nshared_key_file = \"key\"\n";
  const std::string lab_file = dir / "lab.toml";
  std::ofstream(lab_file) << text;
  const size_t key_line = line_count(text);
  const std::string key = dir / "key";
  const std::vector<std::pair<std::function<void()>, std::string>> keys = {
      {[&] { mkdir(key.c_str(), 0700); }, "key: not a regular file (is a directory)"},
      {[&] { mkfifo(key.c_str(), 0600); }, "key: not a regular file (is a FIFO)"},
      {[&] { symlink("/dev/zero", key.c_str()); },
       "key: not a regular file (is a character device)"},
      {[&] { std::ofstream{key} << std::string(5000, 'k'); }, "key: too large (is 5000 bytes"},
      {[&] { std::ofstream{key}; }, "key: is empty"},
      {[&] { std::ofstream{key} << "one\ntwo\n"; }, "key: holds more than one line"},
      {[] {}, "key: no such file"},
  };
  for (const auto& [make, because] : keys) {
    shell("rm -rf '" + key + "'");
    make();
    const std::string lab = unique_lab_name("sweep-key");
    DownOnExit down(lab);
    require_refused({"up", lab_file, "--name", lab},
                    lab_file + ":" + std::to_string(key_line) + ":19: connection.hub01-hub02." +
                        "vpngw-hub01.shared_key_file: " + dir.path + "/" + because);
    CHECK(leftovers_of(lab).empty());
  }
}

TEST_CASE("An frr_config that is no FRR file to read is a finding at its line", "[cli]") {
  ScratchDir dir;
  std::string text = shell("cat '" + lab_path("route-server-frr-conf.toml") + "'").out;
  replace_once(text, "frr_config = \"route-server-frr-conf/frr.conf\"",
               "frr_config = \"frr.conf\"");
  const std::string lab_file = dir / "lab.toml";
  std::ofstream(lab_file) << text;
  const std::string frr = dir / "frr.conf";
  const std::vector<std::pair<std::function<void()>, std::string>> configs = {
      {[&] { mkdir(frr.c_str(), 0700); }, "not a regular file (is a directory)"},
      {[&] { mkfifo(frr.c_str(), 0600); }, "not a regular file (is a FIFO)"},
      {[&] { symlink("/dev/zero", frr.c_str()); }, "not a regular file (is a character device)"},
      {[&] { std::ofstream{frr}; }, "is empty: FRR would run it as it is"},
      {[&] { shell("truncate -s 100M '" + frr + "'"); }, "too large (is 104857600 bytes"},
  };
  for (const auto& [make, because] : configs) {
    shell("rm -rf '" + frr + "'");
    make();
    require_refused({"validate", lab_file},
                    "bgp.frr_config: 'frr.conf' (beside the lab file): " + because);
  }
  std::string empty_name = text;
  replace_once(empty_name, "frr_config = \"frr.conf\"", "frr_config = \"\"");
  std::ofstream(lab_file) << empty_name;
  require_refused({"validate", lab_file}, "bgp.frr_config: must not be empty");
}

}  // namespace hublab::test
