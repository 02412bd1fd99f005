#include "drivers/probe/crafted_packet.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "base/unique_fd.h"
#include "drivers/probe/icmp_packet.h"

namespace hublab::probe {

namespace {

constexpr size_t kIpHeader = 20, kTcpHeader = 20, kUdpHeader = 8, kIcmpEcho = 8;
constexpr uint8_t kTtl = 64;
constexpr uint8_t kTcpSyn = 0x02;
constexpr uint16_t kTcpWindow = 64240;

void put16(std::vector<uint8_t>& bytes, size_t at, uint16_t value) {
  bytes[at] = static_cast<uint8_t>(value >> 8);
  bytes[at + 1] = static_cast<uint8_t>(value);
}

void put32(std::vector<uint8_t>& bytes, size_t at, uint32_t value) {
  put16(bytes, at, static_cast<uint16_t>(value >> 16));
  put16(bytes, at + 2, static_cast<uint16_t>(value));
}

uint8_t ip_protocol(ProbeProtocol protocol) {
  switch (protocol) {
    case ProbeProtocol::kTcp:
      return IPPROTO_TCP;
    case ProbeProtocol::kUdp:
      return IPPROTO_UDP;
    case ProbeProtocol::kIcmp:
      break;
  }
  return IPPROTO_ICMP;
}

// TCP's and UDP's checksum covers a pseudo header of the addresses too.
uint16_t transport_checksum(const std::vector<uint8_t>& packet, uint8_t protocol) {
  const size_t length = packet.size() - kIpHeader;
  std::vector<uint8_t> summed(12 + length);
  std::memcpy(summed.data(), packet.data() + 12, 8);  // source, destination
  summed[9] = protocol;
  put16(summed, 10, static_cast<uint16_t>(length));
  std::memcpy(summed.data() + 12, packet.data() + kIpHeader, length);
  return internet_checksum(summed);
}

}  // namespace

std::vector<uint8_t> crafted_packet_bytes(const CraftedPacket& p) {
  const uint8_t protocol = ip_protocol(p.protocol);
  const size_t transport = p.protocol == ProbeProtocol::kTcp   ? kTcpHeader
                           : p.protocol == ProbeProtocol::kUdp ? kUdpHeader
                                                               : kIcmpEcho;
  std::vector<uint8_t> bytes(kIpHeader + transport, 0);
  bytes[0] = 0x45;  // version 4, five words of header
  put16(bytes, 2, static_cast<uint16_t>(bytes.size()));
  put16(bytes, 4, p.ip_id);
  bytes[8] = kTtl;
  bytes[9] = protocol;
  put32(bytes, 12, p.source.value);
  put32(bytes, 16, p.destination.value);
  put16(bytes, 10, internet_checksum({bytes.data(), kIpHeader}));
  const size_t t = kIpHeader;
  size_t checksum_at = t + 2;
  if (p.protocol == ProbeProtocol::kIcmp) {
    bytes[t] = 8;                  // echo request
    put16(bytes, t + 4, p.ip_id);  // identifier
    put16(bytes, t + 6, 1);        // sequence
    put16(bytes, checksum_at, internet_checksum({bytes.data() + t, transport}));
    return bytes;
  }
  put16(bytes, t, p.source_port);
  put16(bytes, t + 2, p.destination_port);
  if (p.protocol == ProbeProtocol::kTcp) {
    put32(bytes, t + 4, 1);  // sequence number
    bytes[t + 12] = (kTcpHeader / 4) << 4;
    bytes[t + 13] = kTcpSyn;
    put16(bytes, t + 14, kTcpWindow);
    checksum_at = t + 16;
  } else {
    put16(bytes, t + 4, static_cast<uint16_t>(transport));
    checksum_at = t + 6;
  }
  uint16_t checksum = transport_checksum(bytes, protocol);
  if (checksum == 0 && p.protocol == ProbeProtocol::kUdp) checksum = 0xffff;  // 0: "none" in UDP
  put16(bytes, checksum_at, checksum);
  return bytes;
}

void send_crafted_packet(const CraftedPacket& packet) {
  UniqueFd fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
  if (!fd) throw std::runtime_error(std::string("raw socket: ") + strerror(errno));
  const std::vector<uint8_t> bytes = crafted_packet_bytes(packet);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(packet.destination.value);
  if (sendto(fd.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to),
             sizeof to) < 0)
    throw std::runtime_error("sending a packet to " + packet.destination.str() + ": " +
                             strerror(errno));
}

}  // namespace hublab::probe
