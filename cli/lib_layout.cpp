#include "lib_layout.hpp"

#include "program_lookup.hpp"

namespace cgview::cli {

namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

bool names_cgview_through_lib(std::string_view entry) {
  bool lib = entry.find("$LIB") != std::string_view::npos || entry.find("${LIB}") != std::string_view::npos;
  return lib && (entry == "libcgview.so" || ends_with(entry, "/libcgview.so"));
}

std::string lib_token_for(std::string_view loader_dir) {
  while (loader_dir.size() > 1 && loader_dir.back() == '/') loader_dir.remove_suffix(1);
  size_t slash = loader_dir.rfind('/');
  std::string_view last = slash == std::string_view::npos ? loader_dir : loader_dir.substr(slash + 1);
  // A multiarch triplet: i386-linux-gnu, x86_64-linux-gnu, arm-linux-gnueabihf, ...
  if (last.find("-linux-") != std::string_view::npos) return "lib/" + std::string(last);
  return std::string(last);
}

std::string expand_lib(std::string_view entry, std::string_view value) {
  std::string out;
  while (!entry.empty()) {
    size_t token = entry.find('$');
    out.append(entry.substr(0, token));
    if (token == std::string_view::npos) break;
    entry.remove_prefix(token);
    size_t length = entry.substr(0, 4) == "$LIB" ? 4 : entry.substr(0, 6) == "${LIB}" ? 6 : 0;
    if (length == 0) {
      out += '$';
      entry.remove_prefix(1);
      continue;
    }
    out.append(value);
    entry.remove_prefix(length);
  }
  return out;
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
    if (path != std::string_view::npos && ends_with(line, "/libcgview.so")) return std::string(line.substr(path));
  }
  return {};
}

}  // namespace cgview::cli
