#pragma once

// The one way a command turns its NAME or FILE argument into a lab: a file
// (an existing regular file) is a lab file, anything else a lab name. A
// command that can work from a file alone (graph, predict, explain, routes
// --model) reads a FILE alone, never the state of a running lab of the same
// name: that one is asked for by NAME. Each
// command states what it needs; a lab that is not there as needed is a
// CliError (exit 2) naming the lab and what to do.

#include <optional>
#include <string>

#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab::cli {

enum class LabNeed {
  kName,     // only the name (down: also a lab that is half up, or not up)
  kAny,      // a lab file (read alone), or a lab that is up by name (graph)
  kPresent,  // a lab with state: up, or half made by an up that failed (status, exec, logs)
  kReady,    // a lab fully up (check, routes, ping, trace)
};

struct LabTarget {
  std::string name;
  std::optional<LabState> state;  // when the lab has state (read without its lock)
  std::optional<Lab> lab;         // the running lab's, or the file's; not for kName
  std::string how;  // what `hublab up` needs to bring it up: the FILE given, or "FILE"
};

LabTarget resolve_lab(const std::string& name_or_file, LabNeed need);

// The lab as the Azure model should see it: under the faults set on it when
// it is running (`hublab fault`), as written otherwise.
Lab model_view(const LabTarget& target);

// "hublab fault: waiting for lab 'ref': hublab check ref (pid 4242) holds it"
std::string waiting_line(const std::string& command, const std::string& lab,
                         const std::string& holder);

// Takes the lab's lock for `command` (one line on stderr if it must wait)
// and reads the lab again under it: what it was may have changed meanwhile.
// A lab that is no longer up as `need` says is a CliError, as in resolve_lab.
LabTarget hold_lab(const std::string& command, const LabTarget& target, LabState::Access access,
                   LabNeed need);

}  // namespace hublab::cli
