#include "orchestrator/cli/output_option.h"

#include "orchestrator/cli/args.h"

namespace hublab::cli {

void require_writable(const std::string& option, const std::optional<std::string>& path,
                      Existing existing) {
  if (!path) return;
  if (auto reason = unwritable_reason(*path, existing))
    throw CliError(kExitBadInput, option + ": " + *path + ": " + *reason);
}

std::optional<std::string> write_output(const std::string& option, const std::string& path,
                                        const std::string& text, Existing existing) {
  if (auto reason = write_whole_file(path, text, existing))
    return option + ": " + path + ": " + *reason;
  return std::nullopt;
}

}  // namespace hublab::cli
