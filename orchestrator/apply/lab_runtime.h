#pragma once

// A lab's whole life on the host: `bring_up` plans it, claims its name,
// builds the fabric, starts every daemon, establishes the tunnels and waits
// for BGP to converge; on any failure or interruption it removes all it made
// before it throws. `bring_down` removes a lab, also after a crashed `up`.
// The CLI only parses, calls these and prints.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "orchestrator/lab/lab.h"

namespace hublab {

// Told when each phase of up or down begins and ends ("fabric", "gateways",
// "tunnels", "convergence"; "daemons", "namespaces"), for progress output.
class Phases {
 public:
  virtual ~Phases() = default;
  virtual void begin(const std::string& phase) = 0;
  virtual void end() = 0;
  // Before any phase: another command holds the lab ("hublab check ref
  // (pid 4242)"), and this one waits for it.
  virtual void waiting(const std::string& holder) = 0;
};

// The lab file cannot become a running lab (a key cannot be read): nothing
// was made.
class LabInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The host is in the way (a namespace of that name is someone else's, the
// lab is up already): nothing was made.
class LabRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `up` failed after it began to build; what it made is removed, unless
// `cleanup_error` says why not (then `hublab down` is the way out).
class UpFailed : public std::runtime_error {
 public:
  UpFailed(const std::string& what, std::string cleanup_error)
      : std::runtime_error(what), cleanup_error(std::move(cleanup_error)) {}
  std::string cleanup_error;
};

struct UpSummary {
  size_t tunnels = 0;
  // Settings the kernel could not apply, one line each: the lab runs without.
  std::vector<std::string> notes;
};

// `lab` must have passed validation; `source_path` and `text` are the lab
// file as read, kept in the lab's state.
UpSummary bring_up(const Lab& lab, const std::string& source_path, const std::string& text,
                   Phases& phases, const std::function<bool()>& interrupted);

// Removes every daemon and namespace of the lab, once no other command holds
// it. Nothing when it is not up (down is idempotent), else how many
// namespaces were removed.
std::optional<int> bring_down(const std::string& lab_name, Phases& phases);

}  // namespace hublab
