#include "screen_wrap.hpp"

namespace cgview::cli {

namespace {

constexpr size_t kLabel = 6;  // "CPU   ", "MEM   ", or a row's indent: never broken

// How many of the first `columns` bytes of `s` to keep so as not to end
// inside a UTF-8 character.
size_t cut_at(std::string_view s, size_t columns) {
  if (s.size() <= columns) return s.size();
  size_t at = columns;
  while (at > 0 && (static_cast<unsigned char>(s[at]) & 0xc0) == 0x80) --at;
  return at;
}

// Where to break `s` so that what comes before fits `columns`: the last
// blank that ends a field (the first of two or more, or one after a comma)
// where that leaves more than half the line, else the last blank after a
// word, else such a field's; 0 where there is none. Fields are what the
// screen puts two or three blanks between ("2 CPUs  quota 0.50"); a field
// break early in the line ("read  1.2M", aligned with "write") would waste it.
size_t break_at(std::string_view s, size_t columns) {
  size_t field = 0, word = 0;
  for (size_t i = kLabel + 1; i <= columns && i < s.size(); ++i) {
    if (s[i] != ' ' || s[i - 1] == ' ') continue;  // the first blank after a word
    word = i;
    if (s[i - 1] == ',' || (i + 1 < s.size() && s[i + 1] == ' ')) field = i;
  }
  if (field * 2 > columns) return field;
  return word != 0 ? word : field;
}

}  // namespace

std::vector<std::string> wrap_to_width(std::string_view line, size_t columns) {
  std::vector<std::string> out;
  std::string rest(line);
  const std::string indent(kContinuationIndent, ' ');
  while (rest.size() > columns) {
    if (columns <= kContinuationIndent + 1) {  // no room to go on: cut
      out.push_back(rest.substr(0, cut_at(rest, columns)));
      return out;
    }
    size_t at = break_at(rest, columns);
    // A word longer than the room left: split it where the line ends.
    const bool split = at == 0;
    if (split) at = cut_at(rest, columns);
    out.push_back(rest.substr(0, at));
    size_t next = split ? at : rest.find_first_not_of(' ', at);
    rest = indent + (next == std::string::npos ? "" : rest.substr(next));
  }
  out.push_back(std::move(rest));
  return out;
}

}  // namespace cgview::cli
