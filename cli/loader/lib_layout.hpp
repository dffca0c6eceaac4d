// Preload entries that name libcgview.so through ld.so's $LIB (README: images that
// run programs of more than one build): ld.so expands it for each program to that program's
// library directory, so one entry serves every ELF class the layout has a build
// for. `cgview run`, `enable` and `doctor` take such an entry as the shim named.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cgview::cli {

// "/usr/$LIB/libcgview.so" or ".../${LIB}/libcgview.so": a $LIB token as ld.so
// reads one ("$LIBX" is not one), in an entry that ends in libcgview.so.
bool names_cgview_through_lib(std::string_view entry);

// The entries of LD_PRELOAD, split as ld.so splits them (blanks and colons).
std::vector<std::string> preload_variable_entries(std::string_view value);

// An /etc/ld.so.preload file with its comments blanked as glibc's loader
// blanks them: '#' to the end of its line, except where the loader's search
// misses one (see the definition). Lines and positions stay as they were.
std::string without_preload_comments(std::string_view text);

// How ld.so splits the entries of /etc/ld.so.preload.
inline constexpr std::string_view kPreloadFileSeparators = " \t\n:";

// The file's entries as the loader reads them.
std::vector<std::string> preload_file_entries(std::string_view text);

// What a glibc loader puts for $LIB: the directory its build keeps its own
// libraries in, compiled into it ("lib/i386-linux-gnu" on Debian and Ubuntu,
// "lib64" on Red Hat's x86-64 layout). `loader` is the loader file's bytes,
// searched for the values glibc builds use (the multiarch one of `triplet`,
// lib64, libx32, lib32); where none is there (an unreadable loader, or one
// built with plain "lib"), the last component of `loader_dir`, the directory
// the loader lies in (a multiarch one as "lib/<triplet>").
std::string lib_token_of(std::string_view loader, std::string_view triplet, std::string_view loader_dir);

// lib_token_of for the loader file at `loader_path` under `root` (read here).
class RootFs;
std::string lib_token_of_loader(const RootFs& root, const std::string& loader_path);

// `entry` with every $LIB token replaced by `value`; false where it holds
// $ORIGIN or $PLATFORM, which this does not expand. A '$' that starts no token
// stays, as ld.so leaves it.
bool expand_lib(std::string_view entry, std::string_view value, std::string& out);

// The libcgview.so mapped into this process (how ld.so expanded such an entry for
// it), or "" when none is.
std::string cgview_loaded_here();

}  // namespace cgview::cli
