#pragma once

// ExpressRoute in the lab file: circuits ([circuit.NAME]: private peering's
// two /30 links, VLAN, the customer edge's ASN, bandwidth, an edge latency)
// and the connections of ExpressRoute gateways to them ([connection.NAME]
// with `gateway` and `circuit`). Read, and checked as MS Learn's
// ExpressRoute pages allow (docs/azure-rules.md, ExpressRoute). The
// gateway's `type` is read with the gateway (lab/gateways).

#include <string>

#include "orchestrator/lab/findings.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/lab_fields.h"

namespace hublab {

// Microsoft's edge routers' ASN, and every Azure gateway's.
inline constexpr uint32_t kMicrosoftEdgeAsn = 12076;
inline constexpr uint32_t kAzureGatewayAsn = 65515;

void read_circuit(Fields& f, const std::string& name, Lab& lab);
void read_circuit_connection(Fields& f, const std::string& name, Lab& lab);
void validate_expressroute(const Lab& lab, Findings& findings);

}  // namespace hublab
