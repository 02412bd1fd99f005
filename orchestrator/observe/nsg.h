#pragma once

// IP flow verify on a running lab, from a real packet: the one the question
// names is made and sent where Azure's NIC would meet it (out of the VM, or
// out of its subnet's bridge towards it), and the kernel's trace follows it
// through the port filters `up` installed. The rule that decided is named
// from the plan's own lists, never from the Azure model, which answers the
// same question apart (model/nsg).

#include <optional>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "base/probe_protocol.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab {

// The question: a packet at the VM's NIC, as Network Watcher asks it.
struct NicQuestion {
  ProbeProtocol protocol = ProbeProtocol::kTcp;
  bool inbound = true;
  Ipv4 local, remote;  // the VM's address, the other end's
  int local_port = 0, remote_port = 0;
};

struct LiveNsgDecision {
  std::string nsg;
  std::string association;             // "subnet spoke10/default", "NIC of vm-spoke10"
  const SecurityRule* rule = nullptr;  // the lab's
  bool allow = true;                   // what the kernel did
};

struct LiveNsgVerdict {
  bool allowed = true;
  bool established = false;                // passed as a flow already accepted, without rules
  std::vector<LiveNsgDecision> decisions;  // each NSG's deciding rule in turn
};

// Throws when the packet never came to the VM's port (the lab is not
// whole). Enters the lab's namespaces on the calling thread, and leaves them.
LiveNsgVerdict verify_live(const LabState& state, const Lab& lab, const Vm& vm,
                           const NicQuestion& question);

}  // namespace hublab
