#pragma once

// A lab's effective routes held against a real deployment's, as `az network
// nic show-effective-route-table` prints them (or the REST API's
// getEffectiveRouteTable: the same "value" rows): row by row, what only
// one side has and what differs for the same prefix.

#include <string>
#include <vector>

#include "orchestrator/model/effective_route.h"

namespace hublab {

// The rows of az's JSON, one per prefix and next hop IP, named as hublab
// shows them. Throws std::runtime_error naming the file (and line) when it
// is not that JSON.
std::vector<EffectiveRoute> read_az_effective_routes(const std::string& text,
                                                     const std::string& file);

struct RouteDifference {
  Prefix prefix;
  std::vector<EffectiveRoute> azure, lab;  // the prefix's rows that the other side lacks
};

struct RouteComparison {
  size_t azure_rows = 0, lab_rows = 0, same = 0;
  std::vector<RouteDifference> differences;  // by prefix, as Azure lists them first
  // Azure's own Default rows to None beyond the four MS Learn documents
  // (real tables show 127.0.0.0/8, 198.18.0.0/15 and more, varying): not
  // emulated, shown apart, no difference.
  std::vector<EffectiveRoute> undocumented;
};

RouteComparison compare_routes(const std::vector<EffectiveRoute>& azure,
                               const std::vector<EffectiveRoute>& lab);

std::string comparison_text(const RouteComparison& comparison, const std::string& vm,
                            const std::string& file, const std::string& lab_side);
std::string comparison_json(const RouteComparison& comparison, const std::string& vm,
                            const std::string& file);

}  // namespace hublab
