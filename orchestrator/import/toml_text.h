#pragma once

// The TOML an imported lab is written in: keys bare where TOML allows it,
// quoted otherwise (Azure names may hold dots); strings escaped.

#include <string>
#include <vector>

namespace hublab::toml_text {

std::string key(const std::string& name);                    // hub00, "my.vnet"
std::string string(const std::string& text);                 // "text", escaped
std::string strings(const std::vector<std::string>& texts);  // ["a", "b"]

}  // namespace hublab::toml_text
