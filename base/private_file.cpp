#include "base/private_file.h"

#include <fstream>
#include <sstream>

#include "base/system_error.h"
#include "base/whole_file.h"

namespace hublab {

void write_private_file(const std::string& path, const std::string& text, mode_t mode) {
  if (int error = write_whole(path, text, {.mode = mode, .exact_mode = true}))
    throw system_error("writing " + path, error);
}

std::string read_private_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace hublab
