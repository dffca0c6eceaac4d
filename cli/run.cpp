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
#include "int128.hpp"
#include "limits.hpp"
#include "program_lookup.hpp"
#include "usage.hpp"

namespace cgview::cli {

namespace {

constexpr const char* kLibraryBesideBinary[] = {"/../lib/libcgview.so", "/../shim/libcgview.so"};

// The directory this binary is in ("" when /proc/self/exe cannot be read).
std::string binary_directory() {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return {};
  std::string dir(exe, size_t(n));
  dir.erase(dir.rfind('/'));
  return dir;
}

// `shim` first, then the entries of `old` other than the shim itself: under a
// `cgview run` already, or an image's ENV LD_PRELOAD, it is not loaded twice.
std::string preload_with_first(const std::string& shim, const char* old) {
  std::string out = shim;
  for (const std::string& entry : preload_variable_entries(old != nullptr ? old : "")) {
    char resolved[PATH_MAX];
    if (entry == shim || (realpath(entry.c_str(), resolved) != nullptr && shim == resolved)) continue;
    out.append(":").append(entry);
  }
  return out;
}

// An override above what the kernel enforces here makes programs size
// themselves for CPUs or memory they cannot have: a heap the OOM killer ends,
// more workers than the quota runs. Overrides are for lowering; raising is
// allowed, and said once, before the program starts.
void warn_above_enforced(const Config& config, const char* cpus, const char* memory, const Config& with_overrides) {
  Config enforced_config = config;
  enforced_config.has_cpus_override = enforced_config.has_memory_override = false;
  Limits enforced;
  if (config.disabled || !compute_limits(enforced_config, enforced)) return;
  const MemoryLimits& mem = enforced.memory;
  if (memory != nullptr && mem.has_limit && with_overrides.memory_override > mem.limit)
    std::fprintf(stderr,
                 "cgview: warning: --memory %s is above the memory limit the kernel enforces here, %llu bytes "
                 "(%s): programs may size themselves for memory they cannot have\n",
                 memory, (unsigned long long)mem.limit, std::string(mem.limit_source.file.view()).c_str());
  const CpuLimits& cpu = enforced.cpu;
  // cpus_override_micro / 10^6 > quota / period, without dividing.
  if (cpus != nullptr && cpu.has_quota &&
      Int128(with_overrides.cpus_override_micro) * cpu.quota.period > Int128(cpu.quota.quota) * 1000000)
    std::fprintf(stderr,
                 "cgview: warning: --cpus %s is above the CPU quota the kernel enforces here, %g CPUs (%s): "
                 "programs may start more workers than it runs at once\n",
                 cpus, double(cpu.quota.quota) / double(cpu.quota.period), std::string(cpu.quota_source.file.view()).c_str());
}

}  // namespace

std::string library_next_to_binary() {
  std::string dir = binary_directory();
  if (dir.empty()) return {};
  for (const char* candidate : kLibraryBesideBinary) {
    char resolved[PATH_MAX];
    if (realpath((dir + candidate).c_str(), resolved) != nullptr) return resolved;
  }
  return {};
}

std::string library_not_found() {
  std::string dir = binary_directory();
  if (dir.empty()) return "libcgview.so not found: /proc/self/exe cannot be read to tell where this cgview is";
  return "libcgview.so not found next to this cgview: neither " + dir + kLibraryBesideBinary[0] + " nor " + dir +
         kLibraryBesideBinary[1] + " exists";
}

int run(const Config& config, const char* cpus, const char* memory, char** command) {
  Config check = config;
  if (cpus != nullptr && !set_cpus_override(check, cpus)) {
    return usage_error(std::string("run: --cpus ") + cpus +
                       ": expected a number of CPUs above 0 with at most six decimals, such as 2 or 1.5");
  }
  if (memory != nullptr && !set_memory_override(check, memory)) {
    return usage_error(std::string("run: --memory ") + memory +
                       ": expected at least 1M, in bytes or with a K, M, G or T suffix, such as 512M or 1.5G");
  }
  std::string shim = library_next_to_binary();
  if (shim.empty()) {
    std::fprintf(stderr, "cgview: %s\n", library_not_found().c_str());
    return 1;
  }
  // ld.so splits LD_PRELOAD at blanks and colons: such a path would load
  // nothing, and the program would run with the host's figures unsaid.
  if (shim.find_first_of(" \t:") != std::string::npos) {
    std::fprintf(stderr, "cgview: %s: LD_PRELOAD cannot name a path with a blank or a colon; install cgview "
                 "where its path has neither\n", shim.c_str());
    return 1;
  }
  // The doctor's verdict, before the exec: a program the shim cannot reach
  // would otherwise silently show the host's numbers.
  const char* path_var = getenv("PATH");
  RootFs live("");
  std::string search_path = path_var != nullptr ? path_var : "/usr/local/bin:/usr/bin:/bin";
  Doctor as_given(live, search_path);
  ProgramReport verdict = as_given.examine(command[0], false);
  // Where LD_PRELOAD or /etc/ld.so.preload names the shim through $LIB and that
  // gives the program a build already, nothing is added: ours would be a second
  // copy, or make ld.so complain in programs of the other class. Otherwise ours
  // goes first, and the verdict is what the program will load then.
  if (!(as_given.judges_by_entries() && verdict.reached)) {
    setenv("LD_PRELOAD", preload_with_first(shim, getenv("LD_PRELOAD")).c_str(), 1);
    if (as_given.judges_by_entries()) verdict = Doctor(live, search_path).examine(command[0], false);
  }
  warn_above_enforced(config, cpus, memory, check);
  if (cpus != nullptr) setenv("CGVIEW_CPUS", cpus, 1);
  if (memory != nullptr) setenv("CGVIEW_MEMORY", memory, 1);
  if (!config.root.live()) setenv("CGVIEW_SYSROOT", std::string(config.root.prefix.view()).c_str(), 1);
  // Not found, unreadable or not ELF: execvp decides (a file without #! runs under /bin/sh).
  if (!verdict.reached) print_warnings_once(config);  // no library in it to print them
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
