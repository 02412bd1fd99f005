// Fuzz target: vici's message and packet decoders, on bytes charon (or
// anything on its socket) might send. A message that decodes must encode
// and decode again to itself.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "drivers/vici/vici_client.h"
#include "drivers/vici/vici_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hublab::vici;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const Message message = decode(bytes);
    if (!(decode(encode(message)) == message)) __builtin_trap();
  } catch (const MessageError&) {
  }
  try {
    const Packet packet = decode_packet(bytes);
    if (!(decode_packet(encode_frame(packet).substr(4)) == packet)) __builtin_trap();
  } catch (const MessageError&) {
  }
  return 0;
}
