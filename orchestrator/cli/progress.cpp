#include "orchestrator/cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "orchestrator/cli/lab_target.h"

namespace hublab::cli {

Progress::Progress(std::string command, std::string lab, bool quiet, std::ostream& out)
    : command_(std::move(command)),
      lab_(std::move(lab)),
      quiet_(quiet),
      out_(out),
      terminal_(isatty(&out == &std::cout ? STDOUT_FILENO : STDERR_FILENO)),
      started_(Clock::now()),
      phase_started_(started_) {}

void Progress::begin(const std::string& phase) {
  phase_ = phase;
  phase_started_ = Clock::now();
  if (quiet_ || !terminal_) return;
  out_ << "\r\033[K" << command_ << " " << lab_ << ": " << phase << " ..." << std::flush;
}

void Progress::end() {
  long ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - phase_started_).count();
  summary_ += (summary_.empty() ? "" : ", ") + phase_ + " " + std::to_string(ms) + " ms";
  if (quiet_) return;
  if (terminal_) out_ << "\r\033[K";
  char line[64];
  std::snprintf(line, sizeof line, "%-12s %6ld ms", phase_.c_str(), ms);
  out_ << command_ << " " << lab_ << ": " << line << std::endl;
}

void Progress::waiting(const std::string& holder) {
  std::cerr << waiting_line(command_, lab_, holder) << std::endl;
}

long Progress::total_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
}

}  // namespace hublab::cli
