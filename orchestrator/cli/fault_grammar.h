#pragma once

// `hublab fault`'s forms, declared once: parsing, the usage text and shell
// completion all come from this table, so they cannot drift apart. A form's
// words are literals ("tunnel"), placeholders in capitals that take any
// word ("CONNECTION"), or choices ("down|up").

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/lab/faults.h"

namespace hublab::cli {

enum class FaultAction {
  kList,
  kClear,
  kTunnel,
  kPeering,
  kGateway,
  kGatewayInstance,
  kCircuit,
  kCircuitLink,
  kBgpReset,
  kNva,
  kRouteServerInstance,
};

struct FaultForm {
  FaultAction action;
  std::vector<std::string> words;
  std::string help;
};

const std::vector<FaultForm>& fault_forms();

// What the words after the lab name asked for.
struct FaultRequest {
  FaultAction action;
  std::vector<std::string> values;  // each placeholder's and choice's word, in order
  bool up = false;                  // the form's last word was "up"
};

// The request the words match, or nullopt.
std::optional<FaultRequest> parse_fault(const std::vector<std::string>& words);
// The fault a request sets or clears (tunnel, peering, gateway, instance),
// or nullopt for list, clear and bgp reset. A peering's VNets as given.
std::optional<Fault> requested_fault(const FaultRequest& request);

// Why words parse_fault refused are no fault, in one line: the forms of
// the action they begin with, or the actions there are.
std::string fault_mismatch(const std::vector<std::string>& words);
// "tunnel CONNECTION down|up", one form a line, with its help.
std::string fault_usage();
// The words each position after the lab name may be, for completion
// (placeholders are completed as the lab's nodes).
std::vector<std::vector<std::string>> fault_completion_words();

}  // namespace hublab::cli
