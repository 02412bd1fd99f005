#include "drivers/probe/icmp_packet.h"

#include <cstring>

namespace hublab::probe {

namespace {

constexpr uint8_t kEchoReply = 0;
constexpr uint8_t kDestinationUnreachable = 3;
constexpr uint8_t kEchoRequest = 8;
constexpr uint8_t kTimeExceeded = 11;
constexpr uint8_t kTtlExceededInTransit = 0;  // code 1 is fragment reassembly: not a hop
constexpr uint8_t kProtocolIcmp = 1;
constexpr size_t kIcmpHeaderSize = 8;
constexpr size_t kNonceSize = sizeof(uint64_t);

uint16_t read16(std::span<const uint8_t> bytes, size_t at) {
  return static_cast<uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

uint32_t read32(std::span<const uint8_t> bytes, size_t at) {
  return uint32_t{read16(bytes, at)} << 16 | read16(bytes, at + 2);
}

struct Ipv4Packet {
  uint8_t protocol = 0;
  Ipv4 source;
  Ipv4 destination;
  std::span<const uint8_t> payload;  // what follows the header, as far as we have it
};

// Tolerates a truncated payload: errors quote only the start of a packet.
std::optional<Ipv4Packet> parse_ipv4(std::span<const uint8_t> bytes) {
  if (bytes.size() < 20 || bytes[0] >> 4 != 4) return std::nullopt;
  size_t header_size = size_t{bytes[0] & 0x0fu} * 4;
  if (header_size < 20 || header_size > bytes.size()) return std::nullopt;
  return Ipv4Packet{bytes[9], Ipv4{read32(bytes, 12)}, Ipv4{read32(bytes, 16)},
                    bytes.subspan(header_size)};
}

std::optional<uint64_t> nonce_of(std::span<const uint8_t> icmp) {
  if (icmp.size() < kIcmpHeaderSize + kNonceSize) return std::nullopt;
  uint64_t nonce = 0;
  std::memcpy(&nonce, icmp.data() + kIcmpHeaderSize, kNonceSize);
  return nonce;
}

}  // namespace

uint16_t internet_checksum(std::span<const uint8_t> bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) sum += read16(bytes, i);
  if (bytes.size() % 2) sum += uint32_t{bytes.back()} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

std::vector<uint8_t> echo_request(const EchoIdentity& identity, uint16_t sequence) {
  std::vector<uint8_t> packet(kIcmpHeaderSize + kNonceSize, 0);
  packet[0] = kEchoRequest;
  packet[4] = static_cast<uint8_t>(identity.identifier >> 8);
  packet[5] = static_cast<uint8_t>(identity.identifier);
  packet[6] = static_cast<uint8_t>(sequence >> 8);
  packet[7] = static_cast<uint8_t>(sequence);
  std::memcpy(packet.data() + kIcmpHeaderSize, &identity.nonce, kNonceSize);
  uint16_t checksum = internet_checksum(packet);
  packet[2] = static_cast<uint8_t>(checksum >> 8);
  packet[3] = static_cast<uint8_t>(checksum);
  return packet;
}

std::optional<ParsedEchoAnswer> parse_echo_answer(std::span<const uint8_t> ip_packet) {
  auto outer = parse_ipv4(ip_packet);
  if (!outer || outer->protocol != kProtocolIcmp || outer->payload.size() < kIcmpHeaderSize)
    return std::nullopt;
  std::span<const uint8_t> icmp = outer->payload;
  uint8_t type = icmp[0], code = icmp[1];

  if (type == kEchoReply)
    return ParsedEchoAnswer{{EchoAnswer::Kind::kReply, outer->source, read16(icmp, 6)},
                            read16(icmp, 4),
                            nonce_of(icmp),
                            outer->source};

  EchoAnswer::Kind kind;
  if (type == kTimeExceeded && code == kTtlExceededInTransit)
    kind = EchoAnswer::Kind::kTimeExceeded;
  else if (type == kDestinationUnreachable)
    kind = EchoAnswer::Kind::kUnreachable;
  else
    return std::nullopt;
  // An error quotes the IP header and at least 8 bytes of the packet it is about.
  auto quoted = parse_ipv4(icmp.subspan(kIcmpHeaderSize));
  if (!quoted || quoted->protocol != kProtocolIcmp || quoted->payload.size() < kIcmpHeaderSize ||
      quoted->payload[0] != kEchoRequest)
    return std::nullopt;
  return ParsedEchoAnswer{{kind, outer->source, read16(quoted->payload, 6)},
                          read16(quoted->payload, 4),
                          nonce_of(quoted->payload),
                          quoted->destination};
}

bool answers(const ParsedEchoAnswer& parsed, const EchoIdentity& identity, Ipv4 destination) {
  return parsed.identifier == identity.identifier &&
         (!parsed.nonce || *parsed.nonce == identity.nonce) &&
         (parsed.answer.kind == EchoAnswer::Kind::kReply || parsed.destination == destination);
}

std::optional<EchoAnswer> answer_to_echo(std::span<const uint8_t> ip_packet,
                                         const EchoIdentity& identity, Ipv4 destination) {
  auto parsed = parse_echo_answer(ip_packet);
  if (!parsed || !answers(*parsed, identity, destination)) return std::nullopt;
  return parsed->answer;
}

}  // namespace hublab::probe
