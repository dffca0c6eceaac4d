#include "library_search.hpp"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "elf_identity.hpp"
#include "text_util.hpp"

namespace cgview::cli {

namespace {

constexpr int kMaxIncludeDepth = 8;
constexpr size_t kMaxConfBytes = 1 << 20;
constexpr size_t kMaxConfDirs = 1024;
constexpr int kMaxConfFiles = 256;  // includes may glob each other: read this many files at most

// The names glibc's loader may give $PLATFORM in a program of `build`. It is
// the CPU's, not only the build's: on x86-64 "haswell" where an Intel CPU has
// AVX2, FMA, BMI1/2, LZCNT, MOVBE and POPCNT (Haswell and later),
// "xeon_phi" on Knights Landing, else (AMD, older Intel) "x86_64"; on i386
// "i686" (or "i586"); elsewhere the kernel's AT_PLATFORM: the architecture's
// version on ARM, the CPU's model on POWER and IBM Z. An image may run on any
// of them, so each is tried.
// Other ports' kernels give none (RISC-V) or names not listed here: such an
// entry is passed over, as ld.so passes over one it cannot expand.
std::vector<std::string_view> platform_names(const ElfIdentity& build) {
  const bool little = build.data == ELFDATA2LSB;
  switch (build.machine) {
    case EM_X86_64: return {"haswell", "x86_64", "xeon_phi"};
    case EM_386: return {"i686", "i586"};
    case EM_AARCH64: return {little ? "aarch64" : "aarch64_be"};
    case EM_ARM:  // "v8l" under a 64-bit kernel; 'b' for big-endian; v7ml for Cortex-M
      if (little) return {"v8l", "v7l", "v6l", "v5l", "v4l", "v7ml"};
      return {"v8b", "v7b", "v6b", "v5b", "v4b"};
    case EM_PPC64:
    case EM_PPC:  // the kernel's names of its CPU models; power4 stands for one it does not know
      return {"power9", "power10", "power11", "power8", "power7+", "power7", "power6x", "power6", "power5+",
              "power5", "power4", "ppc970", "ppc-cell-be", "pa6t", "ppc7450", "ppc7400", "ppc750", "ppc440",
              "ppc440gp", "ppc470", "ppc405", "ppc8540", "ppc8548", "ppce500mc", "ppce5500",
              "ppce6500", "ppc603", "ppc604", "ppc601", "ppc823"};
    case EM_S390:
      return {"z15", "z16", "z17", "z14", "z13", "zEC12", "z196", "z10", "z9-109", "z990", "z900"};
    default: return {};
  }
}

// The glibc-hwcaps subdirectories glibc's loader (2.33 and later) tries in
// each search directory before the directory itself, best first, for a
// program of `build`: those the CPU supports, which may be any of them.
std::vector<std::string_view> hwcaps_subdirs(const ElfIdentity& build) {
  switch (build.machine) {
    case EM_X86_64: return {"x86-64-v4", "x86-64-v3", "x86-64-v2"};
    case EM_PPC64: return build.data == ELFDATA2LSB ? std::vector<std::string_view>{"power10", "power9"}
                                                    : std::vector<std::string_view>{};
    case EM_S390: return {"z16", "z15", "z14", "z13"};
    default: return {};
  }
}

// `entry` with $ORIGIN, $LIB and $PLATFORM (and their ${...} forms) replaced:
// $ORIGIN by `origin`, $PLATFORM by `platform` (left as written where that is
// empty). A '$' that starts no token stays, as in ld.so.
std::string expand(std::string_view entry, const Requester& who, std::string_view origin, std::string_view platform) {
  std::string lib = who.identity.elf_class == ELFCLASS64 ? "lib64" : "lib";
  const std::string triplet = multiarch_triplet(who.identity);
  if (!triplet.empty()) lib = "lib/" + triplet;  // Debian's ld.so sets $LIB so
  struct Var {
    std::string_view name;
    std::string_view value;
  };
  const Var vars[] = {{"ORIGIN", origin}, {"LIB", lib}, {"PLATFORM", platform}};
  std::string out;
  for (size_t i = 0; i < entry.size();) {
    size_t length = 0;
    for (const Var& v : vars) {
      length = dst_token_length(entry.substr(i), v.name);
      if (length != 0) {
        out += v.value.empty() && v.name == "PLATFORM" ? entry.substr(i, length) : v.value;
        break;
      }
    }
    if (length == 0) out += entry[i++];
    i += length;
  }
  return out;
}

// What `entry` (a search-path entry or a DT_NEEDED name, of the object at
// `object_path`) stands for: one string, or one for each name $PLATFORM may
// take (none where the build has no such name).
std::vector<std::string> expansions(std::string_view entry, const Requester& who, std::string_view object_path) {
  const std::string origin = parent_of(object_path);
  if (!has_dst_token(entry, "PLATFORM")) return {expand(entry, who, origin, "")};
  std::vector<std::string> out;
  for (std::string_view platform : platform_names(who.identity)) out.push_back(expand(entry, who, origin, platform));
  return out;
}

// A search path's entries, split at `separators`, each once (ld.so drops a
// directory it already has: "/a:/a" searches /a once, and a list of 100,000
// ':' is one entry, the working directory). None for an empty list: no such
// tag, or LD_LIBRARY_PATH unset or empty.
std::vector<std::string> unique_entries(std::string_view list, std::string_view separators) {
  std::vector<std::string> entries;
  if (list.empty()) return entries;
  std::set<std::string_view> seen;
  for (size_t at = 0;;) {
    size_t end = list.find_first_of(separators, at);
    std::string_view entry = list.substr(at, end == std::string_view::npos ? end : end - at);
    if (seen.insert(entry).second) entries.emplace_back(entry);
    if (end == std::string_view::npos) return entries;
    at = end + 1;
  }
}

}  // namespace

bool has_dst_token(std::string_view text, std::string_view name) {
  for (size_t at = text.find('$'); at != std::string_view::npos; at = text.find('$', at + 1))
    if (dst_token_length(text.substr(at), name) != 0) return true;
  return false;
}

size_t dst_token_length(std::string_view at, std::string_view name) {
  if (at.substr(0, 1) != "$") return 0;
  at.remove_prefix(1);
  if (at.substr(0, 1) == "{")
    return at.substr(1, name.size()) == name && at.substr(1 + name.size(), 1) == "}" ? name.size() + 3 : 0;
  if (at.substr(0, name.size()) != name) return 0;
  return at.size() == name.size() || !is_identifier_char(at[name.size()]) ? name.size() + 1 : 0;
}

LibrarySearch::LibrarySearch(const RootFs& root, std::string working_dir, std::string library_path)
    : root_(root), working_dir_(std::move(working_dir)), library_path_(unique_entries(library_path, ":;")) {
  read_conf("/etc/ld.so.conf", 0);
}

void LibrarySearch::read_conf(std::string_view path, int depth) {
  std::string text;
  if (depth > kMaxIncludeDepth || ++conf_files_read_ > kMaxConfFiles) return;
  if (!root_.read_file(path, kMaxConfBytes, text)) return;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    at = end + 1;
    line = line.substr(0, line.find('#'));
    std::vector<std::string> words = split_words(line, " \t:,\r");
    if (words.empty()) continue;
    if (words[0] == "include") {
      for (size_t i = 1; i < words.size(); ++i) {
        // A relative pattern is relative to the including file's directory.
        std::string pattern = words[i][0] == '/' ? words[i] : parent_of(path) + "/" + words[i];
        for (const std::string& file : root_.glob(pattern)) read_conf(file, depth + 1);
      }
      continue;
    }
    if (words[0] == "hwcap") continue;
    for (const std::string& dir : words)
      if (dir[0] == '/' && conf_dirs_.size() < kMaxConfDirs) conf_dirs_.push_back(dir);
  }
}

