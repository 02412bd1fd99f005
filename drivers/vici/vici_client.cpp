#include "drivers/vici/vici_client.h"

#include <utility>

namespace hublab::vici {

namespace {

using Clock = std::chrono::steady_clock;

std::string in_quotes(std::string_view name) {
  return "'" + std::string(name) + "'";
}

std::uint32_t read_be32(std::string_view bytes) {
  return (static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[0])) << 24) |
         (static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[2])) << 8) |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[3]));
}

std::string packet_type_name(PacketType type) {
  switch (type) {
    case PacketType::kCmdRequest:
      return "CMD_REQUEST";
    case PacketType::kCmdResponse:
      return "CMD_RESPONSE";
    case PacketType::kCmdUnknown:
      return "CMD_UNKNOWN";
    case PacketType::kEventRegister:
      return "EVENT_REGISTER";
    case PacketType::kEventUnregister:
      return "EVENT_UNREGISTER";
    case PacketType::kEventConfirm:
      return "EVENT_CONFIRM";
    case PacketType::kEventUnknown:
      return "EVENT_UNKNOWN";
    case PacketType::kEvent:
      return "EVENT";
  }
  return "packet type " + std::to_string(static_cast<int>(type));
}

}  // namespace

CommandFailedError::CommandFailedError(std::string command, std::string errmsg)
    : ClientError("vici command " + in_quotes(command) +
                  " failed: " + (errmsg.empty() ? std::string("(no errmsg)") : errmsg)),
      command_(std::move(command)),
      errmsg_(std::move(errmsg)) {}

bool is_named(PacketType type) {
  return type == PacketType::kCmdRequest || type == PacketType::kEventRegister ||
         type == PacketType::kEventUnregister || type == PacketType::kEvent;
}

std::string encode_frame(const Packet& packet) {
  std::string payload(1, static_cast<char>(packet.type));
  if (is_named(packet.type)) {
    if (packet.name.size() > 255) {
      throw MessageError("vici packet name longer than 255 bytes: " + in_quotes(packet.name));
    }
    payload.push_back(static_cast<char>(packet.name.size()));
    payload += packet.name;
  } else if (!packet.name.empty()) {
    throw MessageError("vici " + packet_type_name(packet.type) + " packets carry no name");
  }
  payload += encode(packet.message);
  if (payload.size() > kMaxSegmentLength) {
    throw MessageError("vici packet of " + std::to_string(payload.size()) +
                       " bytes exceeds the 512 KiB segment limit");
  }
  const auto length = static_cast<std::uint32_t>(payload.size());
  std::string frame{static_cast<char>((length >> 24) & 0xff),
                    static_cast<char>((length >> 16) & 0xff),
                    static_cast<char>((length >> 8) & 0xff), static_cast<char>(length & 0xff)};
  return frame + payload;
}

Packet decode_packet(std::string_view segment) {
  if (segment.empty()) throw MessageError("vici packet is empty (no packet type)");
  const auto raw_type = static_cast<std::uint8_t>(segment[0]);
  if (raw_type > static_cast<std::uint8_t>(PacketType::kEvent)) {
    throw MessageError("vici unknown packet type " + std::to_string(raw_type));
  }
  Packet packet;
  packet.type = static_cast<PacketType>(raw_type);
  std::string_view rest = segment.substr(1);
  if (is_named(packet.type)) {
    if (rest.empty()) throw MessageError("vici packet truncated: missing name length");
    const auto name_length = static_cast<std::uint8_t>(rest[0]);
    if (rest.size() - 1 < name_length) {
      throw MessageError("vici packet truncated: name needs " + std::to_string(name_length) +
                         " byte(s), " + std::to_string(rest.size() - 1) + " left");
    }
    packet.name = std::string(rest.substr(1, name_length));
    rest = rest.substr(1 + name_length);
  }
  packet.message = decode(rest);
  return packet;
}

Client Client::connect(const std::string& socket_path, Timeout timeout) {
  try {
    return Client(UnixStream::connect(socket_path, Clock::now() + timeout));
  } catch (const UnixStreamError& error) {
    if (error.kind == UnixStreamError::Kind::kTimeout)
      throw TimeoutError("vici socket " + in_quotes(socket_path) +
                         " not accepting connections after " + std::to_string(timeout.count()) +
                         " ms: " + error.what());
    throw ClientError(std::string("vici: ") + error.what());
  }
}

