// Whether a glibc can load libcgview.so. Before any program code runs, ld.so
// checks that every symbol version an object requires of a library is defined
// there; a preloaded object that fails the check stops every program it is
// preloaded into ("version `GLIBC_2.17' not found (required by
// libcgview.so)"). `cgview enable` refuses such a root, and `cgview doctor`
// says such a program is not reached.
#pragma once

#include <string>
#include <vector>

#include "elf_inspect.hpp"

namespace cgview::cli {

// The versions `library` requires of libc.so.6 ("GLIBC_2.2.5", "GLIBC_2.17", ...).
std::vector<std::string> libc_versions_required(const ElfFacts& library);

// Those of `required` that `libc` does not define, in order; none when `libc`
// has no versions at all (ld.so then checks none).
std::vector<std::string> versions_missing(const std::vector<std::string>& required, const ElfFacts& libc);

// The same two over files (host paths). False, with `why`, when the file
// cannot be read as ELF.
bool read_libc_versions_required(const std::string& library, std::vector<std::string>& required, std::string& why);
bool read_versions_missing(const std::string& libc, const std::vector<std::string>& required,
                           std::vector<std::string>& missing, std::string& why);

// "GLIBC_2.17", "GLIBC_2.14 and GLIBC_2.17", for messages.
std::string join_versions(const std::vector<std::string>& versions);

}  // namespace cgview::cli
