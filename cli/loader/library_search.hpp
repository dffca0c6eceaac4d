// Where ld.so would find a DT_NEEDED library, inside a root: the DT_RPATHs of
// the requester and its loaders (when it has no DT_RUNPATH), LD_LIBRARY_PATH
// (not in a setuid or setgid program), its DT_RUNPATH, the directories of
// /etc/ld.so.conf
// (with its include globs; ld.so reads them through its cache), then the
// default directories, multiarch first. A candidate of another ELF class,
// byte order, machine or ABI is skipped, as ldconfig leaves it out of
// ld.so.cache.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "elf_identity.hpp"
#include "program_lookup.hpp"

namespace cgview::cli {

struct Requester {
  std::string path;     // the object asking, as ld.so opened it (Found::opened; $ORIGIN is its directory)
  std::string runpath;  // its DT_RUNPATH
  bool has_runpath = false;  // a DT_RUNPATH tag, even an empty one: then no DT_RPATH is searched
  std::string rpath;    // its DT_RPATH
  ElfIdentity identity;  // its build: only libraries that load with it (ElfIdentity::loads_with) are found
  // The object that loaded this one (none: the executable, or an object
  // examined alone). Without a DT_RUNPATH, ld.so searches after `rpath` the
  // DT_RPATH of its loader, and of that one's, up to the executable's. Shared:
  // every need of one object, and every object it loads, points to one copy.
  std::shared_ptr<const Requester> loader;
  // A setuid or setgid program, or an object it loads: ld.so runs it in
  // secure mode, which ignores LD_LIBRARY_PATH.
  bool secure = false;
  // A preload entry's name without '/' for a program in secure mode: ld.so
  // (do_preload's __RTLD_SECURE) then skips ld.so.cache, so the directories
  // of /etc/ld.so.conf are not searched.
  bool secure_preload = false;
};

class LibrarySearch {
 public:
  // `working_dir`: where ld.so opens a relative name (a DT_NEEDED path such as
  // "lib/libx.so", a search-path entry without a leading '/') from: the
  // program's working directory, not the requester's. `library_path`: the
  // LD_LIBRARY_PATH the programs run with ("": none).
  LibrarySearch(const RootFs& root, std::string working_dir, std::string library_path = {});

  // The path, in the root's terms, of the library a DT_NEEDED entry names,
  // its tokens expanded; or !ok with the reason (`dropped` where ld.so leaves
  // the entry out: a $PLATFORM this build has no name for).
  Found find(std::string_view needed, const Requester& who) const;

  // The same for a name taken as written: a preload entry without '/', whose
  // tokens ld.so does not expand.
  Found find_name(std::string_view name, const Requester& who) const;

  // The name ld.so knows a DT_NEEDED entry by among the objects it has
  // loaded: the entry with $ORIGIN and $LIB expanded ($PLATFORM, the same for
  // every object of a program, stays as written). "$ORIGIN/x.so" needed from
  // two directories names two objects; "/d/x.so" and "$ORIGIN/x.so" from /d one.
  std::string loaded_name(std::string_view needed, const Requester& who) const;

  const std::vector<std::string>& configured_dirs() const { return conf_dirs_; }

 private:
  void read_conf(std::string_view path, int depth);
  // `path` as a process in working_dir_ names it: a relative one from there.
  std::string from_working_dir(std::string_view path) const;
  // True, with `out`, where `dir` holds `name` built for the requester.
  bool try_dir(std::string_view dir, std::string_view name, const Requester& who, Found& out) const;
  // The same for a search directory: its glibc-hwcaps subdirectories first.
  bool try_search_dir(std::string_view dir, std::string_view name, const Requester& who, Found& out) const;
  // `entries`: a DT_RPATH's or DT_RUNPATH's of the object at `object_path`
  // (its $ORIGIN), or LD_LIBRARY_PATH's, whose $ORIGIN is the program's.
  bool search_entries(const std::vector<std::string>& entries, std::string_view object_path, std::string_view name,
                      const Requester& who, Found& out) const;

  const RootFs& root_;
  std::string working_dir_;
  std::vector<std::string> library_path_;  // LD_LIBRARY_PATH's entries, each once
  std::vector<std::string> conf_dirs_;
  mutable std::map<std::string, bool> has_hwcaps_;  // search directory's glibc-hwcaps -> whether there
  int conf_files_read_ = 0;
};


// The length of the loader's dynamic string token `name` ("LIB", "ORIGIN",
// "PLATFORM") that `at` starts with, or 0. As glibc reads them: "${NAME}", or
// "$NAME" not followed by a character of a name ("$LIBX" is no token).
size_t dst_token_length(std::string_view at, std::string_view name);

// Whether `text` holds the token `name` anywhere.
bool has_dst_token(std::string_view text, std::string_view name);

// The runs of characters not in `separators`, at most `at_most` of them (a
// #! line's words, an ld.so.conf line's words).
std::vector<std::string> split_words(std::string_view text, std::string_view separators,
                                     size_t at_most = size_t(-1));

}  // namespace cgview::cli
