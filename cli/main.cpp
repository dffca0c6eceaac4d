// cgview: show what a process in this container should be told about its CPUs
// and memory, print the files the shim serves, and run programs under the shim.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: cgview [--sysroot DIR] COMMAND\n"
    "\n"
    "  show [--json]        the container's view: each number, the host's, and its source\n"
    "  cat PATH             print exactly what a preloaded program reads from PATH\n"
    "                       (/proc/meminfo, /proc/cpuinfo, /proc/stat, /sys/devices/system/cpu/online)\n"
    "  run [--cpus X] [--memory SIZE] -- CMD [ARGS...]\n"
    "                       run CMD with libcgview.so preloaded\n"
    "  enable [--root DIR]  system-wide mode: add libcgview.so to DIR/etc/ld.so.preload (DIR: /)\n"
    "  disable [--root DIR] remove it from there\n"
    "\n"
    "  --sysroot DIR        read every host path P as DIR/P (as CGVIEW_SYSROOT)\n"
    "  --help               this text\n"
    "\n"
    "Environment: CGVIEW_SYSROOT, CGVIEW_CPUS, CGVIEW_MEMORY, CGVIEW_CPU_ROUNDING=ceil|floor|round,\n"
    "CGVIEW_DISABLE=1, CGVIEW_DEBUG=1.\n";

int usage_error(const char* message) {
  std::fprintf(stderr, "cgview: %s\n%s", message, kUsage);
  return 2;
}

const char* lookup_env(const char* name) { return secure_getenv(name); }

}  // namespace

int main(int argc, char** argv) {
  cgview::Config config = cgview::config_from_env(lookup_env);
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (std::strcmp(argv[i], "--sysroot") == 0 && i + 1 < argc) {
      if (!cgview::set_sysroot(config, argv[++i])) return usage_error("--sysroot: path too long");
      continue;
    }
    return usage_error("unknown option");
  }
  if (i == argc) return usage_error("missing command");
  const char* command = argv[i++];
  if (std::strcmp(command, "show") == 0) {
    bool json = false;
    for (; i < argc; ++i) {
      if (std::strcmp(argv[i], "--json") == 0) json = true;
      else return usage_error("show takes only --json");
    }
    return cgview::cli::show(config, json);
  }
  if (std::strcmp(command, "cat") == 0) {
    if (argc - i != 1) return usage_error("cat takes exactly one PATH");
    return cgview::cli::cat(config, argv[i]);
  }
  if (std::strcmp(command, "run") == 0) {
    const char* cpus = nullptr;
    const char* memory = nullptr;
    for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
      if (std::strcmp(argv[i], "--cpus") == 0 && i + 1 < argc) cpus = argv[++i];
      else if (std::strcmp(argv[i], "--memory") == 0 && i + 1 < argc) memory = argv[++i];
      else if (std::strcmp(argv[i], "--sysroot") == 0 && i + 1 < argc) {
        if (!cgview::set_sysroot(config, argv[++i])) return usage_error("--sysroot: path too long");
      } else return usage_error("run: expected --cpus X, --memory SIZE, then -- CMD");
    }
    if (i + 1 >= argc) return usage_error("run: missing -- CMD");
    return cgview::cli::run(config, cpus, memory, argv + i + 1);
  }
  if (std::strcmp(command, "enable") == 0 || std::strcmp(command, "disable") == 0) {
    const char* root = nullptr;
    if (argc - i == 2 && std::strcmp(argv[i], "--root") == 0) root = argv[i + 1];
    else if (argc != i) return usage_error("enable and disable take only --root DIR");
    return cgview::cli::system_wide(root, command[0] == 'e');
  }
  return usage_error("unknown command");
}
