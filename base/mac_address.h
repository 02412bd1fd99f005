#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

namespace hublab {

// An Ethernet address. The planner gives every interface of a lab one of
// its own, so that neighbors can be written down rather than learned.
struct MacAddress {
  std::array<uint8_t, 6> bytes{};

  // A locally administered unicast address (02:...) numbered `n`.
  static MacAddress local(uint32_t n) {
    return {{0x02, 0x00, static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
             static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)}};
  }
  std::string str() const {
    char text[18];
    std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                  bytes[3], bytes[4], bytes[5]);
    return text;
  }
  auto operator<=>(const MacAddress&) const = default;
};

}  // namespace hublab
