#include "orchestrator/observe/check.h"

#include <algorithm>
#include <future>
#include <map>
#include <set>

#include "drivers/netlink/network_namespace.h"
#include "drivers/probe/icmp_sweep.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/naming.h"
#include "orchestrator/observe/effective_routes.h"

namespace hublab {

namespace {

// UDP and TCP traces sleep in ppoll on worker threads; enough threads that
// unreachable pairs wait out their timeout together. (A TCP trace holds
// max_hops sockets.)
constexpr int kProbeThreads = 16;

std::string hops_text(int hops) {
  return std::to_string(hops) + (hops == 1 ? " hop" : " hops");
}

std::string range_text(const HopRange& range) {
  if (range.min == range.max) return hops_text(range.min);
  return std::to_string(range.min) + "-" + std::to_string(range.max) + " hops";
}

}  // namespace

size_t CheckReport::failed() const {
  return static_cast<size_t>(
      std::count_if(outcomes.begin(), outcomes.end(), [](const auto& o) { return !o.passed; }));
}

size_t CheckReport::routes_differing() const {
  return static_cast<size_t>(
      std::count_if(routes.begin(), routes.end(), [](const auto& r) { return !r.agrees; }));
}

bool CheckReport::passed() const {
  return !(outcomes.empty() && routes.empty()) && failed() == 0 && routes_differing() == 0 &&
         dead_daemons.empty();
}

std::vector<Expectation> checked_expectations(const Lab& lab, const AzureModel& model) {
  std::vector<Expectation> expectations = expand_expectations(lab);
  std::set<std::pair<std::string, std::string>> stated;
  for (Expectation& e : expectations) {
    if (e.protocol != ProbeProtocol::kIcmp) continue;
    stated.insert({e.from, e.to});
  }
  for (const Vm& from : lab.vms)
    for (const Vm& to : lab.vms) {
      if (&from == &to || stated.count({from.name, to.name})) continue;
      PairPrediction predicted = model.pair(from, to);
      Expectation e{.from = from.name,
                    .to = to.name,
                    .destination = lab.vm_address(to),
                    .reachable = predicted.reachable,
                    .from_model = true};
      if (predicted.reachable) e.hops = HopRange{predicted.hops, predicted.hops};
      expectations.push_back(e);
    }
  return expectations;
}

std::string describe_expected(const Expectation& e, bool hops_checked) {
  if (!e.reachable) return "unreachable";
  if (e.hops && hops_checked) return "reachable, " + range_text(*e.hops);
  return "reachable";
}

namespace {

CheckOutcome judge(const Expectation& e, const probe::PingResult* ping,
                   const probe::TraceResult& trace, bool hops_checked) {
  CheckOutcome o;
  o.expected = e;
  if (ping) {
    o.reachable = ping->received > 0;
    if (!ping->rtts_ms.empty()) o.rtt_ms = ping->rtts_ms.front();
  } else {
    o.reachable = trace.reached;
  }
  if (trace.reached) o.hops = trace.hop_count;
  o.path = trace.hops;
  o.seen = o.reachable ? "reachable" : "unreachable";
  if (o.reachable && o.hops) o.seen += ", " + hops_text(*o.hops);
  if (e.reachable != o.reachable) {
    o.why = "expected " + describe_expected(e, hops_checked) + ", seen " + o.seen;
  } else if (e.reachable && e.hops && hops_checked) {
    if (!o.hops)
      o.why = "reachable, but the trace did not reach it";
    else if (*o.hops < e.hops->min || *o.hops > e.hops->max)
      o.why = "expected " + range_text(*e.hops) + ", seen " + hops_text(*o.hops);
  }
  o.passed = o.why.empty();
  return o;
}

// ICMP reachability is a ping, as a user would test it; the trace gives the
// hop count (and reachability for UDP and TCP). Every ICMP probe is in
// flight at once in one event loop (drivers/probe/icmp_sweep.h); UDP and
// TCP traces, a socket each, run on worker threads beside it.
std::vector<CheckOutcome> probe_and_judge(const std::vector<Expectation>& expectations,
                                          const std::vector<probe::ProbeRequest>& requests,
                                          std::chrono::milliseconds timeout, bool hops_checked) {
  std::vector<probe::ProbeRequest> icmp, other;
  std::vector<size_t> index_of(requests.size());  // into icmp or other
  for (size_t i = 0; i < requests.size(); ++i) {
    auto& group = requests[i].protocol == probe::Protocol::kIcmp ? icmp : other;
    index_of[i] = group.size();
    group.push_back(requests[i]);
    group.back().timeout = timeout;
  }
  auto traced =
      std::async(std::launch::async, [&] { return probe::trace_all(other, kProbeThreads); });
  probe::IcmpSweep sweep = probe::sweep_icmp(icmp, icmp);
  std::vector<probe::TraceResult> other_traces = traced.get();
  std::vector<CheckOutcome> outcomes;
  for (size_t i = 0; i < expectations.size(); ++i) {
    const bool is_icmp = requests[i].protocol == probe::Protocol::kIcmp;
    outcomes.push_back(judge(expectations[i], is_icmp ? &sweep.pings[index_of[i]] : nullptr,
                             is_icmp ? sweep.traces[index_of[i]] : other_traces[index_of[i]],
                             hops_checked));
  }
  return outcomes;
}

}  // namespace

CheckReport run_check(const Lab& lab, const AzureModel& model, const CheckOptions& options) {
  auto started = std::chrono::steady_clock::now();
  CheckReport report;
  report.lab = lab.name;
  report.hops_checked = !lab.hops_visible;
  std::vector<Expectation> expectations = checked_expectations(lab, model);
  // In the lab's order: by source VM, then destination.
  auto vm_index = [&](const std::string& name) {
    for (size_t i = 0; i < lab.vms.size(); ++i)
      if (lab.vms[i].name == name) return i;
    return lab.vms.size();
  };
  std::stable_sort(expectations.begin(), expectations.end(), [&](const auto& a, const auto& b) {
    return std::pair(vm_index(a.from), vm_index(a.to)) <
           std::pair(vm_index(b.from), vm_index(b.to));
  });
  // The model's verdict on each stated expectation between two VMs, once.
  // Under faults the file describes the healthy design: where the faulted
  // model disagrees, the pair is judged by the model. Otherwise a
  // disagreement is worth a line: the lab file or the emulation is wrong.
  std::vector<std::optional<bool>> model_reachable(expectations.size());
  std::vector<std::string> notes(expectations.size());
  for (size_t i = 0; i < expectations.size(); ++i) {
    Expectation& e = expectations[i];
    const Vm* from = lab.find_vm(e.from);
    const Vm* to = lab.find_vm(e.to);
    if (e.from_model || !from || !to) continue;
    // Every protocol meets the NSGs: the model judges each probe's port as
    // the probe sends it.
    PairPrediction predicted =
        model.pair(*from, *to, e.protocol, probe::probed_port(e.protocol, e.port));
    model_reachable[i] = predicted.reachable;
    // Under faults a path may change length and stay up (a failover to a
    // VPN): the model then judges the hops too.
    const bool other_hops = predicted.reachable && e.reachable && e.hops &&
                            (predicted.hops < e.hops->min || predicted.hops > e.hops->max);
    if (predicted.reachable == e.reachable && (!other_hops || options.faults.empty())) continue;
    if (options.faults.empty()) {
      notes[i] = "the model predicts " +
                 std::string(predicted.reachable ? "reachable" : "unreachable") +
                 (predicted.reachable           ? ""
                  : predicted.forward.delivered ? " (back: " + predicted.back.outcome + ")"
                                                : " (" + predicted.forward.outcome + ")");
      continue;
    }
    notes[i] = other_hops
                   ? "the lab file expects " + range_text(*e.hops) +
                         "; under the faults set, the model predicts " + hops_text(predicted.hops)
                   : std::string("the lab file expects ") +
                         (e.reachable ? "reachable" : "unreachable") +
                         "; under the faults set, the model predicts otherwise";
    e.reachable = predicted.reachable;
    e.hops = predicted.reachable ? std::optional(HopRange{predicted.hops, predicted.hops})
                                 : std::nullopt;
    e.from_model = true;
  }

  std::map<std::string, NetworkNamespace> namespaces;
  std::vector<probe::ProbeRequest> requests;
  for (const Expectation& e : expectations) {
    auto it = namespaces.find(e.from);
    if (it == namespaces.end())
      it = namespaces
               .emplace(e.from, NetworkNamespace::open(naming::namespace_name(lab.name, e.from)))
               .first;
    probe::ProbeRequest request;
    request.netns_fd = it->second.fd();
    request.destination = e.destination;
    request.protocol = (e.protocol);
    request.port = static_cast<uint16_t>(e.port);
    request.timeout = options.timeout;
    requests.push_back(request);
  }
  std::vector<CheckOutcome> outcomes =
      probe_and_judge(expectations, requests, options.timeout, report.hops_checked);
  // A pair that disagrees gets a second, slower look before it fails a CI
  // run: a loaded machine can delay an answer past the timeout.
  std::vector<size_t> again;
  for (size_t i = 0; i < outcomes.size(); ++i)
    if (!outcomes[i].passed) again.push_back(i);
  if (!again.empty()) {
    std::vector<Expectation> retry_expectations;
    std::vector<probe::ProbeRequest> retry_requests;
    for (size_t i : again) {
      retry_expectations.push_back(expectations[i]);
      retry_requests.push_back(requests[i]);
      retry_requests.back().timeout = options.timeout * 3;
    }
    std::vector<CheckOutcome> second = probe_and_judge(retry_expectations, retry_requests,
                                                       options.timeout * 3, report.hops_checked);
    for (size_t k = 0; k < again.size(); ++k) {
      second[k].retried = true;
      outcomes[again[k]] = std::move(second[k]);
    }
  }
  for (size_t i = 0; i < outcomes.size(); ++i) {
    outcomes[i].model_reachable = model_reachable[i];
    outcomes[i].model_note = notes[i];
  }
  report.outcomes = std::move(outcomes);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

namespace {

std::string row_text(const EffectiveRoute& r) {
  return r.source + " | " + r.state + " | " + r.prefix.str() + " | " + r.next_hop_type + " | " +
         (r.next_hop_ip.empty() ? "-" : r.next_hop_ip);
}

}  // namespace

void compare_routes(CheckReport& report, LabState& state, const Lab& lab, const LabPlan& plan,
                    const AzureModel& model) {
  for (const Vm& vm : lab.vms) {
    if (lab.find_vnet(vm.vnet)->on_premises) continue;  // Azure's NICs only
    std::vector<EffectiveRoute> live = read_effective_routes(state, lab, plan, vm);
    std::vector<EffectiveRoute> predicted = model.effective_routes(vm);
    RouteCheck check{.vm = vm.name, .agrees = live == predicted};
    if (!check.agrees) {
      size_t i = 0;
      while (i < live.size() && i < predicted.size() && live[i] == predicted[i]) ++i;
      check.difference = "row " + std::to_string(i + 1) + ": live " +
                         (i < live.size() ? row_text(live[i]) : "(none)") + "; model " +
                         (i < predicted.size() ? row_text(predicted[i]) : "(none)");
    }
    report.routes.push_back(check);
  }
}

}  // namespace hublab
