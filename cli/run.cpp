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
#include "library_location.hpp"
#include "doctor.hpp"
#include "limits.hpp"
#include "override_warnings.hpp"
#include "program_lookup.hpp"
#include "usage.hpp"

namespace cgview::cli {

namespace {

// What `doctor` advises for a program cgview cannot reach, where there is a
// setting that does the same: a Go runtime reads GOMAXPROCS and GOMEMLIMIT
// (1.25+ sizes GOMAXPROCS from the cgroup itself).
// An override (--cpus) is not in the cgroup, so even that runtime needs
// GOMAXPROCS for it.
const char* what_to_do_instead(const ProgramReport& verdict, bool cpus_overridden) {
  if (verdict.kind != ProgramKind::Go) return "";
  return verdict.container_aware && !cpus_overridden
             ? "; its runtime sizes GOMAXPROCS from the cgroup, set GOMEMLIMIT for its memory"
             : "; set GOMAXPROCS and GOMEMLIMIT for it instead";
}

}  // namespace

int run(const Config& config, const char* cpus, const char* memory, char** command) {
  Config check = config;
  // The same words as the shim's warning for the variables the options set.
  if (cpus != nullptr && !set_cpus_override(check, cpus))
    return usage_error(std::string("run: --cpus ") + cpus + ": expected " + setting_expected(Setting::Cpus));
  if (memory != nullptr && !set_memory_override(check, memory))
    return usage_error(std::string("run: --memory ") + memory + ": expected " + setting_expected(Setting::Memory));
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
  // On a noexec mount (a cgview unpacked in a noexec /tmp) ld.so cannot map
  // the library's code: the program would print its error and see the host.
  if (on_noexec_mount(shim)) {
    std::fprintf(stderr, "cgview: %s %s; install cgview elsewhere\n", shim.c_str(), kNoexecLibrary);
    return 1;
  }
  // The doctor's verdict, before the exec: a program the shim cannot reach
  // would otherwise silently show the host's numbers.
  RootFs live("");
  // Where execvp looks with PATH unset: glibc's _CS_PATH.
  constexpr std::string_view kExecDefaultPath = "/bin:/usr/bin";
  Doctor as_given(live, this_environment(kExecDefaultPath));
  const Runner runner = this_runner();  // a setuid-root program run by root has no secure mode
  as_given.judge_as_run_by(runner);
  ProgramReport verdict = as_given.examine(command[0], false);
  // Where LD_PRELOAD or /etc/ld.so.preload names the shim through $LIB and that
  // gives the program a build already, nothing is added: ours would be a second
  // copy, or make ld.so complain in programs of the other class. Otherwise ours
  // goes first, and the verdict is what the program will load then.
  if (!(as_given.judges_by_entries() && verdict.reached)) {
    setenv("LD_PRELOAD", preload_with_first(shim, getenv("LD_PRELOAD")).c_str(), 1);
    if (as_given.judges_by_entries()) {
      Doctor with_ours(live, this_environment(kExecDefaultPath));
      with_ours.judge_as_run_by(runner);
      verdict = with_ours.examine(command[0], false);
    }
  }
  // As given: the option, else the variable run's caller set (which the
  // program inherits).
  OverrideNames names = names_from_environment();
  if (cpus != nullptr) names.cpus = std::string("--cpus ") + cpus;
  if (memory != nullptr) names.memory = std::string("--memory ") + memory;
  for (const std::string& line : override_warnings(check, names)) std::fprintf(stderr, "cgview: warning: %s\n", line.c_str());
  // CGVIEW_DISABLE, inherited (an image's ENV that turns the system-wide mode
  // off), turns off the library run loads too: said, or the options would
  // silently change nothing.
  if (config.disabled && verdict.reached) {
    const char* voided = cpus != nullptr && memory != nullptr ? ", and --cpus and --memory change nothing"
                         : cpus != nullptr                    ? ", and --cpus changes nothing"
                         : memory != nullptr                  ? ", and --memory changes nothing"
                                                              : "";
    std::fprintf(stderr, "cgview: warning: CGVIEW_DISABLE turns the library off in %s: it sees the host's numbers%s "
                 "(unset CGVIEW_DISABLE for it)\n", command[0], voided);
  }
  // An AddressSanitizer program exits at start unless its runtime is loaded
  // first (doctor says more): before every preloaded library, ours included.
  // For a script, the program is its (innermost) interpreter.
  const ProgramReport* program = &verdict;
  while (program->interpreter) program = program->interpreter.get();
  if (!program->asan_runtime.empty() && program->asan_runtime.front() == '/') {
    std::string preloads = program->asan_runtime;
    if (const char* preload = getenv("LD_PRELOAD"); preload != nullptr && *preload) preloads.append(":").append(preload);
    setenv("LD_PRELOAD", preloads.c_str(), 1);
  }
  if (cpus != nullptr) setenv("CGVIEW_CPUS", cpus, 1);
  if (memory != nullptr) setenv("CGVIEW_MEMORY", memory, 1);
  if (!config.root.live()) setenv("CGVIEW_SYSROOT", std::string(config.root.prefix.view()).c_str(), 1);
  // Not found, unreadable, not ELF, a #! line the kernel refuses or not
  // executable by us: execvp decides (a file the kernel will not run, ENOEXEC,
  // runs under /bin/sh, which the library reaches; EACCES is said below).
  if (!verdict.reached) print_warnings_once(config);  // no library in it to print them
  if (!verdict.reached && verdict.kind != ProgramKind::Unreadable && verdict.kind != ProgramKind::NotElf &&
      !verdict.enoexec && !verdict.unexecutable)
    std::fprintf(stderr, "cgview: warning: %s %s: cgview cannot reach it%s\n", command[0], verdict.why_not.c_str(),
                 what_to_do_instead(verdict, check.has_cpus_override));
  execvp(command[0], command);
  // As env(1) and timeout(1): 127 when the command is not found, 126 when it cannot run.
  int error = errno;
  bool by_name = std::strchr(command[0], '/') == nullptr;
  std::fprintf(stderr, "cgview: %s: %s\n", command[0], error == ENOENT && by_name ? "command not found" : std::strerror(error));
  return error == ENOENT ? 127 : 126;
}

}  // namespace cgview::cli
