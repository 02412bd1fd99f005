#pragma once

// Writing a file a user named (`check --junit FILE`, `graph -o FILE`,
// `import -o FILE`): the path is looked at before any work is done, so that a
// directory, a FIFO (which would block), a device or a missing directory is
// refused at once, not after a minute of probes; and the file is written
// whole or not at all (a temporary file beside it, renamed), so a reader
// never sees half a report.

#include <optional>
#include <string>

namespace hublab {

enum class Existing { kReplace, kRefuse };

// Why `path` cannot be written, in a few words after it ("is a directory,
// not a file", "its directory /x does not exist"); nullopt when it can.
std::optional<std::string> unwritable_reason(const std::string& path, Existing existing);

// Writes `text` to `path` whole, or returns why not (and leaves nothing).
// A symbolic link is followed: the file it names is replaced.
std::optional<std::string> write_whole_file(const std::string& path, const std::string& text,
                                            Existing existing);

}  // namespace hublab
