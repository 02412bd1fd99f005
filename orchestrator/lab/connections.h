#pragma once

// VPN connections in the lab file ([connection.NAME]: two gateways or a
// gateway and a site, BGP or static, shared keys and IPsec policies, per
// side overrides): read, and checked as the VPN gateway FAQ and BGP pages
// allow. Keys are only named here; lab/shared_key reads them at `up`.

#include <string>

#include "orchestrator/lab/findings.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/lab_fields.h"

namespace hublab {

void read_connection(Fields& f, const std::string& name, Lab& lab);
void validate_connections(const Lab& lab, Findings& findings);

}  // namespace hublab
