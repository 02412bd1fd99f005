#include "base/whole_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace hublab {

namespace {

int write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace

int write_whole(const std::string& path, const std::string& text, const WholeFile& how) {
  // The PID keeps two writers apart.
  const std::string beside = path + ".new-" + std::to_string(::getpid());
  UniqueFd fd(::open(beside.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, how.mode));
  if (!fd) return errno;
  int error = how.exact_mode && ::fchmod(fd.get(), how.mode) != 0 ? errno : 0;
  if (!error) error = write_all(fd.get(), text);
  if (::close(fd.release()) != 0 && !error) error = errno;
  // Not replacing, the file is linked in (link fails on an existing name),
  // then its temporary name removed.
  if (!error && (how.replace ? ::rename(beside.c_str(), path.c_str())
                             : ::link(beside.c_str(), path.c_str())) != 0)
    error = errno;
  if (error || !how.replace) ::unlink(beside.c_str());
  return error;
}

}  // namespace hublab
