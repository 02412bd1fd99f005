#pragma once

// Daemons that outlive the hublab process that started them (charon, BIRD):
// each in a lab node's network namespace, with a private /run, in a session
// of its own. They are known by PID plus start time, which survives in the
// lab's state, so a later `hublab down` stops the right process even after
// the PID was reused.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace hublab {

struct DaemonSpec {
  std::string program;            // absolute path
  std::vector<std::string> args;  // after argv[0]
  std::vector<std::string> env;   // added to the environment, "NAME=value"
  int netns_fd = -1;              // network namespace to run in
  // Bound over /run in a mount namespace of its own, for a daemon whose
  // paths under /run are built in (charon's pid file); "" for none: a mount
  // namespace copies every mount of the host (each lab namespace's among
  // them) and receives every later one, a cost that grows with the labs up.
  std::string run_dir;
  std::string work_dir;     // its working directory; "" for /
  std::string output_path;  // receives stdout and stderr (mode 0600)
  // Becomes its stdin, opened by hublab before the daemon drops its
  // privileges (FRR reads its configuration there); "" for /dev/null.
  std::string input_path;
};

struct DaemonId {
  pid_t pid = 0;
  unsigned long long start_time = 0;  // clock ticks after boot, from /proc/PID/stat

  std::string str() const;  // "PID START"
};

// Starts daemons side by side: all are forked and recorded, then all exec.
// `record` gets each id while its child waits, before it execs: a hublab
// killed at any moment leaves no daemon the state does not name. Throws if
// a child could not exec; those that did not are killed, those that did are
// in the record for the caller to stop.
std::vector<DaemonId> start_daemons(const std::vector<DaemonSpec>& specs,
                                    const std::function<void(size_t, const DaemonId&)>& record);

bool daemon_alive(const DaemonId& id);
// A running daemon's resident memory in KiB (VmRSS); 0 when its PID is gone.
long resident_kib(const DaemonId& id);

// SIGTERM, then SIGKILL after `grace`, side by side; returns once they are
// gone, or those still alive. A grace of zero: SIGKILL at once.
std::vector<DaemonId> stop_daemons(const std::vector<DaemonId>& ids,
                                   std::chrono::milliseconds grace);

}  // namespace hublab
