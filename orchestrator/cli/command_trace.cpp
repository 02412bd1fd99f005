#include <cstdio>
#include <string>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/probe_target.h"

namespace hublab::cli {

namespace {

// Prints in traceroute's familiar shape; exit 0 when the destination answered.
int run_trace(const Invocation& args) {
  ProbeTarget target = probe_target(args);
  std::printf("traceroute to %s from %s, %d hops max, %s%s%s\n", target.destination_label.c_str(),
              args.operand(1).c_str(), target.request.max_hops,
              protocol_name(target.request.protocol), target.request.port ? " port " : "",
              target.request.port ? std::to_string(target.request.port).c_str() : "");
  if (!target.lab.hops_visible)
    std::printf("(hops hidden as in Azure: up --hops visible shows the emulated routers)\n");
  probe::TraceResult result = probe::trace(target.request);
  if (!result.error.empty()) throw CliError(kExitFailure, result.error);
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

}  // namespace

const Command kTrace{.spec = {.name = "trace",
                              .operands = {"NAME", "VM", "DEST"},
                              .options = probe_options(true),
                              .help = "traceroute from a VM, hops as Azure shows them"},
                     .run = run_trace};

}  // namespace hublab::cli
