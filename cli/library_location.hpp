// Where the cgview command finds libcgview.so to preload (`run`) or to name
// in ld.so.preload (`enable`), and how `run` puts it first in LD_PRELOAD once.
#pragma once

#include <optional>
#include <string>

#include "elf_identity.hpp"

namespace cgview::cli {

class RootFs;

// The library installed beside this binary, symlinks resolved, so the path
// stays right whatever the caller's cwd: in the binary's own folder (the two
// copied together, a Kubernetes init container's /cgview/), else
// <prefix>/lib/libcgview.so for <prefix>/bin/cgview, else ../shim/ in a build
// tree. Only a build ld.so would load with this binary's (ElfIdentity::
// loads_with) counts. Empty when there is none.
std::string library_next_to_binary();
// Why library_next_to_binary found none: the paths it tried, what is at each
// where something is (a build for another machine, not a build of it,
// unreadable), and what to do.
std::string library_not_found();
// The build of the library LD_PRELOAD already names by path (its soname is
// libcgview.so, whatever the file's name; a symlink to it counts), for this
// binary's programs (its class, byte order and machine); empty when none.
std::string library_in_preload();
// The build of the library at `path`: a file whose soname is libcgview.so,
// whatever it is called (a copy renamed libcgview-amd64.so, or cg.so); the
// tests' libcgview_*_preload.so have none. Empty when the file cannot be
// read or is something else.
std::optional<ElfIdentity> library_build_of_file(const std::string& path);
// The build of the library that `entry`, a word of ld.so.preload under
// `root`, names (symlinks resolved inside the root): a copy installed
// elsewhere (/cgview/libcgview.so beside /usr/lib's) is the same mode.
// Empty when it names none.
std::optional<ElfIdentity> library_build_named(const RootFs& root, const std::string& entry);
// Whether `entry`, a word of ld.so.preload or LD_PRELOAD, names the library,
// as doctor, enable and disable all judge it: through $LIB, by the file name
// libcgview.so (even where no file is there: a broken entry is still cgview's),
// or a file whose soname is libcgview.so (a renamed copy), resolved inside `root`.
bool names_cgview(const RootFs& root, const std::string& entry);
// `shim` first, then the entries of the LD_PRELOAD value `old` other than
// the shim itself or another copy of it for the same programs: under a
// `cgview run` already, or an image's ENV LD_PRELOAD, it is not loaded twice.
// A copy built for another class (a 32-bit program's) stays.
std::string preload_with_first(const std::string& shim, const char* old);

}  // namespace cgview::cli
