#pragma once

// hublab's subcommands. Each takes the arguments after its own name and
// returns the process exit code: 0 success, 1 failure, 2 bad input.

#include <string>
#include <vector>

namespace hublab::cli {

using Args = std::vector<std::string>;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

int validate(const Args& args);
int up(const Args& args);
int down(const Args& args);
int list(const Args& args);
int exec(const Args& args);
int status(const Args& args);
int check(const Args& args);
int ping(const Args& args);
int trace(const Args& args);
int logs(const Args& args);
int routes(const Args& args);
int graph(const Args& args);
int doctor(const Args& args);

}  // namespace hublab::cli
