#pragma once

#include "orchestrator/lab/lab.h"

namespace hublab::cli {

// Throws a CliError (exit 1) unless the process may create namespaces and
// configure their networks (CAP_SYS_ADMIN and CAP_NET_ADMIN); its one line
// names the fix (sudo, or the docker run option inside a container).
void require_network_admin();

// Everything `up` needs of the host for this lab (privileges, devices,
// /proc/sys, the kernel, charon and its plugins, BIRD), checked before
// anything is made. Prints one line per missing piece, with its fix.
bool require_host_ready(const char* command, const Lab& lab);

}  // namespace hublab::cli
