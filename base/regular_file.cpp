#include "base/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace hublab {

std::string kind_of_file(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "no regular file";
}

std::optional<std::string> read_to_end(int fd, size_t max_bytes) {
  std::string text;
  char buffer[4096];
  while (text.size() < max_bytes) {
    ssize_t n = ::read(fd, buffer, std::min(sizeof buffer, max_bytes - text.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

std::variant<std::string, FileRefusal> read_regular_file(const std::string& path,
                                                         size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) return FileRefusal{FileRefusal::kUnreadable, std::strerror(errno), errno};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return FileRefusal{FileRefusal::kUnreadable, std::strerror(errno), errno};
  if (!S_ISREG(st.st_mode))
    return FileRefusal{FileRefusal::kNotRegular, "is " + kind_of_file(st.st_mode)};
  if (static_cast<size_t>(st.st_size) > max_bytes)
    return FileRefusal{
        FileRefusal::kTooLarge,
        "is " + std::to_string(st.st_size) + " bytes, more than " + std::to_string(max_bytes)};
  auto text = read_to_end(fd.get(), static_cast<size_t>(st.st_size));
  if (!text) return FileRefusal{FileRefusal::kUnreadable, std::strerror(errno), errno};
  return std::move(*text);
}

std::string refusal_reason(const FileRefusal& refusal) {
  switch (refusal.kind) {
    case FileRefusal::kUnreadable:
      return refusal.error == ENOENT ? "no such file" : "cannot be read (" + refusal.detail + ")";
    case FileRefusal::kNotRegular:
      return "not a regular file (" + refusal.detail + ")";
    case FileRefusal::kTooLarge:
      break;
  }
  return "too large (" + refusal.detail + ")";
}

}  // namespace hublab
