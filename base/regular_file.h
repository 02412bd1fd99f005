#pragma once

// Reading a file a user named, which may be anything a path can name: a
// directory (`hublab up labs/` is one tab away), a FIFO or /dev/zero (which
// would block or never end), or a file far too large to be what it claims.
// Only a regular file of a bounded size is read; anything else is refused
// without blocking.

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <variant>

namespace hublab {

struct FileRefusal {
  enum Kind { kUnreadable, kNotRegular, kTooLarge } kind;
  std::string
      detail;     // strerror's text, "is a directory", "is 104857600 bytes, more than 16777216"
  int error = 0;  // kUnreadable: the errno
};

// "a directory", "a FIFO", "a character device", ...: what a stat's mode
// names, for a refusal.
std::string kind_of_file(mode_t mode);

// The refusal in a few words after the path: "no such file", "not a
// regular file (is a directory)", "larger than 16777216 bytes", "cannot be
// read (Permission denied)".
std::string refusal_reason(const FileRefusal& refusal);

// What is left to read from `fd` until its end, at most `max_bytes` (the
// rest is left unread); nullopt when a read fails (a /proc file of a
// process that exits meanwhile fails with ESRCH).
std::optional<std::string> read_to_end(int fd, size_t max_bytes);

// The whole file, or why it was not read. Never blocks on a FIFO or device.
std::variant<std::string, FileRefusal> read_regular_file(const std::string& path, size_t max_bytes);

}  // namespace hublab
