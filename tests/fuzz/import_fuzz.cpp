// Fuzz target: `hublab import` on any JSON document: az's lists, the REST
// API's, ARM templates. Bad input is an ImportError; anything else a
// finding.

#include <cstddef>
#include <cstdint>
#include <string>

#include "orchestrator/import/azure_resources.h"
#include "orchestrator/import/lab_from_azure.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hublab;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    AzureInventory inventory;
    inventory.add_document(text, "fuzz.json");
    (void)lab_from_azure(inventory, {"fuzz.json"});
  } catch (const ImportError&) {
  }
  return 0;
}
