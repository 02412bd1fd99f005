#pragma once

#include "orchestrator/lab.h"

namespace hublab::cli {

// True when the process may create namespaces and configure their networks
// (CAP_SYS_ADMIN and CAP_NET_ADMIN). Otherwise prints one line saying so,
// with the fix (sudo, or the docker run option inside a container).
bool require_network_admin(const char* command);

// Everything `up` needs of the host for this lab (privileges, devices,
// /proc/sys, the kernel, charon and its plugins, BIRD), checked before
// anything is made. Prints one line per missing piece, with its fix.
bool require_host_ready(const char* command, const Lab& lab);

}  // namespace hublab::cli
