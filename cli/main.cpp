// cgview: show what a process in this container should be told about its CPUs
// and memory, print the files the shim serves, and run programs under the shim.
//
// Dispatch is the table kCommands: a command is a name, a function taking the
// configuration and the arguments after its name, and its lines of --help. A
// command whose function has that shape, int(const Config&, int argc, char**
// argv), is one line in the table.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands.hpp"
#include "image_user.hpp"
#include "usage.hpp"

#ifndef CGVIEW_VERSION
#error "CGVIEW_VERSION comes from the CMake project version (cli/CMakeLists.txt)"
#endif

namespace {

using cgview::Config;
using cgview::cli::usage_error;

bool is(const char* arg, const char* name) { return std::strcmp(arg, name) == 0; }

// --sysroot DIR (before the command, or in `run`): DIR must be a directory,
// and the root of a system: a mistyped one (`--sysroot /tmp`) would show an
// empty table and exit 0 as if no cgroup and no host figures were there.
int apply_sysroot(Config& config, const char* dir) {
  if (*dir == '\0') return usage_error("--sysroot needs a directory");  // `--sysroot=` or `--sysroot ""`
  if (!cgview::set_sysroot(config, dir) || !cgview::sysroot_exists(config)) {
    std::fprintf(stderr, "cgview: --sysroot %s: not an existing directory\n", dir);
    return 1;
  }
  if (!cgview::sysroot_is_a_systems_root(config)) {
    std::fprintf(stderr, "cgview: --sysroot %s: has neither proc/ nor sys/, so it is not a system's root\n", dir);
    return 1;
  }
  return 0;
}

// --- the commands: each gets the arguments after its name ------------------

int show_main(const Config& config, int argc, char** argv) {
  bool json = false;
  for (int i = 0; i < argc; ++i) {
    if (is(argv[i], "--json")) json = true;
    else return usage_error(std::string("show: unexpected argument '") + argv[i] + "'");
  }
  return cgview::cli::show(config, json);
}

int cat_main(const Config& config, int argc, char** argv) {
  if (argc == 2 && is(argv[0], "--")) ++argv, --argc;  // `cat -- PATH`, as cat(1) takes it
  if (argc != 1) return usage_error("cat takes exactly one PATH");
  return cgview::cli::cat(config, argv[0]);
}

int run_main(const Config& base, int argc, char** argv) {
  Config config = base;
  const char* cpus = nullptr;
  const char* memory = nullptr;
  int i = 0;
  for (; i < argc && !is(argv[i], "--"); ++i) {
    bool takes_value = is(argv[i], "--cpus") || is(argv[i], "--memory") || is(argv[i], "--sysroot");
    if (!takes_value && argv[i][0] != '-')
      return usage_error(std::string("run: unexpected argument '") + argv[i] + "' (the command goes after --: cgview run -- " +
                         argv[i] + " ...)");
    if (!takes_value) return usage_error(std::string("run: unexpected argument '") + argv[i] + "'");
    if (i + 1 == argc || is(argv[i + 1], "--") || *argv[i + 1] == '\0')
      return usage_error(std::string("run: ") + argv[i] + (is(argv[i], "--sysroot") ? " needs a directory" : " needs a value"));
    if (is(argv[i], "--cpus")) cpus = argv[++i];
    else if (is(argv[i], "--memory")) memory = argv[++i];
    else if (int rc = apply_sysroot(config, argv[++i])) return rc;
  }
  if (i + 1 >= argc) return usage_error("run: missing -- CMD");
  return cgview::cli::run(config, cpus, memory, argv + i + 1);
}

// Whether `arg` is one of doctor's options: an option's value that is one
// was forgotten (`--library-path --json prog` would take --json as the path).
bool is_doctor_option(const char* arg) {
  for (const char* option : {"--json", "--root", "--library-path", "--env-file", "--user", "--"})
    if (is(arg, option)) return true;
  return false;
}

// Options may stand before or after the programs (`doctor nproc --json`);
// after `--` every argument is a program, even one starting with '-'.
int doctor_main(const Config& config, int argc, char** argv) {
  cgview::cli::DoctorRequest request;
  bool options_end = false;
  for (int i = 0; i < argc; ++i) {
    const bool no_value = i + 1 == argc || is_doctor_option(argv[i + 1]);
    if (options_end || argv[i][0] != '-') request.programs.push_back(argv[i]);
    else if (is(argv[i], "--json")) request.json = true;
    else if (is(argv[i], "--root") && (no_value || *argv[i + 1] == '\0'))
      return usage_error("doctor: --root needs a directory");
    else if (is(argv[i], "--root")) request.root = argv[++i];
    // As ld.so's own option: it stands for LD_LIBRARY_PATH; "" for none.
    else if (is(argv[i], "--library-path") && no_value)
      return usage_error("doctor: --library-path needs a list of directories");
    else if (is(argv[i], "--library-path")) request.library_path = argv[++i];
    else if (is(argv[i], "--env-file") && (no_value || *argv[i + 1] == '\0'))
      return usage_error("doctor: --env-file needs a file");
    else if (is(argv[i], "--env-file")) request.env_files.push_back(argv[++i]);  // several: merged, as docker does
    else if (is(argv[i], "--user") && (no_value || !cgview::cli::is_user_spec(argv[i + 1])))
      return usage_error("doctor: --user needs USER or USER:GROUP");  // "" is docker's empty USER: root
    else if (is(argv[i], "--user")) request.user = argv[++i];
    else if (is(argv[i], "--")) options_end = true;
    else return usage_error(std::string("doctor: unexpected argument '") + argv[i] + "'");
  }
  // Without a program or a root, doctor reports on this environment itself.
  if ((!request.env_files.empty() || request.user != nullptr) && request.root == nullptr && request.programs.empty())
    return usage_error("doctor: --env-file and --user describe the programs examined: give PROGRAM or --root");
  return cgview::cli::doctor(config, request);
}

int system_wide_main(bool enable, int argc, char** argv) {
  const char* root = nullptr;
  if (argc == 2 && is(argv[0], "--root") && *argv[1] != '\0') root = argv[1];
  else if ((argc == 1 || argc == 2) && is(argv[0], "--root")) return usage_error(std::string(enable ? "enable" : "disable") + ": --root needs a directory");
  else if (argc != 0) return usage_error("enable and disable take only --root DIR");
  return cgview::cli::system_wide(root, enable);
}
int enable_main(const Config&, int argc, char** argv) { return system_wide_main(true, argc, argv); }
int disable_main(const Config&, int argc, char** argv) { return system_wide_main(false, argc, argv); }

struct Command {
  const char* name;
  int (*main)(const Config& config, int argc, char** argv);
  const char* synopsis;  // after "cgview "
  const char* summary;   // one line of --help
};

// One line per command.
constexpr Command kCommands[] = {
    {"show", show_main, "show [--json]", "the container's view: each number, the host's, and its source"},
    {"cat", cat_main, "cat PATH", "print exactly what a preloaded program reads from PATH: /proc/meminfo,\n"
     "      /proc/cpuinfo, /proc/stat, /proc/swaps, /proc/diskstats, /proc/pressure/*,\n"
     "      /proc/{self,thread-self}/status, /sys/devices/system/cpu/{online,offline}\n"
     "      and cpuK/{online,topology/*,cache/indexN/shared_cpu_*} below it,\n"
     "      /sys/devices/system/node/nodeN/{cpulist,cpumap,meminfo} and node/has_cpu,\n"
     "      /sys/{block,class/block}/DEV/stat"},
    {"run", run_main, "run [--cpus X] [--memory SIZE] [--sysroot DIR] -- CMD [ARGS...]",
     "run CMD with libcgview.so preloaded\n"
     "      (--sysroot: its view of DIR, as CGVIEW_SYSROOT)"},
    {"stats", cgview::cli::stats, "stats [--interval S] [--count N] [--json]",
     "the container's own CPU, memory, OOM, pids, I/O and network use, live\n"
     "      (JSON lines when piped or with --json)"},
    {"enable", enable_main, "enable [--root DIR]",
     "system-wide mode: add libcgview.so to DIR/etc/ld.so.preload (DIR: /)"},
    {"disable", disable_main, "disable [--root DIR]", "remove it (and any copy) from there"},
    {"doctor", doctor_main, "doctor [--json] [--root DIR] [--env-file FILE] [--library-path DIRS]\n"
     "         [--user USER[:GROUP]] [PROGRAM...]",
     "which programs cgview reaches, and what each asks for\n"
     "      (no PROGRAM: this environment; --root alone: every program in DIR's bin\n"
     "      folders and PATH; --env-file: the image's NAME=VALUE lines, for its PATH,\n"
     "      LD_LIBRARY_PATH and LD_PRELOAD; --library-path: LD_LIBRARY_PATH, by\n"
     "      default this environment's, in DIR the --env-file's; --user: who runs\n"
     "      them, by default an ordinary user)"},
};

void print_usage() {
  std::printf("usage: cgview [--sysroot DIR] COMMAND [ARGS...]\n"
              "       cgview --version | --help\n\ncommands:\n");
  for (const Command& c : kCommands) std::printf("  %s\n      %s\n", c.synopsis, c.summary);
  std::printf(
      "\noptions:\n"
      "  --sysroot DIR   read every host path P as DIR/P (as CGVIEW_SYSROOT); before\n"
      "                  COMMAND, or after show, cat, stats or doctor (run: before --)\n"
      "  --version       print the version\n"
      "  --help, -h      this text\n"
      "\nenvironment: CGVIEW_SYSROOT, CGVIEW_CPUS, CGVIEW_MEMORY, CGVIEW_CPU_ROUNDING,\n"
      "CGVIEW_CPU_PLACEMENT, CGVIEW_HOLD_FILES, CGVIEW_DISABLE, CGVIEW_DEBUG\n"
      "(see cgview(1)).\n"
      "exit status: 0 ok, 1 error, 2 usage; doctor: 3 a program is not reached;\n"
      "run: 126/127 the command cannot be run / is not found, else its own;\n"
      "stats: 130 on Ctrl-C, 143 on SIGTERM (see cgview(1)).\n");
}

const char* lookup_env(const char* name) { return secure_getenv(name); }

}  // namespace

