// ICMP echo requests as hublab sends them, and the answers a raw ICMP socket
// receives for them: echo replies and the errors that quote a request.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/ipv4.h"

namespace hublab::probe {

// What makes an echo request ours: the identifier and sequence number every
// answer carries back, and a nonce in the payload, which echo replies and
// (Linux) routers' errors quote too, so that another program that happens
// to use the same identifier is not mistaken for us.
struct EchoIdentity {
  uint16_t identifier = 0;
  uint64_t nonce = 0;
};

// An ICMP echo request (header and payload, checksummed), for a raw socket.
std::vector<uint8_t> echo_request(const EchoIdentity& identity, uint16_t sequence);

struct EchoAnswer {
  enum class Kind {
    kReply,         // echo reply: the destination answered
    kTimeExceeded,  // a router on the way, at the request's TTL
    kUnreachable,   // a router (or the destination) refused it: net/host/... unreachable
  };
  Kind kind = Kind::kReply;
  Ipv4 sender;
  uint16_t sequence = 0;
};

// What an answer carries of the echo request it answers: enough to find
// which of many requests it is for.
struct ParsedEchoAnswer {
  EchoAnswer answer;
  uint16_t identifier = 0;
  std::optional<uint64_t> nonce;  // when the bytes reach that far
  Ipv4 destination;               // where the request went (a reply: its sender)
};
// Any echo reply, or an error quoting an echo request, in `ip_packet` (as a
// raw ICMP socket receives it: IP header first); none for anything else.
std::optional<ParsedEchoAnswer> parse_echo_answer(std::span<const uint8_t> ip_packet);

// Whether `parsed` answers a request of `identity` to `destination`: the
// identifier, then the nonce if the bytes reach that far; an error must
// also quote a request to `destination`.
bool answers(const ParsedEchoAnswer& parsed, const EchoIdentity& identity, Ipv4 destination);

// The answer `ip_packet` gives to one of our requests to `destination`;
// none for anything else.
std::optional<EchoAnswer> answer_to_echo(std::span<const uint8_t> ip_packet,
                                         const EchoIdentity& identity, Ipv4 destination);

uint16_t internet_checksum(std::span<const uint8_t> bytes);

}  // namespace hublab::probe
