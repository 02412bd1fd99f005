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

// A circuit's two edge routers: link 0 is the primary, 1 the secondary.
inline constexpr int kPrimaryLink = 0;
inline constexpr int kSecondaryLink = 1;
const char* link_name(int link);  // "primary", "secondary"

// Each connection of a gateway to a circuit joins the gateway to both edge
// routers over a link of its own, numbered from 169.254.224.0/20 (one /31
// per link; connection i's primary is 4i, its secondary 4i + 2; `end` 0
// the gateway's address, 1 the edge router's). The model shows the edge's
// as the next hop IP of what the circuit brings, so it is the lab's to say.
Ipv4 edge_link_address(size_t circuit_connection_index, int link, int end);
inline constexpr size_t kMaxCircuitConnections = 1024;
// A site's connection is its router's link to each edge router: the
// circuit's own /30s, the first usable the customer edge's (end 0), the
// second Microsoft's (end 1). Either kind of connection, by index.
Ipv4 circuit_connection_address(const Lab& lab, size_t circuit_connection_index, int link, int end);
// The VPN connection ends' links sit below, from 169.254.128.0, four
// addresses each (plan/addressing): this many fit under 169.254.224.0.
inline constexpr size_t kMaxVpnConnectionsBesideCircuits = (224 - 128) * 256 / 4;

void read_circuit(Fields& f, const std::string& name, Lab& lab);
void read_circuit_connection(Fields& f, const std::string& name, Lab& lab);
void validate_expressroute(const Lab& lab, Findings& findings);

// Each connection's authorization key against its circuit's authorizations,
// read from where the lab says (files, the environment): `up` calls it
// before anything is made. Throws with the field to blame, never a key.
void redeem_authorizations(const Lab& lab);

}  // namespace hublab
