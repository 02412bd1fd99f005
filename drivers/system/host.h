#pragma once

// Facts about the host hublab runs on, read without changing anything.

#include <string>

namespace hublab {

// True when the process holds `capability` (CAP_*) in its effective set.
bool has_capability(int capability);

// True inside a container (Docker, Podman, or any that sets $container): the
// fix for a missing privilege or device is then an option of `docker run`,
// not a package or sudo.
bool in_container();

// True when `path` is an executable file.
bool is_executable(const std::string& path);

// Empty when /dev/net/tun opens for reading and writing (charon's
// kernel-libipsec makes its TUN device through it), else why not.
std::string tun_device_problem();

}  // namespace hublab
