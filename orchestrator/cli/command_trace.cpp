#include <cstdio>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/probe_target.h"

namespace hublab::cli {

// Prints in traceroute's familiar shape; exit 0 when the destination answered.
int trace(const Args& args) {
  int exit_code = kExitOk;
  auto target = probe_target("trace", args, &exit_code);
  if (!target) return exit_code;
  const char* protocol = target->request.protocol == probe::Protocol::kUdp   ? "udp"
                         : target->request.protocol == probe::Protocol::kTcp ? "tcp"
                                                                             : "icmp";
  std::printf("traceroute to %s from %s, %d hops max, %s%s%s\n", target->destination_label.c_str(),
              args[1].c_str(), target->request.max_hops, protocol,
              target->request.port ? " port " : "",
              target->request.port ? std::to_string(target->request.port).c_str() : "");
  if (target->lab.hops_visible == false)
    std::printf("(hops hidden as in Azure: up --hops visible shows the emulated routers)\n");
  probe::TraceResult result = probe::trace(target->request);
  if (!result.error.empty()) {
    std::fprintf(stderr, "hublab trace: %s\n", result.error.c_str());
    return kExitFailure;
  }
  for (const probe::Hop& hop : result.hops) {
    if (hop.address)
      std::printf("%2d  %s  %.3f ms\n", hop.ttl, hop.address->str().c_str(),
                  hop.rtt_ms.value_or(0));
    else
      std::printf("%2d  *\n", hop.ttl);
    if (result.reached && hop.ttl == result.hop_count) break;
  }
  return result.reached ? kExitOk : kExitFailure;
}

}  // namespace hublab::cli
