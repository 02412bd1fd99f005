#pragma once

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

}  // namespace hublab
