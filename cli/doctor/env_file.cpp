#include "env_file.hpp"

namespace cgview::cli {

std::map<std::string, std::string> parse_env_file(std::string_view text) {
  std::map<std::string, std::string> vars;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // a file written on Windows
    size_t start = line.find_first_not_of(" \t\v\f");
    if (start == std::string_view::npos || line[start] == '#') continue;
    line.remove_prefix(start);
    size_t eq = line.find('=');
    if (eq == 0 || eq == std::string_view::npos) continue;
    std::string_view name = line.substr(0, eq);
    if (name.find_first_of(" \t\v\f") != std::string_view::npos) continue;
    if (line.find('\0') != std::string_view::npos) continue;  // no variable holds one: not a text file
    vars[std::string(name)] = std::string(line.substr(eq + 1));
  }
  return vars;
}

}  // namespace cgview::cli
