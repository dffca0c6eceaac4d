// `cgview doctor [--json] [--root DIR] [--env-file FILE] [--library-path DIRS]
// [PROGRAM...]`: the verdict for each program named, for every ELF executable
// in an image's bin and sbin folders and its PATH (--root alone), or for this
// environment (nothing named).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "commands.hpp"
#include "doctor.hpp"
#include "doctor_output.hpp"
#include "env_file.hpp"
#include "image_user.hpp"
#include "library_search.hpp"

namespace cgview::cli {

namespace {

constexpr const char* kProgramDirs[] = {"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"};
constexpr size_t kMaxDirEntries = 100000;
constexpr size_t kReasonsUpTo = 20;  // more programs than this: the table alone
constexpr size_t kMaxEnvFileBytes = 1 << 20;

// Every ELF executable in the root's program folders and in `path_var`'s
// absolute directories (an image's PATH may add /opt/java/openjdk/bin), once
// each (by device and inode: /bin is often a symlink to /usr/bin), sorted by path.
std::vector<std::string> image_programs(const RootFs& root, std::string_view path_var) {
  std::vector<std::string> dirs(std::begin(kProgramDirs), std::end(kProgramDirs));
  std::set<std::string> listed(dirs.begin(), dirs.end());
  for (const std::string& dir : split_words(path_var, ":"))
    if (dir.front() == '/' && listed.insert(dir).second) dirs.push_back(dir);
  std::set<std::pair<dev_t, ino_t>> seen;
  std::vector<std::string> out;
  for (const std::string& dir : dirs) {
    Found found = root.resolve(dir);
    if (!found.ok) continue;
    DIR* d = opendir(root.host(found.path).c_str());
    if (d == nullptr) continue;
    size_t entries = 0;
    while (dirent* e = readdir(d)) {
      if (++entries > kMaxDirEntries) break;
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      Found file = root.resolve(found.path + "/" + e->d_name);
      if (!file.ok) continue;
      struct stat st;
      std::string host = root.host(file.path);
      if (stat(host.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) continue;
      if (!seen.insert({st.st_dev, st.st_ino}).second) continue;
      FILE* f = std::fopen(host.c_str(), "rbe");
      char magic[4] = {};
      bool elf = f != nullptr && std::fread(magic, 1, 4, f) == 4 && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
      if (f != nullptr) std::fclose(f);
      if (elf) out.push_back(file.path);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What the programs run with: on the running system this process's
// environment; in another root an image's default PATH and nothing else, as
// an unpacked image keeps no environment; then the --env-file's variables,
// then --library-path. False, with a message, when the file cannot be read.
bool program_environment(const DoctorRequest& request, ProgramEnvironment& env) {
  env = request.root == nullptr ? this_environment(kDefaultImagePath)
                                : ProgramEnvironment{std::string(kDefaultImagePath), "", ""};
  for (const char* file : request.env_files) {
    std::string text, error;
    if (!read_env_file(std::strcmp(file, "-") == 0 ? "/dev/stdin" : file, kMaxEnvFileBytes, text, error)) {
      std::fprintf(stderr, "cgview: doctor --env-file %s: %s\n", file, error.c_str());
      return false;
    }
    std::map<std::string, std::string> vars = parse_env_file(text);
    bool any = false;
    for (auto [name, value] : {std::pair{"PATH", &env.path}, std::pair{"LD_LIBRARY_PATH", &env.library_path},
                               std::pair{"LD_PRELOAD", &env.preload}}) {
      auto v = vars.find(name);
      if (v == vars.end()) continue;
      *value = v->second;
      any = true;
    }
    // A file of another format (docker inspect's whole JSON, UTF-16) sets nothing.
    if (!any)
      std::fprintf(stderr, "cgview: warning: doctor --env-file %s sets none of PATH, LD_LIBRARY_PATH and LD_PRELOAD%s\n",
                   file, vars.empty() ? " (it holds no NAME=VALUE line)" : ": the defaults stand");
  }
  if (request.library_path != nullptr) env.library_path = request.library_path;
  return true;
}

// A name not found in PATH, the program's or its script's `#!/usr/bin/env X`
// interpreter's (a name not found keeps its name as its path). An image's own
// PATH often adds directories (/opt/java/openjdk/bin).
bool looked_up_in_path_not_found(const ProgramReport& report) {
  for (const ProgramReport* r = &report; r != nullptr; r = r->interpreter.get())
    if (r->kind == ProgramKind::Unreadable && r->path == r->name && r->name.find('/') == std::string::npos) return true;
  return false;
}

}  // namespace

int doctor(const Config& config, const DoctorRequest& request) {
  const char* root_dir = request.root;
  ProgramEnvironment env;
  if (root_dir == nullptr && request.programs.empty()) {
    if (!program_environment(request, env)) return 1;
    return doctor_environment(config, request.json, env.library_path);
  }
  if (root_dir != nullptr) {
    struct stat st;
    bool stat_ok = stat(root_dir, &st) == 0;
    if (!stat_ok || !S_ISDIR(st.st_mode)) {
      std::fprintf(stderr, "cgview: doctor --root %s: %s\n", root_dir,
                   stat_ok ? "not a directory" : errno == ENOENT ? "does not exist" : std::strerror(errno));
      return 1;
    }
  }
  if (!program_environment(request, env)) return 1;
  RootFs root(root_dir == nullptr ? "" : root_dir);
  std::vector<std::string> names;
  if (request.programs.empty()) names = image_programs(root, env.path);
  // Nothing to examine is a wrong --root (an image build's guard must not pass on it).
  if (request.programs.empty() && names.empty()) {
    std::string dirs;
    for (const char* dir : kProgramDirs) dirs.append(dirs.empty() ? "" : " ").append(dir);
    std::fprintf(stderr, "cgview: doctor --root %s: no ELF programs in its %s\n", root_dir, dirs.c_str());
    return 1;
  }
  for (const char* program : request.programs) names.emplace_back(program);
  Doctor doc(root, env);
  std::optional<Runner> runner;
  if (request.user != nullptr) {
    std::string error;
    runner.emplace();
    if (!runner_for_user(root, request.user, *runner, error)) {
      std::fprintf(stderr, "cgview: doctor --user %s: %s\n", request.user, error.c_str());
      return 1;
    }
    doc.judge_as_run_by(*runner);
  }
  if (root.live() && this_runner().no_new_privs) doc.assume_no_new_privs();
  std::vector<ProgramReport> reports;
  reports.reserve(names.size());
  bool all_reached = true;
  for (const std::string& name : names) {
    reports.push_back(doc.examine(name, true));
    ProgramReport& report = reports.back();
    all_reached &= report.reached;
    if (root_dir != nullptr && request.env_files.empty() && looked_up_in_path_not_found(report))
      report.reasons.push_back("The image's PATH is not known: Docker's default was searched; --env-file gives the "
                               "image's.");
  }
  const std::string run_by = runner ? std::to_string(runner->uid) + ":" + std::to_string(runner->gid) : "";
  if (request.json) print_doctor_json(stdout, reports, root_dir == nullptr ? "/" : root_dir, env.library_path, run_by);
  else print_doctor_text(stdout, reports, reports.size() <= kReasonsUpTo, env.library_path, run_by);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) return 1;
  return all_reached ? 0 : 3;
}

}  // namespace cgview::cli
