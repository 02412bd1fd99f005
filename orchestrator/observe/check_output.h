#pragma once

// How a check reads: a table and a reachability matrix for people, JSON and
// JUnit XML for CI.

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/observe/check.h"

namespace hublab {

std::string check_table(const CheckReport& report);
std::string check_matrix(const CheckReport& report, const Lab& lab);
std::string check_json(const CheckReport& report);
std::string check_junit(const CheckReport& report);

// What later commands read of the last check (status, graph), from the JSON
// check_json wrote: the format's one reader.
struct LastCheck {
  bool passed = false;
  size_t expectations = 0, failed = 0;
  double seconds = 0;
  struct Pair {
    std::string from, to;
    ProbeProtocol protocol = ProbeProtocol::kIcmp;
    bool reachable = false;
  };
  std::vector<Pair> results;
};
// Nothing when `json` is empty or not a check report.
std::optional<LastCheck> parse_last_check(const std::string& json);

}  // namespace hublab
