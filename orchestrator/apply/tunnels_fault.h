#pragma once

// The tunnel fault, beside apply/tunnels: a connection's IKE SA deleted
// through charon (vici `terminate`) and held down; BGP withdraws its routes
// by itself within the hold time. Up initiates it again.

#include <string>

#include "drivers/vici/vici_client.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// Throws std::invalid_argument naming a connection that is not the lab's,
// std::runtime_error when charon refuses.
void set_tunnel(LabState& state, const Lab& lab, const std::string& connection, bool up);

// The charon of a connection end (naming::tunnel_end), over vici.
vici::Client charon_of(LabState& state, const std::string& end);
// Deletes the connection's IKE SA through one of its ends' charon (which
// tells the other end); "no matching SAs" is down already.
void end_tunnel(vici::Client& charon, const std::string& connection);

}  // namespace hublab
