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
#include <set>
#include <utility>

#include "commands.hpp"
#include "doctor.hpp"
#include "doctor_output.hpp"
#include "env_file.hpp"
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
  for (const std::string& dir : split_words(path_var, ":"))
    if (dir.front() == '/' && std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
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
  if (request.env_file != nullptr) {
    std::string text;
    errno = 0;
    if (!RootFs("").read_file(request.env_file, kMaxEnvFileBytes, text)) {
      std::fprintf(stderr, "cgview: doctor --env-file %s: %s\n", request.env_file,
                   errno != 0 ? std::strerror(errno) : "not a regular file");
      return false;
    }
    std::map<std::string, std::string> vars = parse_env_file(text);
    if (auto v = vars.find("PATH"); v != vars.end()) env.path = v->second;
    if (auto v = vars.find("LD_LIBRARY_PATH"); v != vars.end()) env.library_path = v->second;
    if (auto v = vars.find("LD_PRELOAD"); v != vars.end()) env.preload = v->second;
  }
  if (request.library_path != nullptr) env.library_path = request.library_path;
  return true;
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
  std::vector<ProgramReport> reports;
  reports.reserve(names.size());
  bool all_reached = true;
  for (const std::string& name : names) {
    reports.push_back(doc.examine(name, true));
    all_reached &= reports.back().reached;
  }
  if (request.json) print_doctor_json(stdout, reports, root_dir == nullptr ? "/" : root_dir, env.library_path);
  else print_doctor_text(stdout, reports, reports.size() <= kReasonsUpTo, env.library_path);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) return 1;
  return all_reached ? 0 : 3;
}

}  // namespace cgview::cli
