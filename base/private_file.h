#pragma once

// Files only their owner may read (mode 0600 unless told otherwise): daemon
// configs and the lab's state, which may hold a pre-shared key.

#include <sys/types.h>

#include <string>

namespace hublab {

// Creates or replaces `path` with `text`, at once (through a file beside it
// renamed over it), with the mode given whatever the old file's. Throws
// naming the path.
void write_private_file(const std::string& path, const std::string& text, mode_t mode = 0600);

// The whole file, or "" when it does not exist or cannot be read.
std::string read_private_file(const std::string& path);

}  // namespace hublab
