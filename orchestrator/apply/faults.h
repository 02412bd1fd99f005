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
//  - bgp reset: every BGP session of a gateway closed and opened again (an
//    event, not a state: nothing is recorded).

#include <chrono>
#include <optional>
#include <string>

#include "orchestrator/state/lab_state.h"
#include "orchestrator/lab/lab.h"

namespace hublab {

// Each throws std::invalid_argument naming what is not the lab's, and
// std::runtime_error when a daemon refuses.
void set_tunnel(LabState& state, const Lab& lab, const std::string& connection, bool up);
void set_peering(LabState& state, const Lab& lab, const std::string& vnet_a,
                 const std::string& vnet_b, bool up);
// The whole gateway (every instance), or one instance of it.
void set_gateway(LabState& state, const Lab& lab, const std::string& gateway,
                 std::optional<int> instance, bool up);
// Returns once every BGP session of the gateway is Established again, with
// how long that took; throws after `timeout`.
std::chrono::milliseconds reset_bgp(LabState& state, const Lab& lab, const std::string& gateway,
                                    std::chrono::milliseconds timeout);

}  // namespace hublab
