// libcgview.so must not need libstdc++.so (docs/design.md rule 1): a runtime that
// ships an older one would fail to load us. The C++ headers we use are
// header-only except for the helper that std::string_view::substr calls on an
// out-of-range position, which would throw. With exceptions off there is
// nothing to throw to; our parsers never pass such a position (the fuzzers
// check), so reaching this is a bug in cgview and stops here, loudly.
#include <cstdlib>

namespace std {
[[noreturn]] __attribute__((visibility("hidden"))) void __throw_out_of_range_fmt(const char*, ...) {
  __builtin_trap();
}
}  // namespace std
