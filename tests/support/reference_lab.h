#pragma once

#include "orchestrator/lab/lab.h"

namespace hublab::test {

// labs/multi-hub-internet-vpn.toml, loaded; the test fails if it does not
// load cleanly.
Lab loaded_reference_lab();

}  // namespace hublab::test
