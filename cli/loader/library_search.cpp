#include "library_search.hpp"

#include "elf_identity.hpp"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace cgview::cli {

namespace {

constexpr int kMaxIncludeDepth = 8;
constexpr size_t kMaxConfBytes = 1 << 20;
constexpr size_t kMaxConfDirs = 1024;
constexpr int kMaxConfFiles = 256;  // includes may glob each other: read this many files at most

// Expands $ORIGIN, $LIB and $PLATFORM (and their ${...} forms) in one search-path entry.
std::string expand(std::string_view entry, const Requester& who) {
  std::string out;
  std::string lib = who.identity.elf_class == ELFCLASS64 ? "lib64" : "lib";
  const std::string triplet = multiarch_triplet(who.identity);
  if (!triplet.empty()) lib = "lib/" + triplet;  // Debian's ld.so sets $LIB so
  const int machine = who.identity.machine;
  std::string platform = machine == EM_X86_64 ? "x86_64" : machine == EM_AARCH64 ? "aarch64" : "";
  struct Var {
    std::string_view name;
    std::string value;
  };
  const Var vars[] = {{"ORIGIN", parent_of(who.path)}, {"LIB", lib}, {"PLATFORM", platform}};
  for (size_t i = 0; i < entry.size();) {
    bool matched = false;
    if (entry[i] == '$') {
      for (const Var& v : vars) {
        std::string braced;
        braced.append("{").append(v.name).append("}");
        std::string_view after = entry.substr(i + 1);
        if (after.substr(0, v.name.size()) == v.name) {
          out += v.value;
          i += 1 + v.name.size();
          matched = true;
          break;
        }
        if (after.substr(0, braced.size()) == braced) {
          out += v.value;
          i += 1 + braced.size();
          matched = true;
          break;
        }
      }
    }
    if (!matched) out += entry[i++];
  }
  return out;
}

}  // namespace

LibrarySearch::LibrarySearch(const RootFs& root) : root_(root) { read_conf("/etc/ld.so.conf", 0); }

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

bool LibrarySearch::try_dir(std::string_view dir, std::string_view name, const Requester& who, Found& out) const {
  if (dir.empty()) return false;
  Found found = root_.resolve(std::string(dir) + "/" + std::string(name), parent_of(who.path));
  if (!found.ok) return false;
  // A file of another build is passed over, as ldconfig leaves it out of
  // ld.so.cache. (Where ld.so opens a directory itself, DT_RPATH, DT_RUNPATH
  // and the default ones, a file of its class in the other byte order stops
  // it with an error instead: a mix too rare to tell apart here.)
  ElfIdentity file;
  bool fits = elf_identity_of_file(root_.host(found.path), file) && file.loads_with(who.identity);
  if (fits) out = found;
  return fits;
}

bool LibrarySearch::search_list(std::string_view list, std::string_view name, const Requester& who, Found& out) const {
  size_t at = 0;
  while (at < list.size()) {
    size_t end = list.find(':', at);
    if (end == std::string_view::npos) end = list.size();
    std::string dir = expand(list.substr(at, end - at), who);
    at = end + 1;
    if (try_dir(dir, name, who, out)) return true;
  }
  return false;
}

Found LibrarySearch::find(std::string_view name, const Requester& who) const {
  Found out;
  if (name.find('/') != std::string_view::npos) {
    if (try_dir(parent_of(expand(name, who)), name.substr(name.rfind('/') + 1), who, out)) return out;
    return {false, std::string(name), "is not found"};
  }
  if (who.runpath.empty()) {
    if (search_list(who.rpath, name, who, out)) return out;
    if (search_list(who.program_rpath, name, who, out)) return out;
  } else if (search_list(who.runpath, name, who, out)) {
    return out;
  }
  for (const std::string& dir : conf_dirs_)
    if (try_dir(dir, name, who, out)) return out;
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
    if (try_dir(dir, name, who, out)) return out;
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
