// `cgview doctor [--json] [--root DIR] [--library-path DIRS] [PROGRAM...]`: the verdict for each
// program named, for every ELF executable in an image's bin and sbin folders
// (--root alone), or for this environment (nothing named).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <utility>

#include "commands.hpp"
#include "doctor.hpp"
#include "doctor_output.hpp"

namespace cgview::cli {

namespace {

constexpr const char* kProgramDirs[] = {"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"};
constexpr size_t kMaxDirEntries = 100000;
constexpr size_t kReasonsUpTo = 20;  // more programs than this: the table alone

// Every ELF executable in the root's program folders, once each (by device
// and inode: /bin is often a symlink to /usr/bin), sorted by path.
std::vector<std::string> image_programs(const RootFs& root) {
  std::set<std::pair<dev_t, ino_t>> seen;
  std::vector<std::string> out;
  for (const char* dir : kProgramDirs) {
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

}  // namespace

int doctor(const Config& config, bool json, const char* root_dir, const char* library_path, char** programs,
           int count) {
  // An image's environment is not in its files: there, only the option's.
  if (library_path == nullptr && root_dir == nullptr) library_path = getenv("LD_LIBRARY_PATH");
  std::string libraries = library_path != nullptr ? library_path : "";
  if (count == 0 && root_dir == nullptr) return doctor_environment(config, json, libraries);
  if (root_dir != nullptr) {
    struct stat st;
    bool stat_ok = stat(root_dir, &st) == 0;
    if (!stat_ok || !S_ISDIR(st.st_mode)) {
      std::fprintf(stderr, "cgview: doctor --root %s: %s\n", root_dir,
                   stat_ok ? "not a directory" : errno == ENOENT ? "does not exist" : std::strerror(errno));
      return 1;
    }
  }
  RootFs root(root_dir == nullptr ? "" : root_dir);
  const char* path_env = getenv("PATH");
  std::string path_var = root_dir != nullptr || path_env == nullptr ? std::string(kDefaultImagePath) : path_env;
  Doctor doc(root, path_var, libraries);
  std::vector<std::string> names;
  if (count == 0) names = image_programs(root);
  // Nothing to examine is a wrong --root (an image build's guard must not pass on it).
  if (count == 0 && names.empty()) {
    std::string dirs;
    for (const char* dir : kProgramDirs) dirs.append(dirs.empty() ? "" : " ").append(dir);
    std::fprintf(stderr, "cgview: doctor --root %s: no ELF programs in its %s\n", root_dir, dirs.c_str());
    return 1;
  }
  for (int i = 0; i < count; ++i) names.emplace_back(programs[i]);
  std::vector<ProgramReport> reports;
  reports.reserve(names.size());
  bool all_reached = true;
  for (const std::string& name : names) {
    reports.push_back(doc.examine(name, true));
    all_reached &= reports.back().reached;
  }
  if (json) print_doctor_json(stdout, reports, root_dir == nullptr ? "/" : root_dir, libraries);
  else print_doctor_text(stdout, reports, reports.size() <= kReasonsUpTo);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) return 1;
  return all_reached ? 0 : 3;
}

}  // namespace cgview::cli
