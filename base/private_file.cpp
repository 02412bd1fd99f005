#include "base/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/system_error.h"
#include "base/unique_fd.h"

namespace hublab {

void write_private_file(const std::string& path, const std::string& text, mode_t mode) {
  // Written beside it, then renamed over it: a hublab killed half-way, or a
  // reader at the same moment (status during a fault), sees the old file or
  // the new one, never a truncated one. The PID keeps two writers apart.
  const std::string written = path + ".new-" + std::to_string(::getpid());
  UniqueFd fd(::open(written.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  bool ok = fd && ::fchmod(fd.get(), mode) == 0 &&
            ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int error = errno;
  fd.reset();
  if (ok && ::rename(written.c_str(), path.c_str()) == 0) return;
  const int failed = ok ? errno : error;
  ::unlink(written.c_str());
  throw system_error("writing " + path, failed);
}

std::string read_private_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace hublab
