#pragma once

// Case-insensitive names (Azure's enumerations, resource IDs and types):
// ASCII only, as they are.

#include <algorithm>
#include <cctype>
#include <string>

namespace hublab {

inline std::string ascii_lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace hublab
