#pragma once

#include <array>
#include <map>
#include <string>

#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/lab_fields.h"

namespace hublab {

// The key itself, read from where the lab says (a file relative to the lab
// file, or an environment variable), or made at random. Throws with the
// field to blame (a LabFieldError for a key file); the message never
// holds the key.
// `key_field` names the key's fields in messages (shared_key, key, ...).
// Azure's keys are at most 128 characters; a key file far larger is no key.
inline constexpr size_t kMaxKeyFileBytes = 4096;

std::string resolve_shared_key(const SharedKeySource& source, const std::string& field,
                               const std::string& lab_file,
                               const std::string& key_field = "shared_key");

// Reads a secret given as `base`, `base_file` or `base_env` (at most one);
// returns whether the table names it at all.
bool read_key_source(Fields& f, const std::string& base, SharedKeySource& key);

std::string random_shared_key();

// Every connection's pre-shared key, by connection name, for side 0 and 1.
using SharedKeys = std::map<std::string, std::array<std::string, 2>>;

// The lab's keys, each read from where the lab says or made at random (one
// for both sides of a connection that names none). The only step that reads
// the environment or files for keys: `up` calls it once, before planning,
// and keeps the result with the running lab, so that planning has no side
// effects and a later fault plans with the very keys the tunnels run on.
// Throws with the field to blame; the message never holds a key.
SharedKeys resolve_shared_keys(const Lab& lab);

}  // namespace hublab