std::string LibrarySearch::loaded_name(std::string_view needed, const Requester& who) const {
  return expand(needed, who, parent_of(who.path), "");
}

std::string LibrarySearch::from_working_dir(std::string_view path) const {
  if (!path.empty() && path.front() == '/') return std::string(path);
  return working_dir_ + (working_dir_.ends_with('/') ? "" : "/") + std::string(path);
}

bool LibrarySearch::try_dir(std::string_view dir, std::string_view name, const Requester& who, Found& out) const {
  // As ld.so opens it: the directory as the search gave it, symlinks and
  // ".." left to the kernel; an empty directory is the working directory.
  std::string opened = from_working_dir(dir.empty() ? std::string(name) : std::string(dir) + "/" + std::string(name));
  Found found = root_.resolve(opened);
  if (!found.ok) return false;
  found.opened = opened;
  // A file of another build is passed over, as ldconfig leaves it out of
  // ld.so.cache. (Where ld.so opens a directory itself, DT_RPATH, DT_RUNPATH
  // and the default ones, a file of its class in the other byte order stops
  // it with an error instead: a mix too rare to tell apart here.)
  ElfIdentity file;
  bool fits = elf_identity_of_file(root_.host(found.path), file) && file.loads_with(who.identity);
  if (fits) out = found;
  return fits;
}

