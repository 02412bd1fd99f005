#include "orchestrator/lab/lab_fields.h"

#include <algorithm>

namespace hublab {

SourceLocation where_of(const toml::source_region& region) {
  return {static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<Prefix> Fields::prefix(const std::string& field, const std::string& text,
                                     SourceLocation at) {
  Prefix::ParseError error;
  auto parsed = Prefix::parse(text, &error);
  if (error == Prefix::ParseError::kSyntax)
    this->error(at, path_ + "." + field + ": '" + text + "' is not a CIDR prefix (a.b.c.d/n)");
  else if (error == Prefix::ParseError::kHostBits)
    this->error(at, path_ + "." + field + ": '" + text +
                        "' has host bits set; the network address is needed");
  return parsed;
}

void Fields::finish() {
  for (auto&& [key, value] : table_) {
    if (known_.count(std::string(key.str()))) continue;
    std::string message = path_.empty() ? "" : path_ + ": ";
    message += "unknown key '" + std::string(key.str()) + "'";
    std::string best;
    size_t best_distance = 3;
    for (const std::string& candidate : known_) {
      size_t d = edit_distance(key.str(), candidate);
      if (d < best_distance) best = candidate, best_distance = d;
    }
    if (!best.empty()) message += " (did you mean '" + best + "'?)";
    error(where_of(key.source()), message);
  }
}
void Fields::each_entry(std::string_view key, const std::string& not_array,
                        const std::string& shape,
                        const std::function<void(Fields&, SourceLocation)>& read_one) {
  const toml::node* n = node(key);
  if (!n) return;
  const toml::array* items = n->as_array();
  if (!items) return field_error(key, not_array);
  for (size_t i = 0; i < items->size(); ++i) {
    const std::string path = path_ + "." + std::string(key) + "[" + std::to_string(i) + "]";
    const toml::table* entry = (*items)[i].as_table();
    if (!entry) {
      error(where_of((*items)[i].source()), path + ": expected " + shape);
      continue;
    }
    Fields item = nested(*entry, path);
    read_one(item, where_of(entry->source()));
    item.finish();
  }
}

void Fields::each_named(std::string_view kind,
                        const std::function<void(Fields&, const std::string&)>& read_one) {
  const toml::table* all = table(kind);
  if (!all) return;
  // toml++ keeps tables sorted by key; labs read better in file order
  // (namespaces, bridges and listings follow it).
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (auto&& [key, value] : *all) entries.emplace_back(&key, &value);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.first->source().begin < b.first->source().begin;
  });
  for (auto [key, value] : entries) {
    std::string name(key->str());
    std::string path = std::string(kind) + "." + name;
    const toml::table* table = value->as_table();
    if (!table) {
      error(where_of(value->source()), path + ": expected a table");
      continue;
    }
    Fields f = nested(*table, path);
    read_one(f, name);
    f.finish();
  }
}

}  // namespace hublab
