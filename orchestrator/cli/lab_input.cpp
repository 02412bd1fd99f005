#include "orchestrator/cli/lab_input.h"

#include <sys/stat.h>

#include <algorithm>
#include <iostream>
#include <stdexcept>

#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/lab_validator.h"

namespace hublab::cli {

std::optional<ValidLab> read_valid_lab(const std::string& path, const std::string& name_override) {
  auto read = read_lab_file(path);
  if (auto* refused = std::get_if<Diagnostic>(&read)) {
    std::cerr << refused->str() << "\n";
    return std::nullopt;
  }
  std::string& text = std::get<std::string>(read);
  LoadedLab loaded = load_lab_text(text, path);
  if (!name_override.empty()) {
    loaded.lab.name = name_override;
    loaded.lab.name_where = {};
  }
  std::vector<Diagnostic> findings = std::move(loaded.diagnostics);
  if (loaded.readable) {
    std::vector<Diagnostic> semantic = validate_lab(loaded.lab);
    findings.insert(findings.end(), semantic.begin(), semantic.end());
  }
  if (findings.empty()) return ValidLab{std::move(loaded.lab), std::move(text)};
  std::stable_sort(findings.begin(), findings.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  for (const Diagnostic& finding : findings) std::cerr << finding.str() << "\n";
  // One finding is one line; a count helps only when there are several.
  if (findings.size() > 1) std::cerr << path << ": " << findings.size() << " errors\n";
  return std::nullopt;
}

Lab running_lab(const LabState& state) {
  LoadedLab loaded = load_lab_text(state.lab_text(), state.source_path());
  if (!loaded.readable || !loaded.diagnostics.empty())
    throw std::runtime_error("the saved lab file of '" + state.lab() + "' no longer reads");
  loaded.lab.name = state.lab();
  loaded.lab.hops_visible = state.hops_visible();
  return loaded.lab;
}

bool looks_like_lab_file(const std::string& argument) {
  struct stat st;
  return stat(argument.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::optional<std::string> lab_name_of_file(const std::string& path) {
  LoadedLab loaded = load_lab_file(path);
  if (!loaded.readable) {
    for (const Diagnostic& finding : loaded.diagnostics) std::cerr << finding.str() << "\n";
    return std::nullopt;
  }
  return loaded.lab.name;
}

}  // namespace hublab::cli
