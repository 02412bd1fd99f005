#include "tests/support/inline_lab.h"

#include <catch2/catch.hpp>

#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/lab_validator.h"

namespace hublab::test {

Lab inline_lab(const std::string& toml) {
  LoadedLab loaded = load_lab_text(toml, "inline.toml");
  for (const Diagnostic& finding : loaded.diagnostics) INFO(finding.str());
  REQUIRE(loaded.readable);
  REQUIRE(loaded.diagnostics.empty());
  std::vector<Diagnostic> findings = validate_lab(loaded.lab);
  for (const Diagnostic& finding : findings) UNSCOPED_INFO(finding.str());
  REQUIRE(findings.empty());
  return loaded.lab;
}

}  // namespace hublab::test
