#include "drivers/vici/vici_message.h"

#include <limits>
#include <utility>

namespace hublab::vici {

namespace {

constexpr std::size_t kMaxNameLength = std::numeric_limits<std::uint8_t>::max();
constexpr std::size_t kMaxValueLength = std::numeric_limits<std::uint16_t>::max();

std::string in_quotes(std::string_view name) {
  return "'" + std::string(name) + "'";
}

// Every read is checked against the end of the input, so malformed lengths
// surface as MessageError at the offending offset instead of reading past it.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  bool at_end() const { return offset_ == bytes_.size(); }
  std::size_t offset() const { return offset_; }

  std::uint8_t u8(const char* what) {
    require(1, what);
    return static_cast<std::uint8_t>(bytes_[offset_++]);
  }

  std::uint16_t u16(const char* what) {
    require(2, what);
    auto high = static_cast<std::uint8_t>(bytes_[offset_]);
    auto low = static_cast<std::uint8_t>(bytes_[offset_ + 1]);
    offset_ += 2;
    return static_cast<std::uint16_t>((high << 8) | low);
  }

  std::string_view bytes(std::size_t count, const char* what) {
    require(count, what);
    std::string_view out = bytes_.substr(offset_, count);
    offset_ += count;
    return out;
  }

  std::string_view name(const char* what) { return bytes(u8(what), what); }
  std::string_view value(const char* what) { return bytes(u16(what), what); }

 private:
  void require(std::size_t count, const char* what) const {
    if (bytes_.size() - offset_ < count) {
      throw MessageError("vici message truncated: " + std::string(what) + " at offset " +
                         std::to_string(offset_) + " needs " + std::to_string(count) +
                         " byte(s), " + std::to_string(bytes_.size() - offset_) + " left");
    }
  }

  std::string_view bytes_;
  std::size_t offset_ = 0;
};

class ByteWriter {
 public:
  void element(ElementType type) { out_.push_back(static_cast<char>(type)); }

  void name(std::string_view name) {
    if (name.size() > kMaxNameLength) {
      throw MessageError("vici name longer than 255 bytes: " + in_quotes(name.substr(0, 32)) +
                         "...");
    }
    out_.push_back(static_cast<char>(name.size()));
    out_.append(name);
  }