bool LibrarySearch::try_search_dir(std::string_view dir, std::string_view name, const Requester& who,
                                   Found& out) const {
  const std::string hwcaps = from_working_dir(dir.empty() ? "glibc-hwcaps" : std::string(dir) + "/glibc-hwcaps");
  // Most directories have none: looked for once per directory.
  auto known = has_hwcaps_.find(hwcaps);
  if (known == has_hwcaps_.end()) known = has_hwcaps_.emplace(hwcaps, root_.resolve(hwcaps).ok).first;
  if (known->second) {
    for (std::string_view subdir : hwcaps_subdirs(who.identity))
      if (try_dir(hwcaps + "/" + std::string(subdir), name, who, out)) return true;
  }
  return try_dir(dir, name, who, out);
}

bool LibrarySearch::search_entries(const std::vector<std::string>& entries, std::string_view object_path,
                                   std::string_view name, const Requester& who, Found& out) const {
  for (const std::string& entry : entries) {
    // An empty entry ("/a::/b", a ':' at either end) is the working directory,
    // as in ld.so; one whose tokens expand to nothing is passed over.
    for (const std::string& dir : expansions(entry, who, object_path))
      if ((entry.empty() || !dir.empty()) && try_search_dir(dir, name, who, out)) return true;
  }
  return false;
}

Found LibrarySearch::find(std::string_view needed, const Requester& who) const {
  // ld.so expands the tokens of every DT_NEEDED name; one whose $PLATFORM it
  // cannot expand is left out of the program, silently.
  std::vector<std::string> names = expansions(needed, who, who.path);
  Found found;
  found.path = needed;
  found.dropped = names.empty();
  for (const std::string& name : names)
    if ((found = find_name(name, who)).ok) break;
  return found;
}

Found LibrarySearch::find_name(std::string_view name, const Requester& who) const {
  Found out;
  if (name.find('/') != std::string_view::npos) {
    if (try_dir(parent_of(name), basename_of(name), who, out)) return out;
    // A path is the one file ld.so opens: say what is wrong with it.
    std::string path = from_working_dir(name);
    Found there = root_.resolve(path);
    ElfIdentity file;
    std::string error = !there.ok                                            ? "is not found"
                        : !elf_identity_of_file(root_.host(there.path), file) ? "is not an ELF file"
                                                                             : "is built for " + describe_build(file);
    if (name.front() != '/') {
      error = "is a relative path, which ld.so opens from the program's working directory (" + working_dir_ +
              " here), and " + path + " " + (there.ok ? error : "does not exist");
    }
    return {false, std::string(name), error};
  }
  const Requester* program = &who;  // the executable: the first object, which loaded the others
  if (!who.has_runpath) {
    for (const Requester* object = &who; object != nullptr; object = object->loader.get())
      if (search_entries(unique_entries(object->rpath, ":"), object->path, name, who, out)) return out;
  }
  while (program->loader != nullptr) program = program->loader.get();
  // ':' or ';' between its directories; its $ORIGIN is the executable's.
  if (!who.secure && search_entries(library_path_, program->path, name, who, out)) return out;
  if (who.has_runpath && search_entries(unique_entries(who.runpath, ":"), who.path, name, who, out)) return out;
  if (!who.secure_preload) {
    for (const std::string& dir : conf_dirs_)
      if (try_search_dir(dir, name, who, out)) return out;
  }
  const std::string triplet = multiarch_triplet(who.identity);
  std::vector<std::string> defaults;
  if (!triplet.empty()) {
    defaults.push_back("/lib/" + triplet);
    defaults.push_back("/usr/lib/" + triplet);
  }
  if (who.identity.elf_class == ELFCLASS64) {
    defaults.push_back("/lib64");
    defaults.push_back("/usr/lib64");
  }
  defaults.push_back("/lib");
  defaults.push_back("/usr/lib");
  for (const std::string& dir : defaults)
    if (try_search_dir(dir, name, who, out)) return out;
  return {false, std::string(name), "is not found in the library search path"};
}

std::vector<std::string> split_words(std::string_view text, std::string_view separators, size_t at_most) {
  std::vector<std::string> words;
  size_t at = 0;
  while (at < text.size() && words.size() < at_most) {
    size_t start = text.find_first_not_of(separators, at);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(separators, start);
    if (end == std::string_view::npos) end = text.size();
    words.emplace_back(text.substr(start, end - start));
    at = end;
  }
  return words;
}

}  // namespace cgview::cli
