#pragma once

#include <string>

namespace hublab {

// Lays out a graph in Graphviz's DOT language and renders it (libgvc), e.g.
// as "svg". Throws when the text does not parse.
std::string render_dot(const std::string& dot, const std::string& format);

}  // namespace hublab
