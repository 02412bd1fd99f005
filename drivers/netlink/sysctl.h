#pragma once

#include <string>

namespace hublab {

// Writes /proc/sys/<path>. Network settings apply to the network namespace
// the calling thread is in. Where /proc/sys is mounted read-only (Docker's
// default for a container), the write goes through a writable view of it,
// made once in a private mount namespace, so no --security-opt is needed.
void write_sysctl(const std::string& path, const std::string& value);

// How writes to /proc/sys reach the kernel: directly, through the writable
// view, or not at all (then `problem` says why). Made on first use.
struct SysctlAccess {
  bool writable = false;
  bool remounted = false;  // /proc/sys is read-only here; hublab writes through its own view
  std::string problem;
};
const SysctlAccess& sysctl_access();

}  // namespace hublab
