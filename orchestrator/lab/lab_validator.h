#pragma once

#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/source_location.h"

namespace hublab {

// Semantic checks of a lab: names, references, addressing and Azure's own
// rules for peerings and gateways. Everything here runs before the host is
// touched; a lab with no findings can be planned without further checks.
std::vector<Diagnostic> validate_lab(const Lab& lab);

}  // namespace hublab
