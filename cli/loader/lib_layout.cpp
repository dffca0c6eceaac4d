#include "lib_layout.hpp"

#include "elf_identity.hpp"
#include "library_search.hpp"
#include "program_lookup.hpp"
#include "text_util.hpp"

namespace cgview::cli {

namespace {

size_t lib_token_length(std::string_view at) { return dst_token_length(at, "LIB"); }

// `value` as a string of its own in a loader's read-only data: NUL after it,
// and NUL or '/' before it (the linker may share a string's tail with a longer one).
bool holds_string(std::string_view bytes, std::string_view value) {
  std::string needle = std::string(value) + '\0';
  for (size_t at = bytes.find(needle); at != std::string_view::npos; at = bytes.find(needle, at + 1))
    if (at > 0 && (bytes[at - 1] == '\0' || bytes[at - 1] == '/')) return true;
  return false;
}

}  // namespace

bool names_cgview_through_lib(std::string_view entry) {
  if (entry != "libcgview.so" && !entry.ends_with("/libcgview.so")) return false;
  return has_dst_token(entry, "LIB");
}

std::vector<std::string> preload_variable_entries(std::string_view value) {
  return split_words(value, " :", 256);
}

std::string without_preload_comments(std::string_view text) {
  // glibc's loader blanks each '#' to the end of its line, but looks for the
  // next one from the start of the file again, within only as many bytes as
  // it has passed over: a comment far enough down is left, and its words
  // (the '#' among them) are loaded as libraries. As it does (elf/rtld.c):
  std::string file(text);
  size_t rest = file.size();
  while (rest > 0) {
    size_t comment = file.find('#');
    if (comment == std::string::npos || comment >= rest) break;
    rest -= comment;
    do file[comment] = ' ';
    while (--rest > 0 && file[++comment] != '\n');
  }
  return file;
}

std::vector<std::string> preload_file_entries(std::string_view text) {
  return split_words(without_preload_comments(text), kPreloadFileSeparators, 256);
}

std::string lib_token_of(std::string_view loader, std::string_view triplet, std::string_view loader_dir) {
  if (!loader.empty()) {
    std::string multiarch = "lib/" + std::string(triplet);
    if (!triplet.empty() && holds_string(loader, multiarch)) return multiarch;
    for (std::string_view value : {"lib64", "libx32", "lib32"})
      if (holds_string(loader, value)) return std::string(value);
  }
  while (loader_dir.size() > 1 && loader_dir.back() == '/') loader_dir.remove_suffix(1);
  size_t slash = loader_dir.rfind('/');
  std::string_view last = slash == std::string_view::npos ? loader_dir : loader_dir.substr(slash + 1);
  // A multiarch triplet: i386-linux-gnu, x86_64-linux-gnu, arm-linux-gnueabihf, ...
  if (last.find("-linux-") != std::string_view::npos) return "lib/" + std::string(last);
  return std::string(last);
}

bool expand_lib(std::string_view entry, std::string_view value, std::string& out) {
  out.clear();
  while (!entry.empty()) {
    size_t token = entry.find('$');
    out.append(entry.substr(0, token));
    if (token == std::string_view::npos) break;
    entry.remove_prefix(token);
    if (dst_token_length(entry, "ORIGIN") != 0 || dst_token_length(entry, "PLATFORM") != 0) return false;
    size_t length = lib_token_length(entry);
    out.append(length != 0 ? value : "$");
    entry.remove_prefix(length != 0 ? length : 1);
  }
  return true;
}

std::string lib_token_of_loader(const RootFs& root, const std::string& loader_path) {
  std::string bytes;
  root.read_file(loader_path, 8 << 20, bytes);
  ElfIdentity loader;
  const std::string triplet = elf_identity(bytes, loader) ? multiarch_triplet(loader) : std::string();
  return lib_token_of(bytes, triplet, parent_of(loader_path));
}

std::string cgview_loaded_here() {
  std::string maps;
  if (!RootFs("").read_file("/proc/self/maps", 4 << 20, maps)) return {};
  size_t at = 0;
  while (at < maps.size()) {
    size_t end = maps.find('\n', at);
    if (end == std::string::npos) end = maps.size();
    std::string_view line(maps.data() + at, end - at);
    at = end + 1;
    size_t path = line.find('/');
    if (path != std::string_view::npos && line.ends_with("/libcgview.so")) return std::string(line.substr(path));
  }
  return {};
}

}  // namespace cgview::cli
