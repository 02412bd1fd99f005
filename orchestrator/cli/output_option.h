#pragma once

// An option that names a file to write (`check --junit FILE`, `graph -o
// FILE`, `import -o LAB.toml`): refused before the command does any work
// when no file can be written there, and written whole at the end.

#include <optional>
#include <string>

#include "base/output_file.h"

namespace hublab::cli {

// A CliError (bad input) "OPTION: PATH: why" when `path` is given and
// cannot be written.
void require_writable(const std::string& option, const std::optional<std::string>& path,
                      Existing existing);

// Writes `text` to `path` whole; nullopt, or "OPTION: PATH: why" when it
// could not (each command says what that costs it).
std::optional<std::string> write_output(const std::string& option, const std::string& path,
                                        const std::string& text, Existing existing);

}  // namespace hublab::cli
