#include <fcntl.h>
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
#include "limits.hpp"
#include "override_warnings.hpp"
#include "program_lookup.hpp"
#include "usage.hpp"

namespace cgview::cli {

namespace {

// Where the library is, relative to this binary's directory: an install
// (<prefix>/bin, <prefix>/lib), a build tree (cli/, shim/), and one folder
// holding both (a Kubernetes init container's copy, /cgview/).
constexpr const char* kLibraryBesideBinary[] = {"../lib/libcgview.so", "../shim/libcgview.so", "libcgview.so"};

// The directory this binary is in, with a trailing '/' ("" when
// /proc/self/exe cannot be read).
std::string binary_directory() {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return {};
  std::string dir(exe, size_t(n));
  dir.erase(dir.rfind('/') + 1);
  return dir;
}

// "/usr/bin/" + "../lib/x" as "/usr/lib/x", for messages.
std::string joined(std::string dir, std::string_view relative) {
  while (relative.substr(0, 3) == "../") {
    relative.remove_prefix(3);
    dir.pop_back();
    dir.erase(dir.rfind('/') + 1);
    if (dir.empty()) dir = "/";
  }
  return dir.append(relative);
}

// ELF class and machine, the bytes that decide whether ld.so can load a
// library into a program; empty when the file is no ELF file.
std::string elf_kind(const std::string& path) {
  unsigned char header[20];
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  ssize_t n = read(fd, header, sizeof header);
  close(fd);
  if (n != ssize_t(sizeof header) || std::memcmp(header, "\177ELF", 4) != 0) return {};
  return std::string{char(header[4]), char(header[5]), char(header[18]), char(header[19])};
}

// Another copy of the library that ld.so would load beside `shim` into the
// same programs: named libcgview.so, no $LIB in it, the same class and machine.
bool is_another_copy(const std::string& entry, const std::string& shim) {
  if (entry.find('$') != std::string::npos || entry.size() < 12 ||
      entry.compare(entry.size() - 12, 12, "libcgview.so") != 0 ||
      (entry.size() > 12 && entry[entry.size() - 13] != '/'))
    return false;
  std::string kind = elf_kind(entry);
  return !kind.empty() && kind == elf_kind(shim);
}

// `shim` first, then the entries of `old` other than the shim itself or
// another copy of it: under a `cgview run` already, or an image's ENV
// LD_PRELOAD, it is not loaded twice. A copy built for another class
// (a 32-bit program's) stays.
std::string preload_with_first(const std::string& shim, const char* old) {
  std::string out = shim;
  for (const std::string& entry : preload_variable_entries(old != nullptr ? old : "")) {
    char resolved[PATH_MAX];
    if (entry == shim || (realpath(entry.c_str(), resolved) != nullptr && shim == resolved)) continue;
    if (is_another_copy(entry, shim)) continue;
    out.append(":").append(entry);
  }
  return out;
}

// Without a library beside this binary (the command copied alone), the one
// LD_PRELOAD already names for programs of this binary's kind.
std::string library_in_preload() {
  const char* preload = getenv("LD_PRELOAD");
  for (const std::string& entry : preload_variable_entries(preload != nullptr ? preload : "")) {
    char resolved[PATH_MAX];
    if (is_another_copy(entry, "/proc/self/exe") && realpath(entry.c_str(), resolved) != nullptr) return resolved;
  }
  return {};
}

// What `doctor` advises for a program cgview cannot reach, where there is a
// setting that does the same: a Go runtime reads GOMAXPROCS and GOMEMLIMIT
// (1.25+ sizes GOMAXPROCS from the cgroup itself).
const char* what_to_do_instead(const ProgramReport& verdict) {
  if (verdict.kind != "go") return "";
  return verdict.container_aware ? "; its runtime sizes GOMAXPROCS from the cgroup, set GOMEMLIMIT for its memory"
                                 : "; set GOMAXPROCS and GOMEMLIMIT for it instead";
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
  return "libcgview.so not found beside this cgview: none of " + joined(dir, kLibraryBesideBinary[0]) + ", " +
         joined(dir, kLibraryBesideBinary[1]) + " or " + joined(dir, kLibraryBesideBinary[2]) +
         " exists; install the two together, or copy libcgview.so to one of those places";
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
  if (shim.empty()) shim = library_in_preload();
  if (shim.empty()) {
    std::fprintf(stderr, "cgview: %s (or name it in LD_PRELOAD)\n", library_not_found().c_str());
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
  OverrideNames names{cpus != nullptr ? std::string("--cpus ") + cpus : "",
                      memory != nullptr ? std::string("--memory ") + memory : ""};
  for (const std::string& line : override_warnings(check, names)) std::fprintf(stderr, "cgview: warning: %s\n", line.c_str());
  if (cpus != nullptr) setenv("CGVIEW_CPUS", cpus, 1);
  if (memory != nullptr) setenv("CGVIEW_MEMORY", memory, 1);
  if (!config.root.live()) setenv("CGVIEW_SYSROOT", std::string(config.root.prefix.view()).c_str(), 1);
  // Not found, unreadable or not ELF: execvp decides (a file without #! runs under /bin/sh).
  if (!verdict.reached) print_warnings_once(config);  // no library in it to print them
  if (!verdict.reached && verdict.kind != "unreadable" && verdict.kind != "not-elf")
    std::fprintf(stderr, "cgview: warning: %s %s: cgview cannot reach it%s\n", command[0], verdict.why_not.c_str(),
                 what_to_do_instead(verdict));
  execvp(command[0], command);
  // As env(1) and timeout(1): 127 when the command is not found, 126 when it cannot run.
  int error = errno;
  bool by_name = std::strchr(command[0], '/') == nullptr;
  std::fprintf(stderr, "cgview: %s: %s\n", command[0], error == ENOENT && by_name ? "command not found" : std::strerror(error));
  return error == ENOENT ? 127 : 126;
}

}  // namespace cgview::cli
