#pragma once

// The protocols a reachability probe can use, as the lab file, the CLI, the
// check reports and the probe driver all name them: one enum, one mapping.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hublab {

enum class ProbeProtocol { kIcmp, kUdp, kTcp };

const char* protocol_name(ProbeProtocol protocol);  // "icmp", "udp", "tcp"
std::optional<ProbeProtocol> parse_protocol(std::string_view name);
std::vector<std::string> protocol_names();

}  // namespace hublab
