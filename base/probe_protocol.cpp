#include "base/probe_protocol.h"

namespace hublab {

namespace {

constexpr ProbeProtocol kAll[] = {ProbeProtocol::kIcmp, ProbeProtocol::kUdp, ProbeProtocol::kTcp};

}  // namespace

const char* protocol_name(ProbeProtocol protocol) {
  switch (protocol) {
    case ProbeProtocol::kIcmp:
      return "icmp";
    case ProbeProtocol::kUdp:
      return "udp";
    case ProbeProtocol::kTcp:
      return "tcp";
  }
  return "?";
}

std::optional<ProbeProtocol> parse_protocol(std::string_view name) {
  for (ProbeProtocol protocol : kAll)
    if (name == protocol_name(protocol)) return protocol;
  return std::nullopt;
}

std::vector<std::string> protocol_names() {
  std::vector<std::string> names;
  for (ProbeProtocol protocol : kAll) names.emplace_back(protocol_name(protocol));
  return names;
}

}  // namespace hublab
