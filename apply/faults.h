#pragma once

// Faults for training, acting on the real lab: a tunnel held down is its IKE
// SA deleted through charon (vici `terminate`); BGP then withdraws its routes
// by itself, within the hold time. Up initiates it again. Each fault is
// recorded in the lab state, so that status shows it and the model predicts
// the faulted lab.

#include <string>

#include "apply/lab_state.h"
#include "lab/lab.h"

namespace hublab {

// Throws naming the connection when it is not the lab's or charon refuses.
void set_tunnel(LabState& state, const Lab& lab, const std::string& connection, bool up);

}  // namespace hublab
