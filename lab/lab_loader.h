#pragma once

#include <string>
#include <vector>

#include "lab/lab.h"
#include "lab/source_location.h"

namespace hublab {

struct LoadedLab {
  Lab lab;
  // Syntax, type and unknown-key findings. When there are any, `lab` holds
  // whatever could be read, so that semantic checks can still report more.
  std::vector<Diagnostic> diagnostics;
  bool readable = false;  // false: the file could not be read or parsed at all
};

// Reads a lab file (TOML) into the model; `path` only names it in messages
// for load_lab_text.
LoadedLab load_lab_file(const std::string& path);
LoadedLab load_lab_text(const std::string& text, const std::string& path);

}  // namespace hublab
