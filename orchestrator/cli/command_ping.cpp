#include <algorithm>
#include <cstdio>
#include <numeric>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/probe_target.h"

namespace hublab::cli {

// Prints in ping's familiar shape; exit 0 when any reply came, as ping does.
int ping(const Args& args) {
  int exit_code = kExitOk;
  auto target = probe_target("ping", args, &exit_code);
  if (!target) return exit_code;
  target->request.protocol = probe::Protocol::kIcmp;
  const std::string& from = args[1];
  std::printf("PING %s from %s\n", target->destination_label.c_str(), from.c_str());
  probe::PingResult result =
      probe::ping(target->request, target->count, std::chrono::milliseconds(200));
  if (!result.error.empty()) {
    std::fprintf(stderr, "hublab ping: %s\n", result.error.c_str());
    return kExitFailure;
  }
  for (size_t i = 0; i < result.rtts_ms.size(); ++i)
    std::printf("reply from %s: time=%.3f ms\n", target->request.destination.str().c_str(),
                result.rtts_ms[i]);
  std::printf(
      "\n--- %s ping statistics ---\n%d packets transmitted, %d received, %d%% packet loss\n",
      target->request.destination.str().c_str(), result.sent, result.received,
      result.sent ? 100 * (result.sent - result.received) / result.sent : 0);
  if (!result.rtts_ms.empty()) {
    auto [min, max] = std::minmax_element(result.rtts_ms.begin(), result.rtts_ms.end());
    double avg = std::accumulate(result.rtts_ms.begin(), result.rtts_ms.end(), 0.0) /
                 static_cast<double>(result.rtts_ms.size());
    std::printf("rtt min/avg/max = %.3f/%.3f/%.3f ms\n", *min, avg, *max);
  }
  return result.received > 0 ? kExitOk : kExitFailure;
}

}  // namespace hublab::cli
