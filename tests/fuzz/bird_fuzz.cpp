// Fuzz target: BIRD's control-socket replies, whole or fed in two pieces as
// a socket delivers them, and the typed views hublab reads from them.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "drivers/bird/bird_reply.h"
#include "drivers/bird/bird_show.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hublab::bird;
  if (size == 0) return 0;
  // The first byte says where the socket splits the reply.
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t split = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);
  try {
    ReplyAssembler whole, pieces;
    const bool complete = whole.feed(bytes);
    bool complete_in_pieces = pieces.feed(bytes.substr(0, split));
    if (!complete_in_pieces) complete_in_pieces = pieces.feed(bytes.substr(split));
    // However the bytes arrive, the reply ends at the same line.
    if (complete != complete_in_pieces) __builtin_trap();
    if (!complete) return 0;
  } catch (const ProtocolError&) {
  }
  try {
    const Reply reply = parse_reply(bytes);
    try {
      (void)parse_protocols(reply);
    } catch (const ProtocolError&) {
    }
    try {
      (void)parse_routes(reply);
    } catch (const ProtocolError&) {
    }
    try {
      (void)parse_bgp_session(reply, "hub");
    } catch (const ProtocolError&) {
    } catch (const std::invalid_argument&) {  // a protocol that is not BGP
    }
  } catch (const ProtocolError&) {
  }
  return 0;
}
