#pragma once

// Effective routes as people and tools read them: Azure's portal table,
// hublab's JSON, and the JSON of `az network nic show-effective-route-table`
// (so a lab can be diffed against a real deployment).

#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/model/effective_route.h"

namespace hublab {

std::string route_table_text(const Lab& lab, const Vm& vm, const std::vector<EffectiveRoute>& rows,
                             const std::string& origin);
std::string route_table_json(const Lab& lab, const Vm& vm, const std::vector<EffectiveRoute>& rows);
// `propagation_disabled`: the subnet's route table turns off "Propagate
// gateway routes"; az shows it on every row.
std::string route_table_az(const std::vector<EffectiveRoute>& rows, bool propagation_disabled);

}  // namespace hublab
