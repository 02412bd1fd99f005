#pragma once

// VPN gateways in the lab file ([gateway.NAME]), and what a site's VPN
// device shares with them (ASN, BGP peer IP, public IP): read, and checked
// as the VPN gateway FAQ and BGP pages allow (ASNs, the GatewaySubnet, one
// gateway a VNet, public IPs unique on the emulated internet).

#include <string>

#include "orchestrator/lab/findings.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/lab_fields.h"

namespace hublab {

void read_gateway(Fields& f, const std::string& name, Lab& lab);
// What gateways and sites' devices share: asn, bgp_peer_ip, public_ip.
void read_gateway_fields(Fields& f, Gateway& gateway);
// Gateways and sites' devices (a site's BGP peer IP: in its space or APIPA).
void validate_gateways(const Lab& lab, Findings& findings);

}  // namespace hublab
