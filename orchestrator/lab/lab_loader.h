#pragma once

#include <string>
#include <variant>
#include <vector>

#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/source_location.h"

namespace hublab {

struct LoadedLab {
  Lab lab;
  // Syntax, type and unknown-key findings. When there are any, `lab` holds
  // whatever could be read, so that semantic checks can still report more.
  std::vector<Diagnostic> diagnostics;
  bool readable = false;  // false: the file could not be read or parsed at all
};

// No lab file is this large (a 1000-VNet lab is about 210 KB); a larger
// file is refused before it is read.
inline constexpr size_t kMaxLabFileBytes = 16 << 20;

// The text of a lab file: only a regular file, of at most kMaxLabFileBytes,
// is read (a directory, FIFO or device is refused without blocking).
// Otherwise the finding that says why, naming the path.
std::variant<std::string, Diagnostic> read_lab_file(const std::string& path);

// Reads a lab file (TOML) into the model; `path` only names it in messages
// for load_lab_text.
LoadedLab load_lab_file(const std::string& path);
LoadedLab load_lab_text(const std::string& text, const std::string& path);

}  // namespace hublab
