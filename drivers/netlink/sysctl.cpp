#include "drivers/netlink/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include "drivers/system/system_error.h"
#include "drivers/system/unique_fd.h"

namespace hublab {

void write_sysctl(const std::string& path, const std::string& value) {
  std::string full = "/proc/sys/" + path;
  UniqueFd fd(::open(full.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw system_error("opening " + full);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    throw system_error("writing " + full);
}

std::string read_sysctl(const std::string& path) {
  std::string full = "/proc/sys/" + path;
  UniqueFd fd(::open(full.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw system_error("opening " + full);
  char buffer[256];
  ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
  if (n < 0) throw system_error("reading " + full);
  std::string value(buffer, static_cast<size_t>(n));
  while (!value.empty() && value.back() == '\n') value.pop_back();
  return value;
}

}  // namespace hublab
