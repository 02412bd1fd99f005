#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "base/sanitizer_defaults.h"