// A command's output that could not all be written (a full disk, a closed
// pipe's reader gone) is a failure, not the command's success: a script that
// saves `show --json` must not get a cut file and exit 0.
static int with_output_written(int status) {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return status;
  std::fprintf(stderr, "cgview: cannot write to stdout\n");
  return status == 0 || status == 3 ? 1 : status;
}

// `--cpus=2` is `--cpus 2`, as in most commands' option parsers: the options
// that take a value are also accepted glued to it with '='. Only words before
// the first `--` are split; after it they belong to run's CMD or are doctor's
// programs. Any other `--name=value` stays one word and is refused as unknown.
static std::vector<std::string> split_glued_values(int argc, char** argv) {
  static const char* const kTakesValue[] = {"--sysroot", "--cpus", "--memory", "--root", "--interval", "--count",
                                            "--library-path", "--env-file", "--user"};
  std::vector<std::string> words;
  bool options_end = false;
  for (int i = 0; i < argc; ++i) {
    std::string word = argv[i];
    options_end = options_end || word == "--";
    size_t eq = word.find('=');
    bool split = false;
    if (!options_end && eq != std::string::npos)
      for (const char* name : kTakesValue) split = split || word.compare(0, eq, name) == 0;
    if (!split) {
      words.push_back(word);
      continue;
    }
    words.push_back(word.substr(0, eq));
    words.push_back(word.substr(eq + 1));
  }
  return words;
}

