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

// How ld.so splits the entries of LD_PRELOAD and of /etc/ld.so.preload.
inline constexpr std::string_view kPreloadVariableSeparators = " :";
inline constexpr std::string_view kPreloadFileSeparators = " \t\n:";

// What ld.so puts for $LIB in a program whose loader lies in `loader_dir` (in
// the root's terms, symlinks resolved). glibc substitutes the directory it was
// built to keep its own libraries in, where its ld.so lies too: a multiarch
// directory on Debian and Ubuntu ("/usr/lib/i386-linux-gnu" gives
// "lib/i386-linux-gnu"), otherwise the last component ("/usr/lib64" gives
// "lib64"; "lib", "lib32").
std::string lib_token_for(std::string_view loader_dir);

// `entry` with every $LIB and ${LIB} replaced by `value`.
std::string expand_lib(std::string_view entry, std::string_view value);

// The libcgview.so mapped into this process (how ld.so expanded such an entry for
// it), or "" when none is.
std::string cgview_loaded_here();

}  // namespace cgview::cli
