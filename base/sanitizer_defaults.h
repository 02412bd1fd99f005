#pragma once

// Defaults for LeakSanitizer in the sanitizer build (HUBLAB_SANITIZE),
// compiled into each program: include it once, in the file with main().
// Debian 12's Graphviz 2.42 and the font stack it loads for `graph --format
// svg` leak inside themselves (gvContext's configuration, the dot layout's
// virtual edges, fontconfig and pango caches); hublab frees all the API hands
// it (gvFreeRenderData, gvFreeLayout, agclose, gvFreeContext).

#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libgvc.so\nleak:libgvplugin_\nleak:libfontconfig.so\nleak:libpango\n";
}
extern "C" const char* __lsan_default_options() {
  return "print_suppressions=0";
}
#endif
