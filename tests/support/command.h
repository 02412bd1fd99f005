#pragma once

// Runs a program and collects what it printed, for tests that drive the
// hublab binary and cross-check with iproute2.

#include <string>
#include <vector>

namespace hublab::test {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Also reaps daemons that labs orphaned (the test binary is their subreaper),
// so that no exited charon or BIRD lingers as a zombie after a test.
CommandResult run(const std::vector<std::string>& argv);
// Runs through /bin/sh -c, for pipelines.
CommandResult shell(const std::string& command);

// The hublab binary of this build, and the source tree's files.
std::string hublab_binary();
// Runs the hublab binary with `args`.
CommandResult run_hublab(const std::vector<std::string>& args);
std::string source_path(const std::string& relative);

}  // namespace hublab::test
