#include "orchestrator/lab/shared_key.h"

#include <sys/random.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <variant>

#include "base/hex.h"
#include "base/regular_file.h"
#include "orchestrator/lab/source_location.h"

namespace hublab {

std::string random_shared_key() {
  unsigned char bytes[24];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    got += static_cast<size_t>(n);
  }
  return to_hex(std::string(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

bool read_key_source(Fields& f, const std::string& base, SharedKeySource& key) {
  struct Choice {
    std::string field;
    SharedKeySource::Kind kind;
  };
  int given = 0;
  for (const Choice& choice : {Choice{base, SharedKeySource::Kind::kInline},
                               Choice{base + "_file", SharedKeySource::Kind::kFile},
                               Choice{base + "_env", SharedKeySource::Kind::kEnv}}) {
    auto value = f.string(choice.field, false);
    if (!value) continue;
    if (++given > 1) {
      f.field_error(choice.field,
                    "give only one of " + base + ", " + base + "_file and " + base + "_env");
      continue;
    }
    if (value->empty()) f.field_error(choice.field, "must not be empty");
    key = {choice.kind, *value, f.where(choice.field)};
  }
  return given > 0;
}

std::string resolve_shared_key(const SharedKeySource& source, const std::string& field,
                               const std::string& lab_file, const std::string& key_field) {
  switch (source.kind) {
    case SharedKeySource::Kind::kGenerated:
      return random_shared_key();
    case SharedKeySource::Kind::kInline:
      return source.value;
    case SharedKeySource::Kind::kEnv: {
      const char* value = std::getenv(source.value.c_str());
      if (!value || !*value)
        throw LabFieldError(source.where, field + "." + key_field +
                                              "_env: the environment variable " + source.value +
                                              " is not set");
      return value;
    }
    case SharedKeySource::Kind::kFile: {
      std::filesystem::path path = source.value;
      if (path.is_relative()) path = std::filesystem::path(lab_file).parent_path() / path;
      const std::string blame = field + "." + key_field + "_file: " + path.string() + ": ";
      // Bounded, and never blocking: a key file that is a FIFO, /dev/zero or
      // a directory is a slip of the user's, not a key.
      auto read = read_regular_file(path.string(), kMaxKeyFileBytes);
      if (auto* refused = std::get_if<FileRefusal>(&read))
        throw LabFieldError(source.where, blame + refusal_reason(*refused));
      std::string key = std::get<std::string>(std::move(read));
      while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
      if (key.empty()) throw LabFieldError(source.where, blame + "is empty");
      if (key.find_first_of("\r\n") != std::string::npos)
        throw LabFieldError(source.where, blame + "holds more than one line: a key is one line");
      return key;
    }
  }
  return {};
}

SharedKeys resolve_shared_keys(const Lab& lab) {
  SharedKeys keys;
  for (const Connection& connection : lab.connections) {
    const std::string generated = random_shared_key();
    for (int side = 0; side < 2; ++side) {
      const SharedKeySource& key = connection.shared_key_of(side);
      const std::string field =
          "connection." + connection.name +
          (connection.sides[side].shared_key ? "." + connection.gateways[side] : "");
      keys[connection.name][side] = key.kind == SharedKeySource::Kind::kGenerated
                                        ? generated
                                        : resolve_shared_key(key, field, lab.file);
    }
  }
  return keys;
}

}  // namespace hublab
