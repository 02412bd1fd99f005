#pragma once

#include <string>

#include "lab/lab.h"

namespace hublab {

// The key itself, read from where the lab says (a file relative to the lab
// file, or an environment variable), or made at random. Throws with the
// field to blame; the message never holds the key.
std::string resolve_shared_key(const SharedKeySource& source, const std::string& field,
                               const std::string& lab_file);

std::string random_shared_key();

}  // namespace hublab
