#include "orchestrator/cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace hublab::cli {

Progress::Progress(std::string command, std::string lab, bool quiet)
    : command_(std::move(command)),
      lab_(std::move(lab)),
      quiet_(quiet),
      terminal_(isatty(STDOUT_FILENO)),
      started_(Clock::now()),
      phase_started_(started_) {}

void Progress::begin(const std::string& phase) {
  phase_ = phase;
  phase_started_ = Clock::now();
  if (quiet_ || !terminal_) return;
  std::printf("\r\033[K%s %s: %s ...", command_.c_str(), lab_.c_str(), phase.c_str());
  std::fflush(stdout);
}

void Progress::end() {
  long ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - phase_started_).count();
  summary_ += (summary_.empty() ? "" : ", ") + phase_ + " " + std::to_string(ms) + " ms";
  if (quiet_) return;
  if (terminal_) std::printf("\r\033[K");
  std::printf("%s %s: %-12s %6ld ms\n", command_.c_str(), lab_.c_str(), phase_.c_str(), ms);
  std::fflush(stdout);
}

long Progress::total_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
}

}  // namespace hublab::cli
