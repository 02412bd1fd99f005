// Framing of BIRD's control-socket replies ("Remote control" in the BIRD user
// guide, codes in BIRD's doc/reply_codes).
//
// A reply is a run of lines. A line is "DDDD-text" (more lines follow),
// "DDDD text" (last line of the reply) or " text" (continues the previous
// code). Lines starting with '+' are spontaneous printouts, not part of any
// reply.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hublab::bird {

// The thousands digit of a reply code says what the line is.
enum class CodeClass {
  kSuccess,       // 0xxx: action completed, ends a reply
  kTableEntry,    // 1xxx
  kTableHeading,  // 2xxx
  kRuntimeError,  // 8xxx: e.g. 8001 route not found, 8002 config error, 8003 no protocols match
  kParseError,    // 9xxx: e.g. 9001 syntax error (unknown symbol, bad command)
  kUnknown,
};

CodeClass classify_code(int code);
bool is_error_code(int code);

// Codes used by the typed helpers; the full list is BIRD's doc/reply_codes.
namespace code {
inline constexpr int kOk = 0;
inline constexpr int kWelcome = 1;
inline constexpr int kReadingConfiguration = 2;
inline constexpr int kReconfigured = 3;
inline constexpr int kProtocolList = 1002;
inline constexpr int kProtocolDetails = 1006;
inline constexpr int kRouteList = 1007;
inline constexpr int kRouteDetails = 1008;
inline constexpr int kRouteAttributes = 1012;
inline constexpr int kProtocolHeading = 2002;
inline constexpr int kRouteNotFound = 8001;
inline constexpr int kConfigurationError = 8002;
inline constexpr int kNoProtocolsMatch = 8003;
inline constexpr int kParseError = 9001;
}  // namespace code

struct ReplyLine {
  int code = 0;
  // True for " text" lines; their code is inherited from the line they continue,
  // so consumers can treat a table row the same whichever way BIRD framed it.
  bool continuation = false;
  std::string text;

  bool operator==(const ReplyLine&) const = default;
};

// Thrown when the bytes on the socket do not follow the reply grammar.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// BIRD answered a command with an 8xxx or 9xxx line.
class CommandError : public std::runtime_error {
 public:
  CommandError(std::string command, int code, std::string bird_message);

  const std::string& command() const { return command_; }
  int code() const { return code_; }
  // BIRD's own wording, e.g. "syntax error, unexpected CF_SYM_UNDEFINED".
  const std::string& bird_message() const { return bird_message_; }

 private:
  std::string command_;
  int code_;
  std::string bird_message_;
};

class Reply {
 public:
  Reply() = default;
  explicit Reply(std::vector<ReplyLine> lines) : lines_(std::move(lines)) {}

  const std::vector<ReplyLine>& lines() const { return lines_; }

  // A reply is an error as soon as any line carries an 8xxx/9xxx code: BIRD may
  // emit progress lines first (configure sends "0002-Reading configuration"
  // before "8002 <file>:<line>:<col> <error>").
  bool succeeded() const { return !error_code().has_value(); }
  std::optional<int> error_code() const;
  std::string error_message() const;  // error lines joined by '\n', empty on success

  // The line that ended the reply.
  const ReplyLine& final_line() const;

  // Texts of every line with this code (continuations included), in order.
  std::vector<std::string> texts_with_code(int code) const;

  // Throws CommandError (naming `command`) if BIRD reported an error.
  void throw_if_error(std::string_view command) const;

 private:
  std::vector<ReplyLine> lines_;
};

// Accumulates raw socket bytes until one complete reply is buffered. Bytes past
// the end of that reply are kept for the next one.
class ReplyAssembler {
 public:
  // Returns true when a complete reply is ready to take().
  bool feed(std::string_view bytes);
  bool complete() const { return complete_; }
  // True when no byte of a further reply is buffered.
  bool idle() const { return pending_bytes_.empty() && lines_.empty(); }
  // Hands over the complete reply and starts assembling the next one from
  // any bytes already buffered. Precondition: complete().
  Reply take();

 private:
  void consume_buffered_lines();
  void consume_line(std::string_view raw_line);

  std::string pending_bytes_;
  std::vector<ReplyLine> lines_;
  bool complete_ = false;
};

// Parses the raw bytes of exactly one complete reply (e.g. a recorded one).
// Throws ProtocolError if the bytes do not end the reply or hold more than one.
Reply parse_reply(std::string_view raw);

}  // namespace hublab::bird
