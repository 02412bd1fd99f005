#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdio>
#include <sstream>

#include "base/regular_file.h"
#include "base/system_error.h"
#include "base/unique_fd.h"

namespace hublab {

namespace {

int flock_operation(LockMode mode) {
  return mode == LockMode::kShared ? LOCK_SH : LOCK_EX;
}

// A small /proc file whole, or "" (it went away, or cannot be read).
std::string read_proc(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return "";
  return read_to_end(fd.get(), 1 << 20).value_or("");
}

}  // namespace

bool try_lock_file(int fd, LockMode mode) {
  if (flock(fd, flock_operation(mode) | LOCK_NB) == 0) return true;
  if (errno == EWOULDBLOCK) return false;
  throw system_error("locking");
}

void lock_file(int fd, LockMode mode) {
  while (flock(fd, flock_operation(mode)) != 0)
    if (errno != EINTR) throw system_error("locking");
}

std::vector<pid_t> lock_holders(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return {};
  // "1: FLOCK  ADVISORY  WRITE 4242 00:19:1234 0 EOF"; a waiter's line has
  // "->" after the number. The device is major:minor in hex.
  char wanted[64];
  std::snprintf(wanted, sizeof wanted, "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
                static_cast<unsigned long>(st.st_ino));
  std::vector<pid_t> holders;
  std::istringstream lines(read_proc("/proc/locks"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string number, kind, advisory, access, pid, file;
    if (!(words >> number >> kind) || kind == "->") continue;
    if (!(words >> advisory >> access >> pid >> file) || file != wanted) continue;
    try {
      holders.push_back(static_cast<pid_t>(std::stol(pid)));
    } catch (const std::exception&) {
      // Not a number (-1 for an open file description lock): no holder to name.
    }
  }
  return holders;
}

std::string describe_process(pid_t pid) {
  const std::string pid_text = "pid " + std::to_string(pid);
  std::string cmdline = pid > 0 ? read_proc("/proc/" + std::to_string(pid) + "/cmdline") : "";
  if (cmdline.empty()) return pid_text;
  std::string words;
  for (size_t start = 0; start < cmdline.size();) {
    size_t end = cmdline.find('\0', start);
    if (end == std::string::npos) end = cmdline.size();
    std::string word = cmdline.substr(start, end - start);
    if (words.empty()) word = word.substr(word.rfind('/') + 1);  // npos + 1 == 0
    words += (words.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return words + " (" + pid_text + ")";
}

}  // namespace hublab