Message Client::request(std::string_view command, const Message& args, Timeout timeout) {
  require_open();
  const auto deadline = Clock::now() + timeout;
  send(Packet{PacketType::kCmdRequest, std::string(command), args}, deadline);
  Packet answer = receive_answer(deadline, "response to command " + in_quotes(command));
  switch (answer.type) {
    case PacketType::kCmdResponse:
      return std::move(answer.message);
    case PacketType::kCmdUnknown:
      throw UnknownCommandError("charon does not know vici command " + in_quotes(command));
    default:
      stream_.close();
      throw ClientError("vici protocol error: " + packet_type_name(answer.type) +
                        " in answer to command " + in_quotes(command));
  }
}

Message Client::request_checked(std::string_view command, const Message& args, Timeout timeout) {
  Message response = request(command, args, timeout);
  if (response.value_or("success", "") != "yes") {
    throw CommandFailedError(std::string(command), response.value_or("errmsg", ""));
  }
  return response;
}

StreamedResponse Client::stream_request(std::string_view command, std::string_view event,
                                        const Message& args, Timeout timeout) {
  require_open();
  const auto deadline = Clock::now() + timeout;
  const bool temporary_registration = !is_registered(event);
  if (temporary_registration) register_event(event, timeout);

  StreamedResponse result;
  try {
    send(Packet{PacketType::kCmdRequest, std::string(command), args}, deadline);
    Packet answer = receive_answer(deadline, "response to command " + in_quotes(command), event,
                                   &result.events);
    if (answer.type == PacketType::kCmdUnknown) {
      throw UnknownCommandError("charon does not know vici command " + in_quotes(command));
    }
    if (answer.type != PacketType::kCmdResponse) {
      stream_.close();
      throw ClientError("vici protocol error: " + packet_type_name(answer.type) +
                        " in answer to command " + in_quotes(command));
    }
    result.response = std::move(answer.message);
  } catch (...) {
    if (temporary_registration && stream_.is_open()) {
      try {
        unregister_event(event, timeout);
      } catch (const ClientError&) {
        // The original failure is the one worth reporting.
      }
    }
    throw;
  }
  if (temporary_registration) unregister_event(event, timeout);
  return result;
}

void Client::register_event(std::string_view event, Timeout timeout) {
  register_or_unregister(PacketType::kEventRegister, event, timeout);
}

void Client::unregister_event(std::string_view event, Timeout timeout) {
  register_or_unregister(PacketType::kEventUnregister, event, timeout);
}

bool Client::is_registered(std::string_view event) const {
  return registered_.find(event) != registered_.end();
}

void Client::register_or_unregister(PacketType type, std::string_view event, Timeout timeout) {
  require_open();
  const auto deadline = Clock::now() + timeout;
  send(Packet{type, std::string(event), {}}, deadline);
  const std::string what = packet_type_name(type) + " answer for event " + in_quotes(event);
  Packet answer = receive_answer(deadline, what);
  switch (answer.type) {
    case PacketType::kEventConfirm:
      if (type == PacketType::kEventRegister) {
        registered_.emplace(event);
      } else {
        registered_.erase(std::string(event));
      }
      return;
    case PacketType::kEventUnknown:
      throw UnknownCommandError("charon has no vici event " + in_quotes(event) + " to " +
                                (type == PacketType::kEventRegister ? "register" : "unregister"));
    default:
      stream_.close();
      throw ClientError("vici protocol error: " + packet_type_name(answer.type) + " as " + what);
  }
}

std::optional<Event> Client::wait_event(std::string_view name, Timeout timeout) {
  return wait_event([name](const Event& event) { return event.name == name; }, timeout);
}

