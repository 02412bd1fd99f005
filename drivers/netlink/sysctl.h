#pragma once

#include <string>

namespace hublab {

// Writes /proc/sys/<path>. Network settings apply to the network namespace
// the calling thread is in.
void write_sysctl(const std::string& path, const std::string& value);
std::string read_sysctl(const std::string& path);

}  // namespace hublab
