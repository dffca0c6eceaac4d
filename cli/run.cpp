#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "lib_layout.hpp"
#include "doctor.hpp"
#include "program_lookup.hpp"
#include "usage.hpp"

namespace cgview::cli {

std::string library_next_to_binary() {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return {};
  std::string dir(exe, size_t(n));
  dir.erase(dir.rfind('/'));
  for (const char* candidate : {"/../lib/libcgview.so", "/../shim/libcgview.so"}) {
    char resolved[PATH_MAX];
    if (realpath((dir + candidate).c_str(), resolved) != nullptr) return resolved;
  }
  return {};
}

namespace {

// `shim` first, then the entries of `old` other than the shim itself: under a
// `cgview run` already, or an image's ENV LD_PRELOAD, it is not loaded twice.
// Where `old` or /etc/ld.so.preload names the shim through $LIB, `old` as it
// is: that entry loads each program's own build, and ours would make ld.so
// complain in programs of the other class (and load a second copy in the rest).
std::string preload_with_first(const std::string& shim, const char* old) {
  std::string_view given = old != nullptr ? old : "";
  std::vector<std::string> entries = preload_variable_entries(given);
  std::string system_file;
  RootFs("").read_file("/etc/ld.so.preload", 1 << 20, system_file);
  for (const std::vector<std::string>& list : {entries, preload_file_entries(system_file)})
    for (const std::string& entry : list)
      if (names_cgview_through_lib(entry)) return std::string(given);
  std::string out = shim;
  for (const std::string& entry : entries) {
    char resolved[PATH_MAX];
    if (entry == shim || (realpath(entry.c_str(), resolved) != nullptr && shim == resolved)) continue;
    out.append(":").append(entry);
  }
  return out;
}

}  // namespace

int run(const Config& config, const char* cpus, const char* memory, char** command) {
  Config check = config;
  if (cpus != nullptr && !set_cpus_override(check, cpus)) {
    return usage_error(std::string("run: --cpus ") + cpus + ": expected a positive number such as 2 or 1.5");
  }
  if (memory != nullptr && !set_memory_override(check, memory)) {
    return usage_error(std::string("run: --memory ") + memory +
                       ": expected at least 1M, in bytes or with a K, M, G or T suffix, such as 512M or 1.5G");
  }
  std::string shim = library_next_to_binary();
  if (shim.empty()) {
    std::fprintf(stderr, "cgview: libcgview.so not found next to this cgview (expected ../lib/libcgview.so)\n");
    return 1;
  }
  setenv("LD_PRELOAD", preload_with_first(shim, getenv("LD_PRELOAD")).c_str(), 1);
  if (cpus != nullptr) setenv("CGVIEW_CPUS", cpus, 1);
  if (memory != nullptr) setenv("CGVIEW_MEMORY", memory, 1);
  if (!config.root.live()) setenv("CGVIEW_SYSROOT", std::string(config.root.prefix.view()).c_str(), 1);
  // The doctor's verdict, before the exec: a program the shim cannot reach
  // would otherwise silently show the host's numbers.
  const char* path_var = getenv("PATH");
  RootFs live("");
  ProgramReport verdict = Doctor(live, path_var != nullptr ? path_var : "/usr/local/bin:/usr/bin:/bin").examine(command[0], false);
  // Not found, unreadable or not ELF: execvp decides (a file without #! runs under /bin/sh).
  if (!verdict.reached) print_warnings_once(config);  // no library in it to print them
  // A program of another class is reached where a $LIB entry names a build for it (the verdict looks).
  if (!verdict.reached && verdict.kind != "unreadable" && verdict.kind != "not-elf")
    std::fprintf(stderr, "cgview: warning: %s %s: cgview cannot reach it\n", command[0], verdict.why_not.c_str());
  execvp(command[0], command);
  // As env(1) and timeout(1): 127 when the command is not found, 126 when it cannot run.
  int error = errno;
  bool by_name = std::strchr(command[0], '/') == nullptr;
  std::fprintf(stderr, "cgview: %s: %s\n", command[0], error == ENOENT && by_name ? "command not found" : std::strerror(error));
  return error == ENOENT ? 127 : 126;
}

}  // namespace cgview::cli
