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
