#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "orchestrator/apply/lab_runtime.h"

namespace hublab::cli {

// Phases of a long command with their durations. On a terminal one live
// line names the phase under way; otherwise each phase prints a plain line
// when it ends (for CI logs). Quiet prints nothing. `check --up` sends it
// to stderr, so that its report alone is on stdout.
class Progress : public Phases {
 public:
  Progress(std::string command, std::string lab, bool quiet, std::ostream& out);

  void begin(const std::string& phase) override;
  void end() override;
  // One line, even on a terminal and when quiet: a wait must not look hung.
  void waiting(const std::string& holder) override;
  // "fabric 15 ms, gateways 120 ms, ..."
  const std::string& summary() const { return summary_; }
  long total_ms() const;

 private:
  using Clock = std::chrono::steady_clock;
  std::string command_, lab_;
  bool quiet_;
  std::ostream& out_;
  bool terminal_;
  std::string phase_;
  Clock::time_point started_, phase_started_;
  std::string summary_;
};

}  // namespace hublab::cli
