#include "orchestrator/import/toml_text.h"

#include <cctype>
#include <cstdio>

namespace hublab::toml_text {

std::string key(const std::string& name) {
  bool bare = !name.empty();
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '-' && c != '_') bare = false;
  return bare ? name : string(name);
}

std::string string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string strings(const std::vector<std::string>& texts) {
  std::string out = "[";
  for (size_t i = 0; i < texts.size(); ++i) out += (i ? ", " : "") + string(texts[i]);
  return out + "]";
}

}  // namespace hublab::toml_text
