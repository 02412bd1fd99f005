#pragma once

// A file written whole or not at all: the text goes to a file beside it,
// which then takes its place. A hublab killed half-way, or a reader at the
// same moment (status during a fault, CI reading a JUnit report), sees the
// old file or the new one, never a truncated one.

#include <sys/types.h>

#include <string>

namespace hublab {

struct WholeFile {
  mode_t mode = 0644;
  bool exact_mode = false;  // the mode whatever the umask and the old file's
  bool replace = true;      // false: an existing file (even one made meanwhile) is kept
};

// 0, or the errno of the step that failed; nothing is left behind then.
int write_whole(const std::string& path, const std::string& text, const WholeFile& how);

}  // namespace hublab
