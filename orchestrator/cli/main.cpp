// hublab: emulates Azure hub-and-spoke network designs on one Linux host.

#include <csignal>
#include <cstring>
#include <iostream>
#include <map>

#include "orchestrator/cli/commands.h"

namespace {

constexpr const char* kUsage = R"(usage: hublab COMMAND [ARGS]

  validate FILE                  check a lab file; every error as file:line:col
  up FILE [--name NAME] [--hops hidden|visible]
                                 bring a lab up (NAME overrides [lab].name;
                                 visible: every emulated router answers traceroute)
  down NAME|FILE                 remove everything of a lab
  list                           the labs that are up
  exec NAME NODE -- CMD [ARG...] run a command in a node's network namespace
  status NAME|FILE [--json]      nodes, daemons, BGP sessions and tunnels of a running lab
  check NAME|FILE [--json] [--junit FILE] [--up] [--down] [--timeout-ms N]
                                 run the lab's expectations: exit 0 all hold, 1 any fails
  ping NAME VM DEST [-c N]       ping from a VM (DEST: a VM or an address)
  trace NAME VM DEST [-P icmp|udp|tcp] [-p PORT]
                                 traceroute from a VM, hops as Azure shows them
  logs NAME NODE [-f]            a gateway's or router's daemon logs (charon, BIRD)
  routes NAME VM [--json]        effective routes of a VM's NIC, as Azure shows them
  graph NAME|FILE [--format dot|mermaid|svg] [-o FILE]
                                 the topology; a running lab adds tunnel state and
                                 the last check's reachability
  doctor [--json]                what this host lacks to run labs, each with its fix

Exit codes: 0 success, 1 failure, 2 bad input. Lab files: docs/lab-format.md
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace hublab::cli;
  // A closed output pipe (`hublab up | head`) must not kill an up halfway,
  // before it can clean up: writes fail instead.
  signal(SIGPIPE, SIG_IGN);
  static const std::map<std::string, int (*)(const Args&)> commands = {
      {"validate", validate}, {"up", up},         {"down", down},
      {"list", list},         {"exec", exec},     {"status", status},

      {"logs", logs},         {"routes", routes}, {"graph", graph},
      {"check", check},       {"ping", ping},     {"trace", trace},
      {"doctor", doctor},
  };
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    (argc < 2 ? std::cerr : std::cout) << kUsage;
    return argc < 2 ? kExitBadInput : kExitOk;
  }
  auto command = commands.find(argv[1]);
  if (command == commands.end()) {
    std::cerr << "hublab: unknown command '" << argv[1] << "'\n" << kUsage;
    return kExitBadInput;
  }
  try {
    return command->second(Args(argv + 2, argv + argc));
  } catch (const std::exception& error) {
    std::cerr << "hublab " << argv[1] << ": " << error.what() << "\n";
    return kExitFailure;
  }
}
