#pragma once

#include <string>

namespace hublab::cli {

// "1 VNet", "6 VNets".
inline std::string counted(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace hublab::cli
