#include "screen_wrap.hpp"

namespace cgview::cli {

namespace {

constexpr size_t kIndent = 6;  // where the figures start: "CPU   ", "MEM   "

// The first `columns` bytes of `s`, not ending inside a UTF-8 character.
std::string cut(std::string_view s, size_t columns) {
  if (s.size() <= columns) return std::string(s);
  size_t at = columns;
  while (at > 0 && (static_cast<unsigned char>(s[at]) & 0xc0) == 0x80) --at;
  return std::string(s.substr(0, at));
}

// Where to break `s` so that what comes before fits `columns`, never in its
// label or indent (the first 6 bytes): the last blank that ends a field (the
// first of three, as the screen puts between fields, or one after a comma),
// else the last blank after a word; 0 where there is none.
size_t break_at(std::string_view s, size_t columns) {
  size_t field = 0, word = 0;
  for (size_t i = kIndent + 1; i <= columns && i < s.size(); ++i) {
    if (s[i] != ' ' || s[i - 1] == ' ') continue;  // the first blank after a word
    word = i;
    if (s[i - 1] == ',' || s.substr(i, 3) == "   ") field = i;
  }
  return field != 0 ? field : word;
}

}  // namespace

std::vector<std::string> wrap_to_width(std::string_view line, size_t columns) {
  std::vector<std::string> out;
  std::string rest(line);
  while (rest.size() > columns) {
    size_t at = break_at(rest, columns);
    if (at == 0) {
      out.push_back(cut(rest, columns));
      return out;
    }
    out.push_back(rest.substr(0, at));
    size_t next = rest.find_first_not_of(' ', at);
    rest = std::string(kIndent, ' ') + (next == std::string::npos ? "" : rest.substr(next));
  }
  out.push_back(std::move(rest));
  return out;
}

}  // namespace cgview::cli