int main(int original_argc, char** original_argv) {
  std::vector<std::string> words = split_glued_values(original_argc, original_argv);
  std::vector<char*> word_pointers;
  for (std::string& word : words) word_pointers.push_back(word.data());
  word_pointers.push_back(nullptr);
  int argc = int(words.size());
  char** argv = word_pointers.data();

  Config config = cgview::config_from_env(lookup_env);
  bool sysroot_given = false;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    if (is(argv[i], "--help") || is(argv[i], "-h")) {
      print_usage();
      return with_output_written(0);
    }
    if (is(argv[i], "--version")) {
      if (i + 1 < argc) return usage_error(std::string("--version: unexpected argument '") + argv[i + 1] + "'");
      std::printf("cgview %s\n", CGVIEW_VERSION);
      return with_output_written(0);
    }
    if (is(argv[i], "--sysroot")) {
      if (i + 1 == argc) return usage_error("--sysroot needs a directory");
      if (int rc = apply_sysroot(config, argv[++i])) return rc;
      sysroot_given = true;
      continue;
    }
    return usage_error(std::string("unknown option '") + argv[i] + "'");
  }
  // The same lines a preloaded program prints, once, whatever the command;
  // under `run` the program's own library prints them (run does where it
  // cannot reach the program).
  if (i == argc || !is(argv[i], "run")) cgview::print_warnings_once(config);
  if (i == argc) return usage_error("missing command");
  for (const Command& c : kCommands) {
    if (!is(argv[i], c.name)) continue;
    // `cgview COMMAND --help`: the usage, unless it belongs to run's CMD.
    if (i + 1 < argc && (is(argv[i + 1], "--help") || is(argv[i + 1], "-h"))) {
      print_usage();
      return 0;
    }
    // enable and disable name their root with --root: a --sysroot, before
    // or after them, is refused rather than left to mean the live system.
    const bool names_root = is(c.name, "enable") || is(c.name, "disable");
    if (names_root && sysroot_given) return usage_error(std::string(c.name) + " takes --root DIR, not --sysroot");
    // --sysroot DIR may also follow the name of a command that reads the
    // view (run takes it itself).
    std::vector<char*> args(argv + i + 1, argv + argc);
    if (!is(c.name, "run") && !names_root) {
      for (size_t k = 0; k < args.size() && !is(args[k], "--"); ++k) {
        if (!is(args[k], "--sysroot")) continue;
        if (k + 1 == args.size()) return usage_error("--sysroot needs a directory");
        if (int rc = apply_sysroot(config, args[k + 1])) return rc;
        args.erase(args.begin() + long(k), args.begin() + long(k) + 2);
        --k;
      }
    }
    int count = int(args.size());
    args.push_back(nullptr);  // argv's own terminator, which run's exec needs
    return with_output_written(c.main(config, count, args.data()));
  }
  return usage_error(std::string("unknown command '") + argv[i] + "'");
}
