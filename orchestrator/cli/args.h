#pragma once

// The CLI's one argument parser. Each command declares its operands and
// options once (a CommandSpec); parsing, strict number checks and the usage
// text all come from that declaration, so they cannot drift apart.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hublab::cli {

// Exit codes: 0 success, 1 failure (for check: an expectation did not hold),
// 2 bad input (arguments, a lab file, a lab that is not up).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

// One option: a flag (--json) or an option that takes a value (--junit FILE).
struct OptionSpec {
  std::string name;                       // "--junit"
  std::string alias = "";                 // "-q", or none
  std::string value = "";                 // the value's name in usage ("FILE"); none for a flag
  std::vector<std::string> choices = {};  // when set, the only values allowed
  bool number = false;                    // a whole number above 0, nothing after it
  int max = 0;                            // a number's largest value; 0: any that fits an int
  std::string help = "";
};

struct CommandSpec {
  std::string name;
  std::vector<std::string> operands;                // "FILE", "NAME|FILE", "VM"; all required
  std::vector<std::string> optional_operands = {};  // may follow them
  std::vector<OptionSpec> options = {};
  // Fixed words an operand may be, by position, for shell completion
  // (fault's ACTION); a position without any completes by its name's kind.
  std::vector<std::vector<std::string>> operand_words = {};
  bool takes_command = false;         // `-- CMD [ARG...]` ends the arguments (exec)
  bool repeats_last_operand = false;  // `FILE...`: the last operand once or more (import)
  std::string help = "";              // the usage text's description, one line or two
};

// What a command was given, by the names its spec declares.
class Invocation {
 public:
  const std::string& operand(size_t index) const { return operands_.at(index); }
  size_t operand_count() const { return operands_.size(); }
  bool flag(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  // A number option's value (already checked), or `otherwise`.
  int number(const std::string& name, int otherwise) const;
  const std::vector<std::string>& command() const { return command_; }

 private:
  friend Invocation parse_invocation(const CommandSpec&, const std::vector<std::string>&);
  std::vector<std::string> operands_;
  std::map<std::string, std::string> values_;  // by option name; "" for a flag
  std::vector<std::string> command_;
};

// Bad arguments: the message says which and why; the usage line follows it.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Anything a command refuses or fails at, with its exit code; main prints
// "hublab COMMAND: message" and exits with the code.
class CliError : public std::runtime_error {
 public:
  CliError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code(exit_code) {}
  int exit_code;
};

Invocation parse_invocation(const CommandSpec& spec, const std::vector<std::string>& args);

// "hublab check NAME|FILE [--json] [--junit FILE] ..."
std::string usage_line(const CommandSpec& spec);
// What `hublab help CMD` and `hublab CMD --help` print: the usage line, the
// description and each option's help.
std::string command_usage(const CommandSpec& spec);

}  // namespace hublab::cli
