#pragma once

// The one policy for tests that need root (real namespaces, daemons): they
// are tagged [root] and begin with REQUIRE_ROOT(). A run that should have
// root (ctest sets HUBLAB_TESTS_NEED_ROOT=1; scripts/test and CI run ctest as
// root) fails such a test without it; a developer running the test binary by
// hand without root sees it skipped with a warning, never silently passed.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>

namespace hublab::test {

inline bool root_required_by_run() {
  const char* need = std::getenv("HUBLAB_TESTS_NEED_ROOT");
  return need && std::strcmp(need, "1") == 0;
}

}  // namespace hublab::test

#define REQUIRE_ROOT()                                                        \
  if (::geteuid() != 0) {                                                     \
    if (hublab::test::root_required_by_run())                                 \
      FAIL("needs root (network namespaces, daemons); this run requires it"); \
    WARN("skipped: needs root (network namespaces, daemons)");                \
    return;                                                                   \
  }
