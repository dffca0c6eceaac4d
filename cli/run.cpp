#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "commands.hpp"

namespace cgview::cli {

namespace {

// The shim installed next to this binary: <prefix>/bin/cgview -> <prefix>/lib/libcgview.so.
std::string shim_path() {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return {};
  std::string dir(exe, size_t(n));
  dir.erase(dir.rfind('/'));
  for (const char* candidate : {"/../lib/libcgview.so", "/../shim/libcgview.so"}) {
    std::string path = dir + candidate;
    char resolved[PATH_MAX];
    if (realpath(path.c_str(), resolved) != nullptr) return resolved;
  }
  return {};
}

}  // namespace

int run(const Config& config, const char* cpus, const char* memory, char** command) {
  Config check = config;
  if (cpus != nullptr && !set_cpus_override(check, cpus)) {
    std::fprintf(stderr, "cgview: --cpus %s: expected a positive number such as 2 or 1.5\n", cpus);
    return 2;
  }
  if (memory != nullptr && !set_memory_override(check, memory)) {
    std::fprintf(stderr, "cgview: --memory %s: expected bytes or a K/M/G/T size such as 512M\n", memory);
    return 2;
  }
  std::string shim = shim_path();
  if (shim.empty()) {
    std::fprintf(stderr, "cgview: libcgview.so not found next to this cgview (expected ../lib/libcgview.so)\n");
    return 1;
  }
  const char* old = getenv("LD_PRELOAD");
  std::string preload = shim + (old != nullptr && old[0] != '\0' ? std::string(":") + old : "");
  setenv("LD_PRELOAD", preload.c_str(), 1);
  if (cpus != nullptr) setenv("CGVIEW_CPUS", cpus, 1);
  if (memory != nullptr) setenv("CGVIEW_MEMORY", memory, 1);
  if (!config.root.live()) setenv("CGVIEW_SYSROOT", std::string(config.root.prefix.view()).c_str(), 1);
  execvp(command[0], command);
  std::fprintf(stderr, "cgview: cannot run %s: %s\n", command[0], std::strerror(errno));
  return 1;
}

}  // namespace cgview::cli
