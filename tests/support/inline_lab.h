#pragma once

// Small labs written in the test itself, so that a planning test shows the
// topology it reasons about. The test fails if the text does not load and
// validate cleanly.

#include <string>

#include "lab/lab.h"

namespace hublab::test {

Lab inline_lab(const std::string& toml);

}  // namespace hublab::test
