#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "drivers/probe/probe.h"
#include "lab/expectations.h"
#include "lab/lab.h"

namespace hublab {

struct CheckOutcome {
  Expectation expected;
  bool reachable = false;
  std::optional<int> hops;  // when reached
  std::optional<double> rtt_ms;
  std::vector<probe::Hop> path;
  bool passed = false;
  std::string seen;      // "reachable, 1 hop" / "unreachable"
  std::string why;       // empty when passed
  bool retried = false;  // disagreed at first and was probed again, more slowly
};

struct CheckReport {
  std::string lab;
  bool hops_checked = true;  // false when the lab runs with visible hops
  std::vector<CheckOutcome> outcomes;
  double seconds = 0;

  size_t failed() const;
};

struct CheckOptions {
  std::chrono::milliseconds timeout{300};  // per probe: what an unreachable pair costs
};

// Probes every expectation of a running lab from its VMs' namespaces, all
// pairs at once.
CheckReport run_check(const Lab& lab, const CheckOptions& options);

std::string describe_expected(const Expectation& e, bool hops_checked);

}  // namespace hublab
