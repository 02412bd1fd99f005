#pragma once

// A VXLAN overlay between two VMs in the lab file ([[vxlan]]: a VNI and
// each end's overlay address), read and checked: the encapsulation MS
// Learn's multi-region Route Server design puts between the hubs' NVAs
// (docs/azure-rules.md, RS12), and the only way hublab lets two NVAs
// speak BGP to each other.

#include "orchestrator/lab/findings.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/lab_fields.h"

namespace hublab {

void read_vxlans(Fields& top, Lab& lab);
void validate_vxlans(const Lab& lab, Findings& findings);

// The overlay and its far end a VM's BGP peer sits on: the [[vxlan]] that
// has `vm` at one end and `peer_ip` at the other, or null.
struct OverlayPeer {
  const Vxlan* vxlan = nullptr;
  const VxlanEnd* near = nullptr;
  const VxlanEnd* far = nullptr;
};
OverlayPeer overlay_peer(const Lab& lab, const std::string& vm, Ipv4 peer_ip);

}  // namespace hublab
