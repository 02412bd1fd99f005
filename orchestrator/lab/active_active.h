#pragma once

// Active-active gateways, lowered once the lab file is read: the lab stage
// of the feature (plan/bgp gives each instance its sessions; faults stop
// one instance). Only lab.h's `instance_of` and `instance`, set here, tell
// an instance from a gateway.

#include "orchestrator/lab/lab.h"

namespace hublab {

// An active-active gateway's instance 1 is a gateway of its own, and each
// connection of the gateway a tunnel between every pair of instances of
// its two ends ("About active-active gateways": both instances carry
// traffic, each with its own tunnels).
void add_gateway_instances(Lab& lab);

}  // namespace hublab
