#pragma once

// `up` as both `hublab up` and `hublab check --up` run it: validates the
// file, checks the host, brings the lab up with progress on `progress_out`,
// and on failure prints why and what was removed. Returns the exit code.

#include <optional>
#include <ostream>
#include <string>

namespace hublab::cli {

struct UpRequest {
  std::string file;
  std::string name;                  // overrides the file's [lab].name when set
  std::optional<bool> hops_visible;  // overrides the file's hops setting when set
  bool quiet = false;
};

int up_lab(const UpRequest& request, std::ostream& progress_out);

}  // namespace hublab::cli
