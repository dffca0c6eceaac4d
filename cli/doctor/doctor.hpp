// `cgview doctor`: which programs cgview reaches, and what each asks for.
// examine() is the verdict for one program; `cgview run` uses it too.
// Doctor's members lie in doctor.cpp (finding and classifying a program),
// doctor_preload.cpp (what the preload entries give it, secure mode),
// doctor_libraries.cpp (its libraries and what they ask: the deep part) and
// doctor_script.cpp (#! scripts).
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "elf_identity.hpp"
#include "elf_inspect.hpp"
#include "libc_fit.hpp"
#include "library_search.hpp"
#include "program_lookup.hpp"
#include "secure_mode.hpp"

namespace cgview::cli {

struct Evidence {
  std::string file;  // the object that contains it (root's terms)
  std::string what;  // the cgroup file name found, or the Go version
};

struct Library {
  std::string name;  // as DT_NEEDED names it
  std::string path;  // where it was found; empty when not found
};

// What a program is, as far as reaching it goes.
enum class ProgramKind { GlibcDynamic, Static, Go, Musl, OtherLibc, ForeignArch, Script, NotElf, Library, Unreadable };
// Its name in doctor's text and JSON: "glibc-dynamic", "static", "go", "musl",
// "other-libc", "foreign-arch", "script", "not-elf", "library", "unreadable".
const char* kind_name(ProgramKind kind);

struct ProgramReport {
  std::string name;  // as given
  std::string path;  // resolved, in the root's terms
  ProgramKind kind = ProgramKind::Unreadable;
  bool reached = false;
  std::string why_not;  // when !reached: "is statically linked" (cgview run's warning)
  std::vector<std::string> reasons;
  std::string go_version;
  std::unique_ptr<ProgramReport> interpreter;  // scripts: the #! program
  std::vector<std::string> asks;          // interposed functions imported by it or its libraries
  std::vector<std::string> served_paths;  // served files named in its read-only data
  bool container_aware = false;
  bool secure = false;  // ld.so runs it in secure mode for the runner judged for
  // /etc/ld.so.preload is closed to it (its runner's real ids, or its own):
  // the system-wide mode does not reach it.
  bool list_closed = false;
  bool unexecutable = false;  // exec refuses it or its interpreter to that runner, or the interpreter may not read it (EACCES)
  bool enoexec = false;  // a #! line the kernel refuses (ENOEXEC): execvp runs it with /bin/sh instead
  std::vector<Evidence> container_evidence;
  std::vector<Library> libraries;  // the DT_NEEDED closure, breadth first
  // The AddressSanitizer runtime it needs (its path, else its name): that
  // runtime stops the program at start unless it is the first library loaded,
  // and a preloaded one comes before it. Empty when it needs none.
  std::string asan_runtime;
};

// The libcgview.so a preload entry naming it through $LIB gives a program
// (README: images that run programs of more than one build): ld.so expands
// $LIB for each program, so programs of each build load one of their own.
struct LibBuild {
  std::string entry;    // the preload entry, as written; empty: no entry names one
  std::string path;     // its expansion for the program, in the root's terms
  std::string problem;  // empty when `path` is a build for the program; else why it is not
  std::vector<LibBuild> broken;  // when usable: the other entries, which fail to load
  bool from_file = true;  // /etc/ld.so.preload's entry, not LD_PRELOAD's
  bool usable() const { return !entry.empty() && problem.empty(); }
};

// Why ld.so reads no entry of /etc/ld.so.preload in a program.
struct ListClosed {
  bool by_runner = false;  // the runner's real ids failed access(2); else the program's open
  std::string why;         // "its runner, 65534:65534, may not read /etc/ld.so.preload (mode 0600, ...)"
  bool closed() const { return !why.empty(); }
};

// What the programs examined run with.
struct ProgramEnvironment {
  std::string path;          // PATH: where a name without '/' is looked up
  std::string library_path;  // LD_LIBRARY_PATH ("": none)
  std::string preload;       // LD_PRELOAD ("": none)
};

// This process's PATH (`default_path` where unset), LD_LIBRARY_PATH and
// LD_PRELOAD: what programs started from here run with.
ProgramEnvironment this_environment(std::string_view default_path);

class Doctor {
 public:
  // `root`: the file system programs are looked up in; `env`: what they run with there.
  Doctor(const RootFs& root, ProgramEnvironment env);

  // The verdict for one program. `deep` also walks its libraries for asks,
  // served paths and container awareness (cgview run needs only the verdict).
  ProgramReport examine(std::string_view program, bool deep);

  // Judge secure mode as `runner` gets it (cgview run: itself). By default,
  // as an ordinary user does (privileges_for) where the file lies.
  void judge_as_run_by(const Runner& runner) { runner_ = runner; }

  // Judge every runner as having no_new_privs: on a running system where
  // doctor has it (Kubernetes' allowPrivilegeEscalation: false, docker's
  // no-new-privileges), every process started there inherits it for good,
  // and the kernel applies no setuid or setgid bit.
  void assume_no_new_privs() { no_new_privs_ = true; }

