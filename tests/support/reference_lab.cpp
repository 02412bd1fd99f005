#include "tests/support/reference_lab.h"

#include <catch2/catch.hpp>

#include "orchestrator/lab/lab_loader.h"
#include "tests/support/command.h"

namespace hublab::test {

Lab loaded_reference_lab() {
  LoadedLab loaded = load_lab_file(source_path("labs/multi-hub-internet-vpn.toml"));
  REQUIRE(loaded.diagnostics.empty());
  return loaded.lab;
}

}  // namespace hublab::test
