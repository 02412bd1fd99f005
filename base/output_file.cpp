#include "base/output_file.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/regular_file.h"
#include "base/whole_file.h"

namespace hublab {

namespace {

std::string directory_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Where the bytes go: the file a symbolic link names, or the path itself.
std::string resolved(const std::string& path) {
  char target[PATH_MAX];
  if (realpath(path.c_str(), target)) return target;
  return path;
}

}  // namespace

std::optional<std::string> unwritable_reason(const std::string& path, Existing existing) {
  if (path.empty()) return "is an empty path";
  if (path.back() == '/') return "names a directory, not a file";
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    if (existing == Existing::kRefuse) return "exists; remove it or name another file";
    if (!S_ISREG(info.st_mode)) return "is " + kind_of_file(info.st_mode) + ", not a file";
    if (::access(path.c_str(), W_OK) != 0)
      return std::string("cannot be written (") + std::strerror(errno) + ")";
    return std::nullopt;
  }
  if (errno != ENOENT) return std::string("cannot be written (") + std::strerror(errno) + ")";
  if (::lstat(path.c_str(), &info) == 0) return "is a symbolic link to nothing";
  const std::string directory = directory_of(path);
  if (::stat(directory.c_str(), &info) != 0)
    return "its directory " + directory + " " +
           (errno == ENOENT ? std::string("does not exist") : std::strerror(errno));
  if (!S_ISDIR(info.st_mode)) return "its directory " + directory + " is no directory";
  if (::access(directory.c_str(), W_OK | X_OK) != 0)
    return "its directory " + directory + " cannot be written (" + std::strerror(errno) + ")";
  return std::nullopt;
}

std::optional<std::string> write_whole_file(const std::string& path, const std::string& text,
                                            Existing existing) {
  if (auto reason = unwritable_reason(path, existing)) return reason;
  const int error = write_whole(resolved(path), text, {.replace = existing == Existing::kReplace});
  if (!error) return std::nullopt;
  if (error == EEXIST) return "exists; remove it or name another file";
  return std::string("cannot be written (") + std::strerror(error) + ")";
}

}  // namespace hublab
