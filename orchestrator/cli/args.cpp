#include "orchestrator/cli/args.h"

#include <algorithm>
#include <charconv>

namespace hublab::cli {

std::optional<std::string> Invocation::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

int Invocation::number(const std::string& name, int otherwise) const {
  auto text = value(name);
  return text ? std::stoi(*text) : otherwise;
}

namespace {

const OptionSpec* find_option(const CommandSpec& spec, const std::string& word) {
  for (const OptionSpec& option : spec.options)
    if (word == option.name || (!option.alias.empty() && word == option.alias)) return &option;
  return nullptr;
}

std::string joined(const std::vector<std::string>& words, const char* separator) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : separator) + word;
  return text;
}

void check_value(const OptionSpec& option, const std::string& value) {
  // An empty word (`--name ''`, `-o ""`) is a mistake, never a choice of
  // the default: the default is the option left out.
  if (value.empty())
    throw UsageError(option.name + " needs " +
                     (option.value.empty() ? joined(option.choices, "|") : option.value) +
                     ", not an empty word");
  if (!option.choices.empty()) {
    for (const std::string& choice : option.choices)
      if (value == choice) return;
    throw UsageError(option.name + " is one of " + joined(option.choices, "|") + ", not '" + value +
                     "'");
  }
  if (option.number) {
    int parsed = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (error != std::errc() || end != value.data() + value.size() || parsed <= 0)
      throw UsageError(option.name + " takes a whole number above 0, not '" + value + "'");
    if (option.max > 0 && parsed > option.max)
      throw UsageError(option.name + " takes a whole number from 1 to " +
                       std::to_string(option.max) + ", not " + value);
  }
}

}  // namespace

Invocation parse_invocation(const CommandSpec& spec, const std::vector<std::string>& args) {
  Invocation invocation;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--" && spec.takes_command) {
      invocation.command_.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      if (invocation.command_.empty()) throw UsageError("-- must be followed by a command");
      break;
    }
    if (word.size() > 1 && word[0] == '-') {
      std::string name = word, value;
      bool inline_value = false;
      if (auto equals = word.find('='); word.rfind("--", 0) == 0 && equals != std::string::npos) {
        name = word.substr(0, equals);
        value = word.substr(equals + 1);
        inline_value = true;
      }
      const OptionSpec* option = find_option(spec, name);
      if (!option) throw UsageError("unknown option '" + name + "'");
      if (option->value.empty() && option->choices.empty()) {
        if (inline_value) throw UsageError(option->name + " takes no value");
        invocation.values_[option->name] = "";
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= args.size())
          throw UsageError(option->name + " needs " +
                           (option->value.empty() ? joined(option->choices, "|") : option->value));
        value = args[++i];
      }
      check_value(*option, value);
      invocation.values_[option->name] = value;
      continue;
    }
    if (!spec.repeats_last_operand &&
        invocation.operands_.size() == spec.operands.size() + spec.optional_operands.size())
      throw UsageError("unexpected argument '" + word + "'");
    invocation.operands_.push_back(word);
  }
  if (invocation.operands_.size() < spec.operands.size())
    throw UsageError("missing " + spec.operands[invocation.operands_.size()]);
  if (spec.takes_command && invocation.command_.empty())
    throw UsageError("missing -- CMD [ARG...]");
  return invocation;
}

std::string usage_line(const CommandSpec& spec) {
  std::string line = "hublab " + spec.name;
  for (const std::string& operand : spec.operands) line += " " + operand;
  for (const std::string& operand : spec.optional_operands) line += " [" + operand + "]";
  if (spec.repeats_last_operand) line += "...";
  for (const OptionSpec& option : spec.options) {
    std::string value = option.choices.empty() ? option.value : joined(option.choices, "|");
    std::string names = option.alias.empty() ? option.name : option.alias + "|" + option.name;
    line += " [" + names + (value.empty() ? "" : " " + value) + "]";
  }
  if (spec.takes_command) line += " -- CMD [ARG...]";
  return line;
}

std::string command_usage(const CommandSpec& spec) {
  std::string text = "usage: " + usage_line(spec) + "\n";
  if (!spec.help.empty()) text += "\n" + spec.help + "\n";
  size_t width = 0;
  for (const OptionSpec& option : spec.options)
    if (!option.help.empty()) width = std::max(width, option.name.size());
  bool heading = false;
  for (const OptionSpec& option : spec.options) {
    if (option.help.empty()) continue;
    if (!heading) text += "\noptions:\n";
    heading = true;
    text +=
        "  " + option.name + std::string(width - option.name.size() + 2, ' ') + option.help + "\n";
  }
  return text;
}

}  // namespace hublab::cli
