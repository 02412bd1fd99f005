// Client side of charon's vici protocol over a Unix stream socket: transport
// framing, packet layer, commands, streamed commands and events
// (strongSwan src/libcharon/plugins/vici/README.md).
//
// One Client is one connection and is not thread safe: vici has no sequence
// numbers, so a connection carries one command at a time. Events arriving
// while a command runs are queued, never lost, up to kMaxQueuedEvents.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/system/unix_stream.h"
#include "drivers/vici/vici_message.h"

namespace hublab::vici {

// Transport, protocol or daemon-side failure of a vici exchange.
class ClientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// charon has no handler for the command (CMD_UNKNOWN) or no source for the
// event (EVENT_UNKNOWN).
class UnknownCommandError : public ClientError {
 public:
  using ClientError::ClientError;
};

// No answer before the deadline. The connection is closed afterwards, because
// a late answer would otherwise be taken for the answer to the next command.
class TimeoutError : public ClientError {
 public:
  using ClientError::ClientError;
};

// A command answered with success = no; what() carries charon's errmsg.
class CommandFailedError : public ClientError {
 public:
  CommandFailedError(std::string command, std::string errmsg);
  const std::string& command() const { return command_; }
  const std::string& errmsg() const { return errmsg_; }

 private:
  std::string command_;
  std::string errmsg_;
};

enum class PacketType : std::uint8_t {
  kCmdRequest = 0,
  kCmdResponse = 1,
  kCmdUnknown = 2,
  kEventRegister = 3,
  kEventUnregister = 4,
  kEventConfirm = 5,
  kEventUnknown = 6,
  kEvent = 7,
};

bool is_named(PacketType type);

struct Packet {
  PacketType type = PacketType::kCmdRequest;
  std::string name;  // empty for unnamed types
  Message message;

  friend bool operator==(const Packet&, const Packet&) = default;
};

// charon refuses transport segments above 512 KiB; so do we, before buffering.
inline constexpr std::size_t kMaxSegmentLength = 512 * 1024;

// A whole transport segment: 4-byte big-endian length, then the packet.
std::string encode_frame(const Packet& packet);
// The packet inside one segment (the bytes after the length header).
Packet decode_packet(std::string_view segment);

struct Event {
  std::string name;
  Message message;
};

// Result of a command that streams events before its response (list-sas,
// list-conns, initiate with control-log, ...).
struct StreamedResponse {
  Message response;
  std::vector<Message> events;
};

class Client {
 public:
  using Timeout = std::chrono::milliseconds;
  static constexpr Timeout kDefaultTimeout{10'000};
  static constexpr std::size_t kMaxQueuedEvents = 4096;

  // Connects to a Unix socket path (no "unix://" prefix). A missing or not yet
  // listening socket is retried until `timeout`: charon creates it a few ms
  // after start, so callers need not race it.
  static Client connect(const std::string& socket_path, Timeout timeout = Timeout{5'000});

  Client(Client&&) noexcept = default;
  Client& operator=(Client&&) noexcept = default;

  // Sends a command and returns its response message. Throws
  // UnknownCommandError on CMD_UNKNOWN, TimeoutError, ClientError.
  Message request(std::string_view command, const Message& args = {},
                  Timeout timeout = kDefaultTimeout);

  // request(), then throws CommandFailedError unless the response says
  // success = yes (load-conn, load-shared, initiate, ...).
  Message request_checked(std::string_view command, const Message& args = {},
                          Timeout timeout = kDefaultTimeout);

  // Runs a command that streams `event` messages before its response,
  // registering for the event around the call unless already registered.
  StreamedResponse stream_request(std::string_view command, std::string_view event,
                                  const Message& args = {}, Timeout timeout = kDefaultTimeout);

  void register_event(std::string_view event, Timeout timeout = kDefaultTimeout);
  void unregister_event(std::string_view event, Timeout timeout = kDefaultTimeout);
  bool is_registered(std::string_view event) const;

  // Returns the oldest queued or arriving event named `name` (other events
  // stay queued), or nullopt when the timeout passes first.
  std::optional<Event> wait_event(std::string_view name, Timeout timeout);
  // Same with any predicate, e.g. a child-updown for one connection, or a log
  // line mentioning AUTHENTICATION_FAILED.
  std::optional<Event> wait_event(const std::function<bool(const Event&)>& accept, Timeout timeout);

  // Reads whatever arrives within `timeout` into the event queue, for callers
  // that multiplex several connections by polling fd().
  void pump_events(Timeout timeout);
  std::vector<Event> take_events();
  std::size_t queued_events() const { return events_.size(); }

  int fd() const { return stream_.fd(); }
  const std::string& socket_path() const { return stream_.path(); }

 private:
  using Clock = std::chrono::steady_clock;

  explicit Client(UnixStream stream) : stream_(std::move(stream)) {}

  void send(const Packet& packet, Clock::time_point deadline);
  // Next non-event packet; events met on the way go to the queue, or to
  // `stream` when their name is `stream_event`.
  Packet receive_answer(Clock::time_point deadline, std::string_view what,
                        std::string_view stream_event = {}, std::vector<Message>* stream = nullptr);
  // One packet, or nullopt at the deadline.
  std::optional<Packet> receive_packet(Clock::time_point deadline);
  std::optional<Packet> take_buffered_packet();
  void queue_event(Event event);
  void register_or_unregister(PacketType type, std::string_view event, Timeout timeout);
  void require_open() const;
  [[noreturn]] void fail_timeout(std::string_view what);

  UnixStream stream_;
  std::string received_;  // bytes read but not yet framed into a packet
  std::deque<Event> events_;
  std::set<std::string, std::less<>> registered_;
};

}  // namespace hublab::vici
