// Fitting `cgview stats`' screen lines to a terminal narrower than 80
// columns without cutting a figure in two.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cgview::cli {

// Where a line broken by wrap_to_width goes on: deeper than a row's own
// figures (6), so that it does not read as a row of its own.
inline constexpr size_t kContinuationIndent = 8;

// `line` as lines of at most `columns` bytes, broken between its fields (at
// two or more blanks, or after a ", ") where one ends past half the line,
// else between words, never in its first 6 columns (a label: "CPU   ");
// each line after the first indented kContinuationIndent. A word longer than
// a line is split, not inside a UTF-8 character; on a terminal too narrow for
// the indent the line is cut there instead.
std::vector<std::string> wrap_to_width(std::string_view line, size_t columns);

}  // namespace cgview::cli