  void value(std::string_view value, std::string_view owner) {
    if (value.size() > kMaxValueLength) {
      throw MessageError("vici value of " + in_quotes(owner) + " longer than 65535 bytes");
    }
    out_.push_back(static_cast<char>((value.size() >> 8) & 0xff));
    out_.push_back(static_cast<char>(value.size() & 0xff));
    out_.append(value);
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void encode_section(const Section& section, ByteWriter& writer, std::size_t depth) {
  if (depth > kMaxSectionDepth) {
    throw MessageError("vici message nests sections deeper than " +
                       std::to_string(kMaxSectionDepth));
  }
  for (const Entry& entry : section.entries()) {
    if (const auto* value = std::get_if<std::string>(&entry.value)) {
      writer.element(ElementType::kKeyValue);
      writer.name(entry.name);
      writer.value(*value, entry.name);
    } else if (const auto* list = std::get_if<List>(&entry.value)) {
      writer.element(ElementType::kListStart);
      writer.name(entry.name);
      for (const std::string& item : *list) {
        writer.element(ElementType::kListItem);
        writer.value(item, entry.name);
      }
      writer.element(ElementType::kListEnd);
    } else {
      writer.element(ElementType::kSectionStart);
      writer.name(entry.name);
      encode_section(std::get<Section>(entry.value), writer, depth + 1);
      writer.element(ElementType::kSectionEnd);
    }
  }
}

// Keys that carry key material in vici requests (load-shared "data", swanctl
// style "secret"); their values never reach logs.
bool is_secret_key(std::string_view key) {
  return key == "data" || key.find("secret") != std::string_view::npos;
}

void append_text(const Section& section, std::string& out, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  for (const Entry& entry : section.entries()) {
    if (const auto* value = std::get_if<std::string>(&entry.value)) {
      out += pad + entry.name + " = " + (is_secret_key(entry.name) ? "<hidden>" : *value) + "\n";
    } else if (const auto* list = std::get_if<List>(&entry.value)) {
      out += pad + entry.name + " = [";
      for (std::size_t i = 0; i < list->size(); ++i) {
        out += (i == 0 ? " " : ", ") + (*list)[i];
      }
      out += " ]\n";
    } else {
      out += pad + entry.name + " {\n";
      append_text(std::get<Section>(entry.value), out, indent + 1);
      out += pad + "}\n";
    }
  }
}

}  // namespace

Section::Section() = default;
Section::Section(const Section&) = default;
Section::Section(Section&&) noexcept = default;
Section& Section::operator=(const Section&) = default;
Section& Section::operator=(Section&&) noexcept = default;
Section::~Section() = default;

bool Section::empty() const {
  return entries_.empty();
}
std::size_t Section::size() const {
  return entries_.size();
}

Entry* Section::find_entry(std::string_view name) {
  for (Entry& entry : entries_) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

const Entry* Section::find_entry(std::string_view name) const {
  for (const Entry& entry : entries_) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

Section& Section::set(std::string_view key, std::string_view value) {
  if (Entry* existing = find_entry(key)) {
    if (!existing->is_value()) {
      throw MessageError("vici key " + in_quotes(key) + " already names a list or section");
    }
    existing->value = std::string(value);
  } else {
    entries_.push_back(Entry{std::string(key), std::string(value)});
  }
  return *this;
}

Section& Section::set_list(std::string_view key, List items) {
  if (Entry* existing = find_entry(key)) {
    if (!existing->is_list()) {
      throw MessageError("vici key " + in_quotes(key) + " already names a value or section");
    }
    existing->value = std::move(items);
  } else {
    entries_.push_back(Entry{std::string(key), std::move(items)});
  }
  return *this;
}

Section& Section::section(std::string_view name) {
  if (Entry* existing = find_entry(name)) {
    if (!existing->is_section()) {
      throw MessageError("vici key " + in_quotes(name) + " already names a value or list");
    }
    return std::get<Section>(existing->value);
  }
  entries_.push_back(Entry{std::string(name), Section{}});
  return std::get<Section>(entries_.back().value);
}

const std::string* Section::find(std::string_view key) const {
  const Entry* entry = find_entry(key);
  return entry ? std::get_if<std::string>(&entry->value) : nullptr;
}

const List* Section::find_list(std::string_view key) const {
  const Entry* entry = find_entry(key);
  return entry ? std::get_if<List>(&entry->value) : nullptr;
}

const Section* Section::find_section(std::string_view name) const {
  const Entry* entry = find_entry(name);
  return entry ? std::get_if<Section>(&entry->value) : nullptr;
}

const std::string& Section::get(std::string_view key) const {
  if (const std::string* value = find(key)) return *value;
  throw MessageError("vici message has no value " + in_quotes(key));
}

const List& Section::get_list(std::string_view key) const {
  if (const List* list = find_list(key)) return *list;
  throw MessageError("vici message has no list " + in_quotes(key));
}

const Section& Section::get_section(std::string_view name) const {
  if (const Section* section = find_section(name)) return *section;
  throw MessageError("vici message has no section " + in_quotes(name));
}

std::string Section::value_or(std::string_view key, std::string_view fallback) const {
  const std::string* value = find(key);
  return value ? *value : std::string(fallback);
}

bool Section::contains(std::string_view key) const {
  return find_entry(key) != nullptr;
}

Entry& Section::append(Entry entry) {
  return entries_.emplace_back(std::move(entry));
}

bool operator==(const Section& a, const Section& b) {
  return a.entries_ == b.entries_;
}

std::string encode(const Message& message) {
  ByteWriter writer;
  encode_section(message, writer, 0);
  return writer.take();
}

Message decode(std::string_view bytes) {
  Message root;
  // open[i + 1] lives inside open[i]'s last entry; only the innermost section
  // is appended to, so these pointers stay valid while it is open.
  std::vector<Section*> open{&root};
  List* open_list = nullptr;
  std::string open_list_name;
  ByteReader reader(bytes);

  while (!reader.at_end()) {
    const std::size_t element_offset = reader.offset();
    const std::uint8_t type = reader.u8("element type");
    const auto where = [&] { return " at offset " + std::to_string(element_offset); };
    if (open_list && type != static_cast<std::uint8_t>(ElementType::kListItem) &&
        type != static_cast<std::uint8_t>(ElementType::kListEnd)) {
      throw MessageError("vici element type " + std::to_string(type) + " inside list " +
                         in_quotes(open_list_name) + where());
    }
    switch (static_cast<ElementType>(type)) {
      case ElementType::kSectionStart: {
        std::string name(reader.name("section name"));
        if (open.size() > kMaxSectionDepth) {
          throw MessageError("vici message nests sections deeper than " +
                             std::to_string(kMaxSectionDepth) + where());
        }
        Entry& added = open.back()->append(Entry{std::move(name), Section{}});
        open.push_back(&std::get<Section>(added.value));
        break;
      }
      case ElementType::kSectionEnd:
        if (open.size() == 1) throw MessageError("vici section end without open section" + where());
        open.pop_back();
        break;
      case ElementType::kKeyValue: {
        std::string name(reader.name("key name"));
        std::string value(reader.value("value"));
        open.back()->append(Entry{std::move(name), std::move(value)});
        break;
      }
      case ElementType::kListStart: {
        open_list_name = std::string(reader.name("list name"));
        Entry& added = open.back()->append(Entry{open_list_name, List{}});
        open_list = &std::get<List>(added.value);
        break;
      }
      case ElementType::kListItem:
        if (!open_list) throw MessageError("vici list item outside a list" + where());
        open_list->emplace_back(reader.value("list item"));
        break;
      case ElementType::kListEnd:
        if (!open_list) throw MessageError("vici list end without open list" + where());
        open_list = nullptr;
        break;
      default:
        throw MessageError("vici unknown element type " + std::to_string(type) + where());
    }
  }
  if (open_list) throw MessageError("vici message ends inside list " + in_quotes(open_list_name));
  if (open.size() > 1) {
    throw MessageError("vici message ends with " + std::to_string(open.size() - 1) +
                       " unclosed section(s)");
  }
  return root;
}

std::string to_text(const Message& message) {
  std::string out;
  append_text(message, out, 0);
  return out;
}

}  // namespace hublab::vici
