#include "library_location.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string_view>

#include "doctor.hpp"
#include "elf_inspect.hpp"
#include "lib_layout.hpp"
#include "library_search.hpp"
#include "program_lookup.hpp"
#include "virtual_files.hpp"

namespace cgview::cli {

namespace {

// Relative to this binary's folder, in the order tried.
constexpr const char* kLibraryBesideBinary[] = {"libcgview.so", "../lib/libcgview.so", "../shim/libcgview.so"};

// The folder this binary is in, with a trailing '/' ("" when /proc/self/exe
// cannot be read).
std::string binary_directory() {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return {};
  std::string dir(exe, size_t(n));
  dir.erase(dir.rfind('/') + 1);
  return dir;
}

// What decides whether ld.so loads an object into a program: ELF class and
// machine.
struct ElfBuild {
  int elf_class = 0, machine = 0;
  bool operator==(const ElfBuild&) const = default;
};

ElfBuild this_build() {
  ElfBuild b;
  this_build_elf_identity(b.elf_class, b.machine);
  return b;
}

// A build of the library at `path`: its soname is libcgview.so, whatever
// the file is called (a copy renamed libcgview-amd64.so, or cg.so), and
// nothing else's is (the tests' libcgview_*_preload.so have none). False
// when the file cannot be read or is not such a build.
bool cgview_build_of_file(const std::string& path, ElfBuild& out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ElfFacts facts = inspect_elf_fd(fd, ElfDepth::Linking);
  close(fd);
  out = {facts.elf_class, facts.machine};
  return facts.soname == "libcgview.so";
}

// A path ld.so takes as it is (with a '/', no $LIB) whose file, symlinks
// resolved, is a build of the library for `wanted`; its resolved path, or
// empty.
std::string cgview_build_at(const std::string& entry, const ElfBuild& wanted) {
  char resolved[PATH_MAX];
  if (entry.find('/') == std::string::npos || entry.find('$') != std::string::npos ||
      realpath(entry.c_str(), resolved) == nullptr)
    return {};
  ElfBuild build;
  return cgview_build_of_file(resolved, build) && build == wanted ? std::string(resolved) : std::string();
}

// "/usr/bin/" + "../lib/x" as "/usr/lib/x", for messages.
std::string joined(const std::string& dir, const char* relative) {
  PathText normal;
  std::string path = dir + relative;
  return normalize_path(path, normal) ? std::string(normal.view()) : path;
}

}  // namespace

std::string library_next_to_binary() {
  std::string dir = binary_directory();
  if (dir.empty()) return {};
  for (const char* candidate : kLibraryBesideBinary) {
    std::string found = cgview_build_at(dir + candidate, this_build());
    if (!found.empty()) return found;
  }
  return {};
}

std::string library_not_found() {
  std::string dir = binary_directory();
  if (dir.empty()) return "libcgview.so not found: /proc/self/exe cannot be read to tell where this cgview is";
  // Each place tried, and what is there when something is: a copy for another
  // machine is the usual mistake, and "not found" would hide it.
  std::string tried, there;
  const ElfBuild own = this_build();
  for (size_t i = 0; i < std::size(kLibraryBesideBinary); ++i) {
    std::string path = joined(dir, kLibraryBesideBinary[i]);
    tried += std::string(i == 0 ? "" : i + 1 == std::size(kLibraryBesideBinary) ? " or " : ", ") + path;
    if (access(path.c_str(), F_OK) != 0) continue;
    ElfBuild build;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    std::string unreadable = fd < 0 ? std::strerror(errno) : "";
    if (fd >= 0) close(fd);
    std::string what = !unreadable.empty()                  ? "cannot be read (" + unreadable + ")"
                       : !cgview_build_of_file(path, build) ? "is not a build of libcgview.so"
                                                            : "is libcgview.so built for " +
                                                                  describe_machine(build.machine, build.elf_class) +
                                                                  ", not for this cgview's " +
                                                                  describe_machine(own.machine, own.elf_class);
    there += "; " + path + " " + what;
  }
  return "libcgview.so not found beside this cgview: none of " + tried + " is a build of it for this machine" + there +
         "; install the two together, or copy libcgview.so to one of those places";
}

std::string library_in_preload() {
  const char* preload = getenv("LD_PRELOAD");
  for (const std::string& entry : preload_variable_entries(preload != nullptr ? preload : "")) {
    std::string found = cgview_build_at(entry, this_build());
    if (!found.empty()) return found;
  }
  return {};
}

bool names_library_build(const RootFs& root, const std::string& entry, const std::string& like) {
  if (entry.empty() || entry.front() != '/' || entry.find('$') != std::string::npos) return false;
  Found file = root.resolve(entry);
  ElfBuild build, wanted;
  if (!file.ok || !cgview_build_of_file(root.host(file.path), build)) return false;
  return like.empty() || (cgview_build_of_file(like, wanted) && build == wanted);
}

std::string preload_with_first(const std::string& shim, const char* old) {
  std::string out = shim;
  ElfBuild shim_build;
  if (!cgview_build_of_file(shim, shim_build)) shim_build = this_build();
  for (const std::string& entry : preload_variable_entries(old != nullptr ? old : "")) {
    if (entry == shim || !cgview_build_at(entry, shim_build).empty()) continue;
    out.append(":").append(entry);
  }
  return out;
}

}  // namespace cgview::cli
