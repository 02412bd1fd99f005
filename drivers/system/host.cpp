#include "drivers/system/host.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "base/unique_fd.h"

namespace hublab {

bool has_capability(int capability) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return data[capability / 32].effective & (1u << (capability % 32));
}

namespace {

// The file system type mounted on /, from /proc/self/mounts.
std::string root_filesystem_type() {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, point, type, rest;
  std::string found;
  while (mounts >> device >> point >> type && std::getline(mounts, rest))
    if (point == "/") found = type;  // the last mount on / is the one seen
  return found;
}

}  // namespace

bool in_container() {
  if (::access("/run/.containerenv", F_OK) == 0 || std::getenv("container") != nullptr) return true;
  // Docker leaves /.dockerenv, but so does a VM whose disk was made from a
  // Docker image: a container's / is also an overlay.
  return ::access("/.dockerenv", F_OK) == 0 && root_filesystem_type() == "overlay";
}

bool is_executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

std::string tun_device_problem() {
  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (fd) return "";
  return std::string("/dev/net/tun: ") + std::strerror(errno);
}

}  // namespace hublab
