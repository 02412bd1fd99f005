// One IPv4 packet with headers exactly as asked: the source address and
// ports a question names, not the ones a socket would choose. What `hublab
// verify` sends to learn how a NIC's filters judge that one packet.
#pragma once

#include <cstdint>
#include <vector>

#include "base/ipv4.h"
#include "base/probe_protocol.h"

namespace hublab::probe {

struct CraftedPacket {
  ProbeProtocol protocol = ProbeProtocol::kIcmp;  // a TCP SYN, a UDP datagram, an ICMP echo request
  Ipv4 source, destination;
  uint16_t source_port = 0, destination_port = 0;  // TCP and UDP
  uint16_t ip_id = 1;                              // not 0, which the kernel would replace
};

// The whole packet, IPv4 header and transport checksums included.
std::vector<uint8_t> crafted_packet_bytes(const CraftedPacket& packet);

// Sends it from the calling thread's network namespace through a raw socket
// (IP_HDRINCL): the kernel routes it by its destination and leaves the
// source as given. Needs CAP_NET_RAW. Throws on failure.
void send_crafted_packet(const CraftedPacket& packet);

}  // namespace hublab::probe
