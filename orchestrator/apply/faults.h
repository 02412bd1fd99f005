#pragma once

// Faults for training, acting on the real lab. Each is recorded in the lab
// state, so that status shows it and the model predicts the faulted lab.
//  - tunnel: the connection's IKE SA deleted through charon (vici
//    `terminate`) and held down; BGP withdraws its routes by itself within
//    the hold time. Up initiates it again.
//  - peering: its link down at both ends (the kernel drops every route
//    through it) and each BIRD told what Azure's control plane then does (a
//    gateway stops advertising a disconnected spoke; its hub stops
//    reflecting to it). Up restores the link, its routes and the configs.
//  - gateway (or one instance of an active-active one): its BIRD stopped,
//    its IKE SAs deleted, its charons stopped. Up starts them again and
//    brings back every tunnel no other fault holds.
//  - circuit (or one of its links): the edge links down at both ends; the
//    edge routers' BGP sessions over them close, so the gateways route over
//    the other edge, or not over the circuit. Up brings the links back.
//  - nva: the NVA's FRRouting stopped (bgpd's Cease withdraws its routes
//    from the Route Server at once); up starts it again on its configuration.
//  - route-server instance: that instance's BIRD stopped; up starts it again.
//  - bgp reset: every BGP session of a gateway closed and opened again (an
//    event, not a state: nothing is recorded).

// Each fault lives beside the feature it acts on: apply/tunnels_fault,
// apply/peering_fault, apply/gateway_fault, apply/bgp_fault,
// apply/expressroute_fault, apply/route_server_fault; what they share
// (the faults recorded in the lab state) is apply/fault_record.

#include "orchestrator/apply/bgp_fault.h"
#include "orchestrator/apply/expressroute_fault.h"
#include "orchestrator/apply/gateway_fault.h"
#include "orchestrator/apply/peering_fault.h"
#include "orchestrator/apply/route_server_fault.h"
#include "orchestrator/apply/tunnels_fault.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// Sets (`up` false) or clears the fault, through the feature it acts on.
// Throws std::invalid_argument when the lab has no such element.
void set_fault(LabState& state, const Lab& lab, const Fault& fault, bool up);

}  // namespace hublab
