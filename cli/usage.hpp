// Usage errors: one line on stderr that says what was wrong and where to look,
// exit status 2. The full usage is only for --help.
#pragma once

#include <cstdio>
#include <string>

namespace cgview::cli {

inline constexpr int kExitUsage = 2;

inline int usage_error(const std::string& message) {
  std::fprintf(stderr, "cgview: %s; try 'cgview --help'\n", message.c_str());
  return kExitUsage;
}

}  // namespace cgview::cli
