#pragma once

// What every validator of the lab shares (lab_validator and each feature's
// checks: gateways, connections, route_tables, ...): the findings, each
// naming the file, line and field.

#include <cctype>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/source_location.h"

namespace hublab {

class Findings {
 public:
  explicit Findings(const Lab& lab) : lab_(lab) {}
  void error(SourceLocation at, const std::string& message) {
    found_.push_back({lab_.file, at, message});
  }
  std::vector<Diagnostic> take() { return std::move(found_); }

 private:
  const Lab& lab_;
  std::vector<Diagnostic> found_;
};

// Letters, digits, '-' and '_', starting with a letter or digit: what a
// namespace, a BIRD protocol and a line of the lab state can each hold.
inline bool is_node_name(const std::string& name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

// "10.0.0.0/16, 10.1.0.0/16", for messages.
inline std::string address_spaces_text(const Vnet& vnet) {
  std::string text;
  for (const Prefix& p : vnet.address_space) text += (text.empty() ? "" : ", ") + p.str();
  return text;
}

}  // namespace hublab
