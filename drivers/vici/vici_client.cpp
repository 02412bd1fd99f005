#include "drivers/vici/vici_client.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace hublab::vici {

namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int error) {
  return std::strerror(error);
}

std::string in_quotes(std::string_view name) {
  // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict on
  // "'" + std::string(name) + "'".
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted += '\'';
  quoted += name;
  quoted += '\'';
  return quoted;
}

// poll() takes whole milliseconds; round up so a deadline is never cut short
// into a busy loop of zero-timeout polls.
int poll_timeout_ms(Clock::time_point deadline) {
  const auto remaining = deadline - Clock::now();
  if (remaining <= Clock::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(remaining).count();
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

std::uint32_t read_be32(std::string_view bytes) {
  return (static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[0])) << 24) |
         (static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[2])) << 8) |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[3]));
}

// Sleeps until something appears in `directory` or `limit` passes. inotify
// wakes us as soon as charon binds its socket; without a watchable directory
// (not created yet) this degrades to a plain bounded wait.
void wait_for_directory_change(const std::string& directory, std::chrono::milliseconds limit) {
  UniqueFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  const bool watching = watch && ::inotify_add_watch(watch.get(), directory.c_str(),
                                                     IN_CREATE | IN_MOVED_TO | IN_ATTRIB) >= 0;
  pollfd waiter{watching ? watch.get() : -1, POLLIN, 0};
  ::poll(&waiter, 1, static_cast<int>(limit.count()));
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

Client::Client(UniqueFd socket, std::string socket_path)
    : socket_(std::move(socket)), socket_path_(std::move(socket_path)) {}

Client Client::connect(const std::string& socket_path, Timeout timeout) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof(address.sun_path)) {
    throw ClientError("vici socket path " + in_quotes(socket_path) + " is empty or longer than " +
                      std::to_string(sizeof(address.sun_path) - 1) + " bytes");
  }
  std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
  const std::string directory = std::filesystem::path(socket_path).parent_path().string();

  const auto deadline = Clock::now() + timeout;
  auto backoff = std::chrono::milliseconds(1);
  for (;;) {
    UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!socket) throw ClientError("cannot create a Unix socket: " + errno_text(errno));
    if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) ==
        0) {
      return Client(std::move(socket), socket_path);
    }
    const int error = errno;
    // Absent (not bound yet) and refused (bound, not listening yet) are the
    // states of a charon still starting; anything else will not heal.
    if (error != ENOENT && error != ECONNREFUSED && error != EAGAIN && error != EINTR) {
      throw ClientError("cannot connect to vici socket " + in_quotes(socket_path) + ": " +
                        errno_text(error));
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      throw TimeoutError("vici socket " + in_quotes(socket_path) +
                         " not accepting connections after " + std::to_string(timeout.count()) +
                         " ms: " + errno_text(error));
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    wait_for_directory_change(directory, std::min(backoff, left));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(50));
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
      socket_.reset();
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
      socket_.reset();
      throw ClientError("vici protocol error: " + packet_type_name(answer.type) +
                        " in answer to command " + in_quotes(command));
    }
    result.response = std::move(answer.message);
  } catch (...) {
    if (temporary_registration && static_cast<bool>(socket_)) {
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
      socket_.reset();
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
      socket_.reset();
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
      socket_.reset();
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
    ++dropped_events_;
  }
  events_.push_back(std::move(event));
}

void Client::send(const Packet& packet, Clock::time_point deadline) {
  const std::string frame = encode_frame(packet);
  std::size_t sent = 0;
  while (sent < frame.size()) {
    // MSG_NOSIGNAL: a charon that died must surface as an error, not SIGPIPE.
    const ssize_t n = ::send(socket_.get(), frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      const int error = errno;
      socket_.reset();
      throw ClientError("cannot send to vici socket " + in_quotes(socket_path_) + ": " +
                        errno_text(error));
    }
    pollfd writable{socket_.get(), POLLOUT, 0};
    const int ready = ::poll(&writable, 1, poll_timeout_ms(deadline));
    if (ready == 0) fail_timeout("send of " + packet_type_name(packet.type) + " " + packet.name);
    if (ready < 0 && errno != EINTR) {
      const int error = errno;
      socket_.reset();
      throw ClientError("poll on vici socket failed: " + errno_text(error));
    }
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
    pollfd readable{socket_.get(), POLLIN, 0};
    const int ready = ::poll(&readable, 1, poll_timeout_ms(deadline));
    if (ready == 0) return std::nullopt;
    if (ready < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      socket_.reset();
      throw ClientError("poll on vici socket failed: " + errno_text(error));
    }
    std::array<char, 64 * 1024> chunk{};
    const ssize_t n = ::recv(socket_.get(), chunk.data(), chunk.size(), 0);
    if (n == 0) {
      socket_.reset();
      throw ClientError("charon closed the vici connection on " + in_quotes(socket_path_));
    }
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      const int error = errno;
      socket_.reset();
      throw ClientError("cannot read from vici socket " + in_quotes(socket_path_) + ": " +
                        errno_text(error));
    }
    received_.append(chunk.data(), static_cast<std::size_t>(n));
  }
}

std::optional<Packet> Client::take_buffered_packet() {
  if (received_.size() < 4) return std::nullopt;
  const std::uint32_t length = read_be32(received_);
  if (length == 0 || length > kMaxSegmentLength) {
    // The framing is lost: nothing after this point can be trusted.
    socket_.reset();
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
  if (!static_cast<bool>(socket_)) {
    throw ClientError("vici connection to " + in_quotes(socket_path_) +
                      " is closed (moved from, or after an earlier failure)");
  }
}

void Client::fail_timeout(std::string_view what) {
  socket_.reset();
  received_.clear();
  throw TimeoutError("no " + std::string(what) + " on vici socket " + in_quotes(socket_path_) +
                     " before the deadline; connection closed");
}

}  // namespace hublab::vici
