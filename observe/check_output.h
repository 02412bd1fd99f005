#pragma once

// How a check reads: a table and a reachability matrix for people, JSON and
// JUnit XML for CI.

#include <string>

#include "lab/lab.h"
#include "observe/check.h"

namespace hublab {

std::string check_table(const CheckReport& report);
std::string check_matrix(const CheckReport& report, const Lab& lab);
std::string check_json(const CheckReport& report);
std::string check_junit(const CheckReport& report);

}  // namespace hublab
