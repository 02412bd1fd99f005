#include "drivers/probe/probe.h"

#include <cerrno>
#include <cstring>
#include <functional>

#include "drivers/probe/namespace_workers.h"
#include "drivers/probe/probes_from_here.h"

namespace hublab::probe {

std::string invalid_request(const ProbeRequest& request) {
  if (request.netns_fd < 0) return "no source network namespace";
  if (request.max_hops < 1 || request.max_hops > 255) return "max_hops must be 1..255";
  if (request.timeout.count() < 0) return "negative timeout";
  int base = request.port ? request.port : kUdpBasePort;
  if (request.protocol == Protocol::kUdp && base + request.max_hops > 65535)
    return "UDP port + max_hops exceeds 65535";
  return "";
}

namespace {

TraceResult trace_from_here(const ProbeRequest& request) {
  switch (request.protocol) {
    case Protocol::kUdp:
      return trace_udp_from_here(request);
    case Protocol::kTcp:
      return trace_tcp_from_here(request);
    case Protocol::kIcmp:
      break;
  }
  return trace_icmp_from_here(request);
}

// Runs `probe` for each valid request in its namespace; every result carries
// either the probe's findings or why it could not run.
template <typename Result>
std::vector<Result> run_all(const std::vector<ProbeRequest>& requests, int threads,
                            const std::function<Result(const ProbeRequest&)>& probe) {
  std::vector<Result> results(requests.size());
  std::vector<size_t> runnable;
  std::vector<int> netns_fds;
  for (size_t i = 0; i < requests.size(); ++i) {
    results[i].error = invalid_request(requests[i]);
    if (!results[i].error.empty()) continue;
    runnable.push_back(i);
    netns_fds.push_back(requests[i].netns_fd);
  }
  run_in_namespaces(
      netns_fds, threads,
      [&](size_t job) { results[runnable[job]] = probe(requests[runnable[job]]); },
      [&](size_t job, const std::string& why) { results[runnable[job]].error = why; });
  return results;
}

}  // namespace

std::string nothing_sent_error(int error) {
  // The kernel's errno for each kind of route the source itself has.
  const char* why = error == EINVAL                     ? " (a blackhole route in the source)"
                    : error == EHOSTUNREACH             ? " (an unreachable route in the source)"
                    : error == EACCES || error == EPERM ? " (a prohibit route or a firewall)"
                                                        : "";
  return std::string("no probe could be sent: ") + std::strerror(error) + why;
}

PingResult ping(const ProbeRequest& request, int count, std::chrono::milliseconds interval) {
  return ping_all({request}, count, interval, 1).front();
}

TraceResult trace(const ProbeRequest& request) {
  return trace_all({request}, 1).front();
}

std::vector<PingResult> ping_all(const std::vector<ProbeRequest>& requests, int count,
                                 std::chrono::milliseconds interval, int threads) {
  if (count < 0 || count > 65535 || interval.count() < 0) {
    std::vector<PingResult> results(requests.size());
    for (auto& result : results) result.error = "count must be 0..65535, interval not negative";
    return results;
  }
  return run_all<PingResult>(requests, threads, [&](const ProbeRequest& request) {
    return ping_from_here(request, count, interval);
  });
}

std::vector<TraceResult> trace_all(const std::vector<ProbeRequest>& requests, int threads) {
  return run_all<TraceResult>(requests, threads, trace_from_here);
}

}  // namespace hublab::probe
