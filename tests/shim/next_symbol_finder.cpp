// next_symbol built into a library of its own for next_symbol_test, loaded between
// the test executable and the libraries it searches, as libcgview.so is loaded
// between a program and libc: both lookups below start from this library.
#include <dlfcn.h>

#include "../../shim/next_symbol.hpp"

extern "C" __attribute__((visibility("default"))) void* finder_next_symbol(const char* name, const char* version) {
  return cgview::shim::next_symbol(name, version);
}

extern "C" __attribute__((visibility("default"))) void* finder_rtld_next(const char* name, const char* version) {
  void* p = version != nullptr ? dlvsym(RTLD_NEXT, name, version) : dlsym(RTLD_NEXT, name);
  // Not a tail call: RTLD_NEXT counts from the object dlsym returns to, which must be this one.
  __asm__ volatile("" : : "r"(p) : "memory");
  return p;
}

// Also defined by the executable and by the GNU-hash library: the lookups must skip
// the executable (before this library) and this library itself.
extern "C" __attribute__((visibility("default"))) int next_plain_gnu() { return -2; }