std::optional<Event> Client::wait_event(const std::function<bool(const Event&)>& accept,
                                        Timeout timeout) {
  require_open();
  const auto deadline = Clock::now() + timeout;
  for (auto it = events_.begin(); it != events_.end(); ++it) {
    if (accept(*it)) {
      Event found = std::move(*it);
      events_.erase(it);
      return found;
    }
  }
  for (;;) {
    std::optional<Packet> packet = receive_packet(deadline);
    if (!packet) return std::nullopt;
    if (packet->type != PacketType::kEvent) {
      stream_.close();
      throw ClientError("vici protocol error: unsolicited " + packet_type_name(packet->type));
    }
    Event event{std::move(packet->name), std::move(packet->message)};
    if (accept(event)) return event;
    queue_event(std::move(event));
  }
}

void Client::pump_events(Timeout timeout) {
  require_open();
  const auto deadline = Clock::now() + timeout;
  while (std::optional<Packet> packet = receive_packet(deadline)) {
    if (packet->type != PacketType::kEvent) {
      stream_.close();
      throw ClientError("vici protocol error: unsolicited " + packet_type_name(packet->type));
    }
    queue_event(Event{std::move(packet->name), std::move(packet->message)});
  }
}

std::vector<Event> Client::take_events() {
  std::vector<Event> taken(std::make_move_iterator(events_.begin()),
                           std::make_move_iterator(events_.end()));
  events_.clear();
  return taken;
}

void Client::queue_event(Event event) {
  if (events_.size() >= kMaxQueuedEvents) {
    events_.pop_front();
  }
  events_.push_back(std::move(event));
}

void Client::send(const Packet& packet, Clock::time_point deadline) {
  try {
    stream_.send_all(encode_frame(packet), deadline);
  } catch (const UnixStreamError& error) {
    if (error.kind == UnixStreamError::Kind::kTimeout)
      fail_timeout("send of " + packet_type_name(packet.type) + " " + packet.name);
    throw ClientError(std::string("vici: ") + error.what());
  }
}

Packet Client::receive_answer(Clock::time_point deadline, std::string_view what,
                              std::string_view stream_event, std::vector<Message>* stream) {
  for (;;) {
    std::optional<Packet> packet = receive_packet(deadline);
    if (!packet) fail_timeout(what);
    if (packet->type != PacketType::kEvent) return std::move(*packet);
    if (stream && packet->name == stream_event) {
      stream->push_back(std::move(packet->message));
    } else {
      queue_event(Event{std::move(packet->name), std::move(packet->message)});
    }
  }
}

std::optional<Packet> Client::receive_packet(Clock::time_point deadline) {
  for (;;) {
    if (std::optional<Packet> packet = take_buffered_packet()) return packet;
    try {
      if (!stream_.receive_some(received_, deadline)) return std::nullopt;
    } catch (const UnixStreamError& error) {
      if (error.kind == UnixStreamError::Kind::kClosed)
        throw ClientError("charon closed the vici connection on " + in_quotes(socket_path()));
      throw ClientError(std::string("vici: ") + error.what());
    }
  }
}

std::optional<Packet> Client::take_buffered_packet() {
  if (received_.size() < 4) return std::nullopt;
  const std::uint32_t length = read_be32(received_);
  if (length == 0 || length > kMaxSegmentLength) {
    // The framing is lost: nothing after this point can be trusted.
    stream_.close();
    received_.clear();
    throw ClientError("vici protocol error: segment length " + std::to_string(length));
  }
  if (received_.size() - 4 < length) return std::nullopt;
  const std::string segment = received_.substr(4, length);
  received_.erase(0, 4 + static_cast<std::size_t>(length));
  try {
    return decode_packet(segment);
  } catch (const MessageError& error) {
    // Framing is intact, so the connection stays usable for later packets.
    throw ClientError(std::string("malformed vici packet from charon: ") + error.what());
  }
}

void Client::require_open() const {
  if (!stream_.is_open()) {
    throw ClientError("vici connection to " + in_quotes(socket_path()) +
                      " is closed (moved from, or after an earlier failure)");
  }
}

void Client::fail_timeout(std::string_view what) {
  stream_.close();
  received_.clear();
  throw TimeoutError("no " + std::string(what) + " on vici socket " + in_quotes(socket_path()) +
                     " before the deadline; connection closed");
}

}  // namespace hublab::vici
