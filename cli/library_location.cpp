#include "library_location.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string_view>

#include "elf_identity.hpp"
#include "elf_inspect.hpp"
#include "lib_layout.hpp"
#include "library_search.hpp"
#include "program_lookup.hpp"
#include "text_util.hpp"
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


// What the file at `path` is, read once: a build of the library (its build
// in `out`), something else, or unreadable (errno in `open_error`).
enum class FileKind { Library, Other, Unreadable };
FileKind kind_of_file(const std::string& path, ElfIdentity& out, int& open_error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    open_error = errno;
    return FileKind::Unreadable;
  }
  ElfFacts facts = inspect_elf_fd(fd, ElfDepth::Linking);
  close(fd);
  out = facts.identity;
  return facts.soname == "libcgview.so" ? FileKind::Library : FileKind::Other;
}

// A path ld.so takes as it is (with a '/', no $LIB) whose file, symlinks
// resolved, is a build of the library for `wanted`; its resolved path, or
// empty.
std::string cgview_build_at(const std::string& entry, const ElfIdentity& wanted) {
  char resolved[PATH_MAX];
  if (entry.find('/') == std::string::npos || entry.find('$') != std::string::npos ||
      realpath(entry.c_str(), resolved) == nullptr)
    return {};
  std::optional<ElfIdentity> build = library_build_of_file(resolved);
  return build && build->loads_with(wanted) ? std::string(resolved) : std::string();
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
    std::string found = cgview_build_at(dir + candidate, this_build_identity());
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
  const ElfIdentity own = this_build_identity();
  for (size_t i = 0; i < std::size(kLibraryBesideBinary); ++i) {
    std::string path = joined(dir, kLibraryBesideBinary[i]);
    tried += std::string(i == 0 ? "" : i + 1 == std::size(kLibraryBesideBinary) ? " or " : ", ") + path;
    if (access(path.c_str(), F_OK) != 0) continue;
    ElfIdentity build;
    int open_error = 0;
    FileKind kind = kind_of_file(path, build, open_error);
    std::string what = kind == FileKind::Unreadable ? "cannot be read (" + std::string(std::strerror(open_error)) + ")"
                       : kind == FileKind::Other    ? "is not a build of libcgview.so"
                                                    : "is libcgview.so built for " +
                                                       describe_build(build) + ", not for this cgview's " +
                                                       describe_build(own);
    there += "; " + path + " " + what;
  }
  return "libcgview.so not found beside this cgview: none of " + tried + " is a build of it for this machine" + there +
         "; install the two together, or copy libcgview.so to one of those places";
}

std::string library_in_preload() {
  const char* preload = getenv("LD_PRELOAD");
  for (const std::string& entry : preload_variable_entries(preload != nullptr ? preload : "")) {
    std::string found = cgview_build_at(entry, this_build_identity());
    if (!found.empty()) return found;
  }
  return {};
}

std::optional<ElfIdentity> library_build_of_file(const std::string& path) {
  ElfIdentity build;
  int open_error = 0;
  if (kind_of_file(path, build, open_error) != FileKind::Library) return std::nullopt;
  return build;
}

std::optional<ElfIdentity> library_build_named(const RootFs& root, const std::string& entry) {
  if (entry.empty() || entry.front() != '/' || entry.find('$') != std::string::npos) return std::nullopt;
  Found file = root.resolve(entry);
  if (!file.ok) return std::nullopt;
  return library_build_of_file(root.host(file.path));
}

bool names_cgview(const RootFs& root, const std::string& entry) {
  if (names_cgview_through_lib(entry)) return true;
  return basename_of(entry) == "libcgview.so" || library_build_named(root, entry).has_value();
}

std::string preload_with_first(const std::string& shim, const char* old) {
  std::string out = shim;
  ElfIdentity shim_build = library_build_of_file(shim).value_or(this_build_identity());
  for (const std::string& entry : preload_variable_entries(old != nullptr ? old : "")) {
    if (entry == shim || !cgview_build_at(entry, shim_build).empty()) continue;
    out.append(":").append(entry);
  }
  return out;
}

}  // namespace cgview::cli
