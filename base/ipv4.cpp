#include "base/ipv4.h"

#include <charconv>

namespace hublab {

namespace {

std::optional<unsigned> parse_decimal(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
  uint32_t value = 0;
  for (int octet = 0; octet < 4; ++octet) {
    size_t dot = octet < 3 ? text.find('.') : text.size();
    if (dot == std::string_view::npos) return std::nullopt;
    auto part = parse_decimal(text.substr(0, dot), 255);
    if (!part) return std::nullopt;
    value = value << 8 | *part;
    text.remove_prefix(octet < 3 ? dot + 1 : dot);
  }
  return Ipv4{value};
}

std::string Ipv4::str() const {
  return std::to_string(value >> 24) + "." + std::to_string(value >> 16 & 255) + "." +
         std::to_string(value >> 8 & 255) + "." + std::to_string(value & 255);
}

std::optional<Prefix> Prefix::parse(std::string_view text, ParseError* error) {
  auto fail = [&](ParseError kind) -> std::optional<Prefix> {
    if (error) *error = kind;
    return std::nullopt;
  };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return fail(ParseError::kSyntax);
  auto address = Ipv4::parse(text.substr(0, slash));
  auto length = parse_decimal(text.substr(slash + 1), 32);
  if (!address || !length) return fail(ParseError::kSyntax);
  Prefix prefix{*address, static_cast<int>(*length)};
  if ((address->value & prefix.mask()) != address->value) return fail(ParseError::kHostBits);
  if (error) *error = ParseError::kNone;
  return prefix;
}

std::string Prefix::str() const {
  return network.str() + "/" + std::to_string(length);
}

}  // namespace hublab
