// Fuzz target: the lab loader and validator on any bytes. A lab file comes
// from users and from `import`; no input may crash them, loop, or throw:
// every problem is a finding.

#include <cstddef>
#include <cstdint>
#include <string>

#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/lab_validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const hublab::LoadedLab loaded = hublab::load_lab_text(text, "fuzz.toml");
  // As `validate` does: the semantic checks run on whatever could be read.
  if (loaded.readable) (void)hublab::validate_lab(loaded.lab);
  return 0;
}
