#include <algorithm>
#include <cstdio>
#include <numeric>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/probe_target.h"

namespace hublab::cli {

namespace {

// Prints in ping's familiar shape; exit 0 when any reply came, as ping does.
int run_ping(const Invocation& args) {
  ProbeTarget target = probe_target(args);
  target.request.protocol = ProbeProtocol::kIcmp;
  std::printf("PING %s from %s\n", target.destination_label.c_str(), args.operand(1).c_str());
  probe::PingResult result =
      probe::ping(target.request, args.number("-c", 3), std::chrono::milliseconds(200));
  if (!result.error.empty()) throw CliError(kExitFailure, result.error);
  for (double rtt : result.rtts_ms)
    std::printf("reply from %s: time=%.3f ms\n", target.request.destination.str().c_str(), rtt);
  std::printf(
      "\n--- %s ping statistics ---\n%d packets transmitted, %d received, %d%% packet loss\n",
      target.request.destination.str().c_str(), result.sent, result.received,
      result.sent ? 100 * (result.sent - result.received) / result.sent : 0);
  if (!result.rtts_ms.empty()) {
    auto [min, max] = std::minmax_element(result.rtts_ms.begin(), result.rtts_ms.end());
    double avg = std::accumulate(result.rtts_ms.begin(), result.rtts_ms.end(), 0.0) /
                 static_cast<double>(result.rtts_ms.size());
    std::printf("rtt min/avg/max = %.3f/%.3f/%.3f ms\n", *min, avg, *max);
  }
  return result.received > 0 ? kExitOk : kExitFailure;
}

CommandSpec ping_spec() {
  CommandSpec spec{.name = "ping",
                   .operands = {"NAME", "VM", "DEST"},
                   .options = probe_options(false),
                   .help = "ping from a VM (DEST: a VM of the lab or an address)"};
  spec.options.insert(spec.options.begin(),
                      {.name = "-c", .value = "COUNT", .number = true, .max = 1000});
  return spec;
}

}  // namespace

const Command kPing{.spec = ping_spec(), .run = run_ping};

}  // namespace hublab::cli
