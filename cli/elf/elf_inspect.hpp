// Reads the facts `cgview doctor` needs from one ELF file, with libelf:
// its class and machine, interpreter, DT_NEEDED list and search paths, the
// interposed functions it imports, the served paths and cgroup limit names in
// its read-only data, and a Go build's version. Every count and size read from
// the file is bounded, so a truncated or hostile file yields `damage`, never a
// crash or a hang.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "elf_identity.hpp"

namespace cgview::cli {

struct ElfFacts {
  bool is_elf = false;   // the file starts with an ELF header libelf accepts
  std::string damage;    // why (part of) the file could not be read; empty when whole
  bool truncated = false;  // its header, program headers or segments lie past the file's end:
                           // nothing else in it can be trusted, and the kernel would not run it
  ElfIdentity identity;  // class, byte order, machine, flags; type (ET_EXEC, ET_DYN, ...)
  bool has_interp = false;
  std::string interp;    // PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2
  bool has_dynamic = false;  // a .dynamic section (dynamically linked or static-pie)
  bool pie = false;          // DF_1_PIE
  std::vector<std::string> needed;  // DT_NEEDED, in order
  std::string runpath, rpath;       // DT_RUNPATH / DT_RPATH, unexpanded (rpath empty where there is a runpath)
  bool has_runpath = false;         // a DT_RUNPATH tag, even one of an empty string
  std::string soname;               // DT_SONAME: a shared library's (an executable has none)
  // Symbol versions (.gnu.version_d, .gnu.version_r): the ones this object
  // defines ("libc.so.6" for its base entry, "GLIBC_2.17", ...; none when it
  // has no versions), and the ones it requires of each library (weak ones
  // left out). ld.so refuses to start a program when an object requires a
  // version that its library, having versions, does not define.
  std::vector<std::string> versions_defined;
  struct VersionsNeeded {
    std::string file;  // as the entry names it: "libc.so.6"
    std::vector<std::string> versions;
  };
  std::vector<VersionsNeeded> versions_needed;
  std::vector<std::string> imports;       // interposed functions it imports (undefined dynamic symbols)
  std::vector<std::string> served_paths;  // served paths found in read-only data
  std::vector<std::string> cgroup_names;  // cgroup limit file names found in read-only data
  bool go = false;         // has Go build info
  std::string go_version;  // e.g. "go1.19.8"; empty when unreadable
};

enum class ElfDepth {
  Linking,   // class, machine, interpreter, dynamic section, Go build info
  Contents,  // also imports and read-only data strings
};

// Whether `needle` occurs in `data` as a whole name: the byte after it does
// not continue a name ("/proc/stat" is not in "/proc/statm", nor "memory.max"
// in "memory.max_usage_in_bytes"), nor the byte before, except for a path
// or a name of 16 bytes or more (string literals packed back to back).
bool contains_token(std::string_view data, std::string_view needle);

// Inspects the open file `fd` (read only, not closed).
ElfFacts inspect_elf_fd(int fd, ElfDepth depth);

// Inspects `size` bytes in memory (the fuzz target's entry point).
// libelf may write into `data` (it converts in place), so pass a copy.
ElfFacts inspect_elf_memory(char* data, size_t size, ElfDepth depth);

}  // namespace cgview::cli
