#include "drivers/netlink/sysctl.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "base/system_error.h"
#include "base/unique_fd.h"

namespace hublab {

namespace {

struct ProcSys {
  SysctlAccess access;
  UniqueFd dir;  // /proc/sys, writable; lookups through it follow the caller's network namespace
};

// In a thread of its own (unshare(CLONE_FS) is per thread), so the process's
// mount namespace, where lab namespaces are bound under /run/netns, is
// untouched: a private copy of the mount tree in which /proc/sys is remounted
// read-write. The opened directory keeps that mount alive after the thread
// and its mount namespace are gone, as an open file survives `umount -l`.
UniqueFd writable_view(std::string& problem) {
  UniqueFd dir;
  std::thread([&] {
    auto failed = [&](const char* step) {
      problem = std::string(step) + ": " + std::strerror(errno);
    };
    if (::unshare(CLONE_FS | CLONE_NEWNS) != 0) return failed("unshare(CLONE_NEWNS)");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
      return failed("making / a slave");
    struct statvfs fs {};
    if (::statvfs("/proc/sys", &fs) != 0) return failed("statvfs /proc/sys");
    // A remount must keep the flags it may not clear (nosuid, nodev, noexec).
    unsigned long keep = MS_REMOUNT | MS_BIND;
    if (fs.f_flag & ST_NOSUID) keep |= MS_NOSUID;
    if (fs.f_flag & ST_NODEV) keep |= MS_NODEV;
    if (fs.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
    if (::mount(nullptr, "/proc/sys", nullptr, keep, nullptr) != 0)
      return failed("remounting /proc/sys read-write");
    dir.reset(::open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) failed("opening /proc/sys");
  }).join();
  return dir;
}

ProcSys open_proc_sys() {
  ProcSys proc;
  struct statvfs fs {};
  if (::statvfs("/proc/sys", &fs) != 0) {
    proc.access.problem = std::string("/proc/sys: ") + std::strerror(errno);
    return proc;
  }
  if (!(fs.f_flag & ST_RDONLY)) {
    proc.dir.reset(::open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC));
    proc.access.writable = static_cast<bool>(proc.dir);
    if (!proc.dir) proc.access.problem = std::string("/proc/sys: ") + std::strerror(errno);
    return proc;
  }
  std::string problem;
  proc.dir = writable_view(problem);
  proc.access.writable = static_cast<bool>(proc.dir);
  proc.access.remounted = proc.access.writable;
  if (!proc.dir) proc.access.problem = "/proc/sys is read-only and " + problem;
  return proc;
}

ProcSys& proc_sys() {
  static std::once_flag once;
  static ProcSys proc;
  std::call_once(once, [] { proc = open_proc_sys(); });
  return proc;
}

}  // namespace

const SysctlAccess& sysctl_access() {
  return proc_sys().access;
}

void write_sysctl(const std::string& path, const std::string& value) {
  const ProcSys& proc = proc_sys();
  std::string full = "/proc/sys/" + path;
  if (!proc.dir) throw std::runtime_error("cannot write " + full + ": " + proc.access.problem);
  UniqueFd fd(::openat(proc.dir.get(), path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw system_error("opening " + full);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    throw system_error("writing " + full);
}

}  // namespace hublab
