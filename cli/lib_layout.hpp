// Preload entries that name libcgview.so through ld.so's $LIB (README: images that
// also run 32-bit programs): ld.so expands it for each program to that program's
// library directory, so one entry serves every ELF class the layout has a build
// for. `cgview run`, `enable` and `doctor` take such an entry as the shim named.
#pragma once

#include <string>
#include <string_view>

namespace cgview::cli {

// "/usr/$LIB/libcgview.so" or ".../${LIB}/libcgview.so".
bool names_cgview_through_lib(std::string_view entry);

// The libcgview.so mapped into this process (how ld.so expanded such an entry for
// it), or "" when none is.
std::string cgview_loaded_here();

}  // namespace cgview::cli
