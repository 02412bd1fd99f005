#pragma once

// Bytes as lowercase hex and back: generated keys, and keys kept in a
// running lab's state (any byte a key file holds survives its line format).

#include <string>

namespace hublab {

inline std::string to_hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string text;
  for (unsigned char b : bytes) text += {digits[b >> 4], digits[b & 15]};
  return text;
}

// The bytes of what to_hex wrote (lowercase digits, an even count).
inline std::string from_hex(const std::string& text) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string bytes;
  for (size_t i = 0; i + 1 < text.size(); i += 2)
    bytes += static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1]));
  return bytes;
}

}  // namespace hublab
