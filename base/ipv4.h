#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hublab {

// An IPv4 address as a host-order integer: arithmetic on it is how the planner
// derives Azure's fixed addresses (.1 gateway, .4 first VM, last usable).
struct Ipv4 {
  uint32_t value = 0;

  static std::optional<Ipv4> parse(std::string_view text);
  std::string str() const;
  auto operator<=>(const Ipv4&) const = default;
};

// A prefix such as 10.0.0.0/16. `parse` refuses host bits below the mask, as
// Azure does for address spaces and subnets.
struct Prefix {
  Ipv4 network;
  int length = 0;

  enum class ParseError { kNone, kSyntax, kHostBits };
  static std::optional<Prefix> parse(std::string_view text, ParseError* error = nullptr);

  uint32_t mask() const { return length == 0 ? 0 : ~uint32_t{0} << (32 - length); }
  Ipv4 broadcast() const { return Ipv4{network.value | ~mask()}; }
  uint64_t size() const { return uint64_t{1} << (32 - length); }
  bool contains(Ipv4 address) const { return (address.value & mask()) == network.value; }
  bool contains(const Prefix& other) const {
    return other.length >= length && contains(other.network);
  }
  bool overlaps(const Prefix& other) const { return contains(other) || other.contains(*this); }
  // Azure reserves the network address, .1 (gateway), .2 and .3 (DNS) and the
  // broadcast address of every subnet.
  bool is_azure_reserved(Ipv4 address) const {
    return address.value - network.value < 4 || address == broadcast();
  }
  Ipv4 first_usable() const { return Ipv4{network.value + 4}; }
  Ipv4 last_usable() const { return Ipv4{broadcast().value - 1}; }
  Ipv4 gateway() const { return Ipv4{network.value + 1}; }
  std::string str() const;
  auto operator<=>(const Prefix&) const = default;
};

}  // namespace hublab
