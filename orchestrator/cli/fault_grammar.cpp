#include "orchestrator/cli/fault_grammar.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace hublab::cli {

namespace {

bool is_placeholder(const std::string& word) {
  return std::all_of(word.begin(), word.end(), [](char c) { return std::isupper(c) || c == '_'; });
}

std::vector<std::string> choices_of(const std::string& word) {
  std::vector<std::string> choices;
  std::istringstream parts(word);
  for (std::string choice; std::getline(parts, choice, '|');) choices.push_back(choice);
  return choices;
}

}  // namespace

const std::vector<FaultForm>& fault_forms() {
  static const std::vector<FaultForm> forms = {
      {FaultAction::kList, {"list"}, "the faults set, one a line"},
      {FaultAction::kClear, {"clear"}, "every fault cleared (gateways first)"},
      {FaultAction::kTunnel,
       {"tunnel", "CONNECTION", "down|up"},
       "the connection's IKE SA deleted and held down"},
      {FaultAction::kPeering, {"peering", "VNET", "VNET", "down|up"}, "the peering disconnected"},
      {FaultAction::kGateway, {"gateway", "GATEWAY", "down|up"}, "the gateway's daemons stopped"},
      {FaultAction::kGatewayInstance,
       {"gateway", "GATEWAY", "instance", "0|1", "down|up"},
       "one instance of an active-active gateway stopped"},
      {FaultAction::kCircuit,
       {"circuit", "CIRCUIT", "down|up"},
       "both of the ExpressRoute circuit's links down"},
      {FaultAction::kCircuitLink,
       {"circuit", "CIRCUIT", "link", "primary|secondary", "down|up"},
       "one of its links down: its edge router's routes withdrawn"},
      {FaultAction::kNva,
       {"nva", "VM", "down|up"},
       "the NVA's FRRouting stopped: its routes withdrawn"},
      {FaultAction::kRouteServerInstance,
       {"route-server", "ROUTE_SERVER", "instance", "0|1", "down|up"},
       "one instance of the Route Server stopped"},
      {FaultAction::kBgpReset,
       {"bgp", "GATEWAY", "reset"},
       "every BGP session of the gateway closed and Established again"},
  };
  return forms;
}

std::optional<FaultRequest> parse_fault(const std::vector<std::string>& words) {
  for (const FaultForm& form : fault_forms()) {
    if (form.words.size() != words.size()) continue;
    FaultRequest request{form.action, {}, false};
    bool matches = true;
    for (size_t i = 0; i < words.size() && matches; ++i) {
      const std::string& declared = form.words[i];
      if (is_placeholder(declared)) {
        request.values.push_back(words[i]);
      } else if (declared.find('|') != std::string::npos) {
        const auto choices = choices_of(declared);
        matches = std::find(choices.begin(), choices.end(), words[i]) != choices.end();
        if (i + 1 == words.size())
          request.up = words[i] == "up";
        else
          request.values.push_back(words[i]);
      } else {
        matches = declared == words[i];
      }
    }
    if (matches) return request;
  }
  return std::nullopt;
}

std::optional<Fault> requested_fault(const FaultRequest& request) {
  const std::vector<std::string>& v = request.values;
  switch (request.action) {
    case FaultAction::kTunnel:
      return tunnel_fault(v[0]);
    case FaultAction::kPeering:
      return Fault{.kind = Fault::Kind::kPeering, .name = v[0], .other = v[1]};
    case FaultAction::kGateway:
      return gateway_fault(v[0]);
    case FaultAction::kGatewayInstance:
      return instance_fault(v[0], std::stoi(v[1]));
    case FaultAction::kCircuit:
      return circuit_fault(v[0]);
    case FaultAction::kCircuitLink:
      return circuit_link_fault(v[0], v[1] == "primary" ? 0 : 1);
    case FaultAction::kNva:
      return nva_fault(v[0]);
    case FaultAction::kRouteServerInstance:
      return route_server_instance_fault(v[0], std::stoi(v[1]));
    case FaultAction::kList:
    case FaultAction::kClear:
    case FaultAction::kBgpReset:
      break;
  }
  return std::nullopt;
}

namespace {

std::string spaced(const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& word : words) line += (line.empty() ? "" : " ") + word;
  return line;
}

std::string text_of(const FaultForm& form) {
  return spaced(form.words);
}

}  // namespace

std::string fault_mismatch(const std::vector<std::string>& words) {
  // `words` holds ACTION at least: the command's spec requires it.
  std::string forms;
  std::vector<std::string> actions;
  for (const FaultForm& form : fault_forms()) {
    if (form.words.front() == words.front()) forms += (forms.empty() ? "" : " or ") + text_of(form);
    if (std::find(actions.begin(), actions.end(), form.words.front()) == actions.end())
      actions.push_back(form.words.front());
  }
  if (!forms.empty()) return "'" + spaced(words) + "' is no fault: " + forms;
  std::string listed;
  for (const std::string& action : actions) listed += (listed.empty() ? "" : ", ") + action;
  return "'" + words.front() + "' is no fault ACTION: one of " + listed;
}

std::string fault_usage() {
  size_t width = 0;
  for (const FaultForm& form : fault_forms()) width = std::max(width, text_of(form).size());
  std::string text;
  for (const FaultForm& form : fault_forms()) {
    const std::string line = text_of(form);
    text += line + std::string(width - line.size() + 2, ' ') + form.help + "\n";
  }
  return text;
}

std::vector<std::vector<std::string>> fault_completion_words() {
  std::vector<std::set<std::string>> at;
  for (const FaultForm& form : fault_forms())
    for (size_t i = 0; i < form.words.size(); ++i) {
      if (at.size() <= i) at.resize(i + 1);
      if (is_placeholder(form.words[i])) continue;
      for (const std::string& choice : choices_of(form.words[i])) at[i].insert(choice);
    }
  std::vector<std::vector<std::string>> words;
  for (const auto& choices : at) words.emplace_back(choices.begin(), choices.end());
  return words;
}

}  // namespace hublab::cli
