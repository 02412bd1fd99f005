#pragma once

#include <optional>
#include <string>

#include "orchestrator/lab/lab.h"
#include "orchestrator/state/lab_state.h"

namespace hublab::cli {

// A lab file read and validated, with every finding printed to stderr as
// `file:line:col: message`, sorted by position.
struct ValidLab {
  Lab lab;
  std::string text;  // the file as read, to keep in the lab's state
};
std::optional<ValidLab> read_valid_lab(const std::string& path,
                                       const std::string& name_override = "");

// The lab as it was brought up (its saved file, under its running name).
Lab running_lab(const LabState& state);

// `down FILE` and `down NAME` both work: an argument that names an existing
// file is a lab file, anything else a lab name.
bool looks_like_lab_file(const std::string& argument);
// The lab name a file declares (or its stem), without full validation.
std::optional<std::string> lab_name_of_file(const std::string& path);

}  // namespace hublab::cli
