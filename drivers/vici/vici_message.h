// The vici message: an ordered tree of sections, key/values and lists, and its
// binary encoding (strongSwan src/libcharon/plugins/vici/README.md, "Message
// format"). Values are raw byte strings held in std::string; charon only ever
// sends non-NUL-terminated text, numbers included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hublab::vici {

// Thrown for bytes that are not a well-formed message, and for trees that the
// encoding cannot represent (a name over 255 bytes, a value over 65535 bytes).
class MessageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using List = std::vector<std::string>;

struct Entry;

// A section holds its entries in insertion order: order matters to charon
// (e.g. several "local"/"remote" auth rounds, proposals are read in order).
// The root section of a message is the message itself (see Message below).
class Section {
 public:
  Section();
  Section(const Section&);
  Section(Section&&) noexcept;
  Section& operator=(const Section&);
  Section& operator=(Section&&) noexcept;
  ~Section();

  // Builders. Keys are unique within a section (vici rule), so setting an
  // existing key of the same kind replaces it; a clash with another kind throws.
  Section& set(std::string_view key, std::string_view value);
  Section& set_list(std::string_view key, List items);
  // Returns the child section, creating it at the end if absent, so nested
  // builders read like the tree: msg.section("conn").section("local").set(...)
  Section& section(std::string_view name);

  // Lookups return nullptr when the key is absent or is of another kind.
  // Decoded messages may repeat a key (charon should not, but the wire allows
  // it): lookups return the first occurrence, entries() shows them all.
  const std::string* find(std::string_view key) const;
  const List* find_list(std::string_view key) const;
  const Section* find_section(std::string_view name) const;

  // Like find*, but throw MessageError naming the missing key.
  const std::string& get(std::string_view key) const;
  const List& get_list(std::string_view key) const;
  const Section& get_section(std::string_view name) const;

  std::string value_or(std::string_view key, std::string_view fallback) const;
  bool contains(std::string_view key) const;

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const;
  std::size_t size() const;

  // Appends without the uniqueness check: the decoder keeps what was sent.
  Entry& append(Entry entry);

  friend bool operator==(const Section&, const Section&);

 private:
  Entry* find_entry(std::string_view name);
  const Entry* find_entry(std::string_view name) const;

  std::vector<Entry> entries_;
};

struct Entry {
  std::string name;
  std::variant<std::string, List, Section> value;

  bool is_value() const { return std::holds_alternative<std::string>(value); }
  bool is_list() const { return std::holds_alternative<List>(value); }
  bool is_section() const { return std::holds_alternative<Section>(value); }

  friend bool operator==(const Entry&, const Entry&) = default;
};

using Message = Section;

// Element type codes of the message encoding.
enum class ElementType : std::uint8_t {
  kSectionStart = 1,
  kSectionEnd = 2,
  kKeyValue = 3,
  kListStart = 4,
  kListItem = 5,
  kListEnd = 6,
};

// Deep trees are legitimate in neither direction; bounding depth keeps the
// recursive destructor/encoder/equality from exhausting the stack on hostile
// input (a 512 KiB packet could otherwise nest ~250000 sections).
inline constexpr std::size_t kMaxSectionDepth = 64;

std::string encode(const Message& message);
Message decode(std::string_view bytes);

// Human-readable dump in the README's pseudo-markup, for logs and test
// failures. Values of keys whose name suggests a secret are masked.
std::string to_text(const Message& message);

}  // namespace hublab::vici
