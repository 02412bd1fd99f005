// Fuzz target: ICMP answers as a raw socket receives them (IP header
// first), from any router or host of a lab: echo replies and the errors
// that quote a request.

#include <cstddef>
#include <cstdint>
#include <span>

#include "drivers/probe/icmp_packet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hublab;
  const std::span<const uint8_t> packet(data, size);
  const auto parsed = probe::parse_echo_answer(packet);
  const probe::EchoIdentity identity{.identifier = 0x4242, .nonce = 0x0123456789abcdefULL};
  const Ipv4 destination{0x0a0a0004};
  (void)probe::answer_to_echo(packet, identity, destination);
  if (parsed) (void)probe::answers(*parsed, identity, destination);
  return 0;
}
