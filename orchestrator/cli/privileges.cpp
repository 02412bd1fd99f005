#include "orchestrator/cli/privileges.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <iostream>

namespace hublab::cli {

namespace {

bool has_capability(int capability) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return data[capability / 32].effective & (1u << (capability % 32));
}

}  // namespace

bool require_network_admin(const char* command) {
  if (has_capability(CAP_SYS_ADMIN) && has_capability(CAP_NET_ADMIN)) return true;
  std::cerr << "hublab " << command
            << ": needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to manage network namespaces; "
               "run it with sudo\n";
  return false;
}

}  // namespace hublab::cli
