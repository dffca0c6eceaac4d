// Fitting `cgview stats`' screen lines to a terminal narrower than 80
// columns without cutting a figure in two.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cgview::cli {

// `line` as lines of at most `columns` bytes, broken between its fields
// (at three blanks, or after a ", "), else between words, never in its first
// 6 columns (a label: "CPU   "); each line after the first indented 6
// columns, under the figures. A word longer than a line is cut, not inside a
// UTF-8 character, as is a line on a terminal too narrow for the indent.
std::vector<std::string> wrap_to_width(std::string_view line, size_t columns);

}  // namespace cgview::cli
