#pragma once

// A hublab command run in the background, its output (stdout and stderr as
// one stream) watched as it comes, so that a test can act at a chosen moment
// of the command's life: kill it, or start another command beside it.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "tests/support/command.h"

namespace hublab::test {

class WatchedCommand {
 public:
  // Runs the hublab binary with `args`; its SIGINT is the default one.
  explicit WatchedCommand(const std::vector<std::string>& args);
  // Killed and reaped if it still runs.
  ~WatchedCommand();
  WatchedCommand(const WatchedCommand&) = delete;
  WatchedCommand& operator=(const WatchedCommand&) = delete;

  // Reads until its output holds `text`; false if it ended or `timeout`
  // passed first.
  bool wait_for_output(const std::string& text,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60));
  void kill(int signal);
  // Waits for it to end: its exit code (128 + signal when killed) and all
  // it printed, in `out` (`err` stays empty: the streams are one).
  CommandResult finish();
  pid_t pid() const { return pid_; }

 private:
  // Appends what is there to read; false at the end of its output.
  bool read_available(int timeout_ms);

  pid_t pid_ = -1;
  int output_fd_ = -1;
  int exit_code_ = -1;
  std::string output_;
};

// Polls `ready` every millisecond until it holds; false after `timeout`.
bool wait_until(const std::function<bool()>& ready,
                std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The lines of a file (none when it is not there).
std::vector<std::string> file_lines(const std::string& path);

// The daemons a lab's state records, as "KIND NODE PID" per line.
struct RecordedDaemon {
  std::string kind;
  std::string node;
  pid_t pid = 0;
};
std::vector<RecordedDaemon> recorded_daemons(const std::string& lab);
// A process that is gone, or a zombie (an orphaned daemon this test binary
// reaps later, as their subreaper).
bool process_gone(pid_t pid);
// The processes that run in the lab's state directory or write their output
// there (charon, BIRD, FRR), as "PID EXECUTABLE" lines.
std::string processes_of(const std::string& lab);

// True while some process holds the lab's lock: a command works on it.
bool lab_locked(const std::string& lab);
size_t line_count(const std::string& text);

}  // namespace hublab::test
