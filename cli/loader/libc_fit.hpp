// Whether the glibc of a root can load libcgview.so: the libc.so.6 that ld.so
// would load there (found as library_search.hpp finds it: ld.so.conf, then the
// default directories; ld.so itself reads ld.so.cache, which a stale image can
// disagree with) against the symbol versions the library requires of it
// (libc_versions.hpp). Each libc file is read once. `cgview enable` refuses a
// root that does not fit; `cgview doctor` says its programs are not reached.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "library_search.hpp"
#include "program_lookup.hpp"

namespace cgview::cli {

struct LibcVerdict {
  enum Kind {
    Fits,          // every required version is defined (or libc has no versions)
    Lacks,         // `missing` names what it lacks: ld.so would stop every program
    OtherMachine,  // only a libc.so.6 of another ELF class, machine or ABI: ld.so there
                   // cannot load the library (an error line in every program)
    NoGlibc,       // no libc.so.6 at all (musl, static): nothing reads ld.so.preload
    Unreadable,    // found, but not readable as ELF: `detail` says why
  } kind = NoGlibc;
  std::string libc_path;  // in the root's terms
  std::string detail;
  std::vector<std::string> missing;
};

class LibcFit {
 public:
  // `required`: the versions the library requires of libc.so.6.
  LibcFit(const RootFs& root, const LibrarySearch& search, std::vector<std::string> required);

  // For a program or library of the root (`who`: its path, search paths, class, machine).
  LibcVerdict judge(const Requester& who);

 private:
  LibcVerdict other_machine() const;

  const RootFs& root_;
  const LibrarySearch& search_;
  std::vector<std::string> required_;
  std::map<std::string, LibcVerdict> by_path_;
};

}  // namespace cgview::cli
