#pragma once

namespace hublab::cli {

// True when the process may create namespaces and configure their networks
// (CAP_SYS_ADMIN and CAP_NET_ADMIN). Otherwise prints one line saying so.
bool require_network_admin(const char* command);

}  // namespace hublab::cli
