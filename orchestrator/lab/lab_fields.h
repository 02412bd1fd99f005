#pragma once

// What every section reader of the lab file shares (lab_loader and each
// feature's reader: gateways, connections, route_tables, ...): one TOML
// table's fields read with a finding for each wrong one, naming the file,
// line and field; keys nobody asked for reported as unknown.

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ipv4.h"
#include "orchestrator/lab/source_location.h"

namespace hublab {

SourceLocation where_of(const toml::source_region& region);

// Reads the fields of one TOML table: each getter marks its key as known, and
// `finish` reports every key nobody asked for (with a suggestion for typos).
class Fields {
 public:
  Fields(const toml::table& table, std::string path, std::vector<Diagnostic>& out,
         const std::string& file)
      : table_(table), path_(std::move(path)), out_(out), file_(file) {}

  const std::string& path() const { return path_; }
  // A table inside this one, read into the same findings.
  Fields nested(const toml::table& table, std::string path) const {
    return Fields(table, std::move(path), out_, file_);
  }
  SourceLocation where() const { return where_of(table_.source()); }

  // Whether the table holds `key`, without asking for it.
  bool has(std::string_view key) const { return table_.get(key) != nullptr; }
  const toml::node* node(std::string_view key) {
    known_.emplace(key);
    return table_.get(key);
  }
  SourceLocation where(std::string_view key) {
    const toml::node* n = table_.get(key);
    return n ? where_of(n->source()) : where();
  }

  void error(SourceLocation at, const std::string& message) {
    out_.push_back({file_, at, message});
  }
  void field_error(std::string_view key, const std::string& message) {
    error(where(key), path_ + "." + std::string(key) + ": " + message);
  }

  std::optional<std::string> string(std::string_view key, bool required) {
    const toml::node* n = node(key);
    if (!n) {
      if (required) error(where(), path_ + ": missing required field '" + std::string(key) + "'");
      return std::nullopt;
    }
    if (auto s = n->value<std::string>()) return *s;
    field_error(key, "expected a string");
    return std::nullopt;
  }

  std::optional<bool> boolean(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (n->is_boolean()) return n->value<bool>();
    field_error(key, "expected true or false");
    return std::nullopt;
  }

  std::optional<int64_t> integer(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (n->is_integer()) return n->value<int64_t>();
    field_error(key, "expected an integer");
    return std::nullopt;
  }

  // An integer from `min` to `max`; outside, `out_of_range(value)` is its
  // finding. `required`: missing is a finding too.
  template <typename OutOfRange>
  std::optional<int64_t> integer_in(std::string_view key, int64_t min, int64_t max, bool required,
                                    OutOfRange out_of_range) {
    if (required && !has(key)) {
      error(where(), path_ + ": missing required field '" + std::string(key) + "'");
      return std::nullopt;
    }
    auto value = integer(key);
    if (value && (*value < min || *value > max)) {
      field_error(key, out_of_range(*value));
      return std::nullopt;
    }
    return value;
  }

  std::optional<Ipv4> address(std::string_view key) {
    auto text = string(key, false);
    if (!text) return std::nullopt;
    auto parsed = Ipv4::parse(*text);
    if (!parsed) field_error(key, "'" + *text + "' is not an IPv4 address");
    return parsed;
  }

  // A string, or an array of strings; each with its own location.
  std::vector<std::pair<std::string, SourceLocation>> strings(std::string_view key, bool required) {
    std::vector<std::pair<std::string, SourceLocation>> result;
    const toml::node* n = node(key);
    if (!n) {
      if (required) error(where(), path_ + ": missing required field '" + std::string(key) + "'");
      return result;
    }
    if (auto s = n->value<std::string>()) {
      result.emplace_back(*s, where_of(n->source()));
    } else if (const toml::array* array = n->as_array()) {
      for (const toml::node& item : *array) {
        if (auto s = item.value<std::string>())
          result.emplace_back(*s, where_of(item.source()));
        else
          error(where_of(item.source()), path_ + "." + std::string(key) + ": expected a string");
      }
    } else {
      field_error(key, "expected a string or an array of strings");
    }
    return result;
  }

  const toml::table* table(std::string_view key) {
    const toml::node* n = node(key);
    if (!n) return nullptr;
    if (const toml::table* t = n->as_table()) return t;
    field_error(key, "expected a table");
    return nullptr;
  }

  // A CIDR prefix written at `at` for `field`; a finding if it is none or
  // has host bits set.
  std::optional<Prefix> prefix(const std::string& field, const std::string& text,
                               SourceLocation at);

  // Each [kind.NAME] table, in file order: the name is the key; `finish`
  // is called on each after `read_one`.
  void each_named(std::string_view kind,
                  const std::function<void(Fields&, const std::string&)>& read_one);

  // Each table of the array `key` (`routes = [{ ... }, ...]`), its path
  // "PATH.key[i]"; not an array: `not_array`; an item that is no table:
  // "PATH.key[i]: expected SHAPE". `finish` is called on each after
  // `read_one`, which gets the item's location.
  void each_entry(std::string_view key, const std::string& not_array, const std::string& shape,
                  const std::function<void(Fields&, SourceLocation)>& read_one);

  // Reports every key of the table nobody asked for (with a suggestion
  // for a typo).
  void finish();

 private:
  const toml::table& table_;
  std::string path_;
  std::vector<Diagnostic>& out_;
  const std::string& file_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace hublab
