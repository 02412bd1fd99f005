#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace hublab {

// A failed system call, with what hublab was doing when it failed.
inline std::runtime_error system_error(const std::string& doing, int error = errno) {
  return std::runtime_error(doing + ": " + std::strerror(error));
}

}  // namespace hublab
