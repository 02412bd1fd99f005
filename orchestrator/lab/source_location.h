#pragma once

#include <stdexcept>
#include <string>

namespace hublab {

struct SourceLocation {
  int line = 0;
  int column = 0;
};

// One finding about a lab file, printed as `file:line:col: message` so that
// editors and CI logs link straight to it.
struct Diagnostic {
  std::string file;
  SourceLocation where;
  std::string message;

  std::string str() const {
    if (where.line == 0) return file + ": " + message;
    return file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": " +
           message;
  }
};

// A file the lab file names (a key file, an FRR configuration) that cannot
// be used, blamed on the field that names it: `up` prints it as a
// Diagnostic of the lab file, before anything is made.
class LabFieldError : public std::runtime_error {
 public:
  LabFieldError(SourceLocation where, const std::string& message)
      : std::runtime_error(message), where(where) {}
  SourceLocation where;
};

}  // namespace hublab