  // Whether a preload entry names libcgview.so through $LIB: each program is
  // then judged by what the entries give it, not by this cgview's own build.
  bool judges_by_entries() const { return any_lib_entry_; }

 private:
  ProgramReport examine_at(std::string_view name, const Found& found, bool deep, int depth);
  // `name` as execvp finds it in `path_var` for the runner judged for.
  Found find_command(std::string_view name, std::string_view path_var, std::string_view cwd) const;
  // Whether exec lets the runner judged for start `found` (a regular file of
  // status `st`): the file's permission and mount, and every directory its
  // path goes through.
  bool may_start(const Found& found, const struct stat& st) const;
  std::string passed_over_reason(const std::string& candidate, std::string_view cwd) const;
  // "UID:GID" of the runner judged for, or "an ordinary user"; and, for the
  // latter, " (doctor assumes such a runner; --user names another)".
  std::string runner_name() const;
  std::string assumed_runner() const;
  // Who ld.so opens a preload as, to precede closed_to's "may not read it":
  // "its runner: an ordinary user (...)"; in secure mode "it: as user 5 (its
  // setuid bit's), it".
  std::string opener_name(const Privileges& privileges) const;
  // Why ld.so reads no entry of /etc/ld.so.preload in a program of these
  // privileges (none where it does, or there is no such file): it reads the
  // file only where access(2) lets the real ids (Privileges::real_user) and
  // then opens it with the effective ones, and says nothing where it may
  // not. `say_assumed`: the reason says doctor assumed the runner.
  // `it`: how the reason names the list.
  ListClosed preload_file_closed(const Privileges& privileges, bool say_assumed,
                                 std::string_view it = "/etc/ld.so.preload") const;
  // "ld.so reads /etc/ld.so.preload only where ...; here <closed.why>".
  static std::string list_closed_reason(const ListClosed& closed);
  // Whether /etc/ld.so.preload names libcgview.so.
  bool has_file_entry() const;
  // Whether it does, or may: it is there, but closed to doctor's own user.
  bool list_in_play() const { return has_file_entry() || !list_closed_to_doctor_.empty(); }
  void examine_elf(ProgramReport& report, int fd, bool deep, const Privileges& privileges);
  bool classify(ProgramReport& report, const ElfFacts& facts, LibBuild& lib_build, const Privileges& privileges);
  void apply_blockers(ProgramReport& report, const ElfFacts& facts, const LibBuild& lib_build, const std::string& build,
                      const Privileges& privileges);
  void summarize_contents(ProgramReport& report, const ElfFacts& facts, bool secure);
  void examine_script(ProgramReport& report, std::string_view first_line, bool deep, int depth);
  void find_asan_runtime(ProgramReport& report, const ElfFacts& facts, bool secure);
  void walk_libraries(ProgramReport& report, const ElfFacts& program, bool secure);
  void missing_library(ProgramReport& report, const std::string& name, const std::string& error, bool secure);
  void add_cgview_entry(std::string path, bool from_file);
  LibBuild lib_build_for(const std::string& path, const ElfFacts& program, const Privileges& privileges) const;
  void judge_secure(ProgramReport& report, const ElfFacts& facts, const Privileges& privileges);
  void refuse_unexecutable(ProgramReport& report, const Found& found, const ExecFile& file) const;
  static std::string lib_build_problem(const LibBuild& build);
  void check_glibc_version(ProgramReport& report, const ElfFacts& program, const std::string& build, bool secure);
  LibcFit* libc_fit_for(const std::string& build);  // null: nothing to judge with
  const ElfFacts& contents_of(const std::string& path);
  void add_contents(ProgramReport& report, const std::string& file, const ElfFacts& facts);

  const RootFs& root_;
  ProgramEnvironment env_;
  std::string cwd_;
  LibrarySearch libraries_;
  ElfIdentity own_;  // this cgview's build, and so libcgview.so's
  struct CgviewEntry {
    std::string path;  // as written: a path, or a $LIB one
    bool from_file;    // /etc/ld.so.preload's, not LD_PRELOAD's
  };
  std::vector<CgviewEntry> cgview_entries_;
  bool any_lib_entry_ = false;  // one names it through $LIB: programs are judged by the entries
  // Why doctor's own user may not read the root's /etc/ld.so.preload ("may
  // not read it (mode 0600, ...)"); empty: it read it, or there is none.
  std::string list_closed_to_doctor_;
  std::optional<Runner> runner_;
  bool no_new_privs_ = false;
  int chain_ = 0;  // interpreters followed for the program being examined (env restarts the kernel's depth)
  mutable std::map<std::string, std::string> lib_tokens_;  // what each loader puts for $LIB, by path
  std::map<std::string, ElfFacts> cache_;  // library contents by path, read once per run
  // Each library build against the root's glibc, by path ("": this cgview's
  // own libcgview.so), read when first needed; null: unreadable.
  std::map<std::string, std::unique_ptr<LibcFit>> libc_fits_;
};


}  // namespace cgview::cli
