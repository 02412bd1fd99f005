#include "drivers/bird/bird_reply.h"

#include <algorithm>
#include <cctype>

namespace hublab::bird {

CodeClass classify_code(int code) {
  if (code < 0 || code > 9999) return CodeClass::kUnknown;
  switch (code / 1000) {
    case 0:
      return CodeClass::kSuccess;
    case 1:
      return CodeClass::kTableEntry;
    case 2:
      return CodeClass::kTableHeading;
    case 8:
      return CodeClass::kRuntimeError;
    case 9:
      return CodeClass::kParseError;
    default:
      return CodeClass::kUnknown;
  }
}

bool is_error_code(int code) {
  const CodeClass code_class = classify_code(code);
  return code_class == CodeClass::kRuntimeError || code_class == CodeClass::kParseError;
}

namespace {

std::string describe_command_error(std::string_view command, int code,
                                   std::string_view bird_message) {
  return "bird: `" + std::string(command) + "` failed with " + std::to_string(code) + ": " +
         std::string(bird_message);
}

bool starts_with_code(std::string_view raw_line) {
  return raw_line.size() >= 5 &&
         std::all_of(raw_line.begin(), raw_line.begin() + 4,
                     [](unsigned char c) { return std::isdigit(c) != 0; }) &&
         (raw_line[4] == '-' || raw_line[4] == ' ');
}

}  // namespace

CommandError::CommandError(std::string command, int code, std::string bird_message)
    : std::runtime_error(describe_command_error(command, code, bird_message)),
      command_(std::move(command)),
      code_(code),
      bird_message_(std::move(bird_message)) {}

std::optional<int> Reply::error_code() const {
  for (const ReplyLine& line : lines_) {
    if (is_error_code(line.code)) return line.code;
  }
  return std::nullopt;
}

std::string Reply::error_message() const {
  std::string message;
  for (const ReplyLine& line : lines_) {
    if (!is_error_code(line.code)) continue;
    if (!message.empty()) message += '\n';
    message += line.text;
  }
  return message;
}

const ReplyLine& Reply::final_line() const {
  if (lines_.empty()) throw std::logic_error("bird: final_line() of an empty reply");
  return lines_.back();
}

std::vector<std::string> Reply::texts_with_code(int code) const {
  std::vector<std::string> texts;
  for (const ReplyLine& line : lines_) {
    if (line.code == code) texts.push_back(line.text);
  }
  return texts;
}

void Reply::throw_if_error(std::string_view command) const {
  if (const std::optional<int> code = error_code()) {
    throw CommandError(std::string(command), *code, error_message());
  }
}

bool ReplyAssembler::feed(std::string_view bytes) {
  pending_bytes_.append(bytes);
  consume_buffered_lines();
  return complete_;
}

Reply ReplyAssembler::take() {
  if (!complete_) throw std::logic_error("bird: take() before the reply is complete");
  Reply reply(std::move(lines_));
  lines_.clear();
  complete_ = false;
  consume_buffered_lines();
  return reply;
}

void ReplyAssembler::consume_buffered_lines() {
  std::size_t line_start = 0;
  while (!complete_) {
    const std::size_t newline = pending_bytes_.find('\n', line_start);
    if (newline == std::string::npos) break;
    consume_line(std::string_view(pending_bytes_).substr(line_start, newline - line_start));
    line_start = newline + 1;
  }
  pending_bytes_.erase(0, line_start);
}

void ReplyAssembler::consume_line(std::string_view raw_line) {
  // Spontaneous printouts (enabled by the `echo` command) interleave with
  // replies; they belong to no command, so they must not end or pollute one.
  if (!raw_line.empty() && raw_line.front() == '+') return;

  if (!raw_line.empty() && raw_line.front() == ' ') {
    if (lines_.empty()) {
      throw ProtocolError("bird: continuation line without a preceding code: " +
                          std::string(raw_line));
    }
    lines_.push_back({lines_.back().code, true, std::string(raw_line.substr(1))});
    return;
  }

  if (!starts_with_code(raw_line)) {
    throw ProtocolError("bird: malformed reply line: " + std::string(raw_line));
  }
  const int code = (raw_line[0] - '0') * 1000 + (raw_line[1] - '0') * 100 +
                   (raw_line[2] - '0') * 10 + (raw_line[3] - '0');
  lines_.push_back({code, false, std::string(raw_line.substr(5))});
  complete_ = raw_line[4] == ' ';
}

Reply parse_reply(std::string_view raw) {
  ReplyAssembler assembler;
  if (!assembler.feed(raw)) throw ProtocolError("bird: reply is incomplete");
  Reply reply = assembler.take();
  if (!assembler.idle()) throw ProtocolError("bird: bytes after the end of the reply");
  return reply;
}

}  // namespace hublab::bird
