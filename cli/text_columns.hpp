// How many columns of a terminal a UTF-8 text takes, for tables that line up
// whatever names they hold.
#pragma once

#include <cstddef>
#include <string_view>

namespace cgview::cli {

// Two for each wide character (CJK, Hangul, fullwidth forms, emoji), none
// for a combining mark or a zero-width one, one for any other character and
// for each ill-formed run of bytes (one replacement mark: utf8.hpp). The
// widths are Unicode's East Asian Width and categories
// (scripts/gen-text-columns writes the table).
size_t terminal_columns(std::string_view utf8);

}  // namespace cgview::cli
