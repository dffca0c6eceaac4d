// Small string helpers the cgview command's parts share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cgview::cli {

// "b" of "/a/b"; all of a name without '/'.
inline std::string_view basename_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// A letter, digit or '_': what continues a C identifier (a symbol name, a
// loader's $NAME token).
inline bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Appends `item` unless `list` holds it already (lists of a few names, in
// the order first seen).
inline void add_once(std::vector<std::string>& list, std::string_view item) {
  for (const std::string& s : list)
    if (s == item) return;
  list.emplace_back(item);
}

inline std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out.append(i == 0 ? "" : separator).append(items[i]);
  return out;
}

}  // namespace cgview::cli
