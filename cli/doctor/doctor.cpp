#include "doctor.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "commands.hpp"
#include "doctor_internal.hpp"
#include "go_buildinfo.hpp"
#include "lib_layout.hpp"
#include "text_util.hpp"

namespace cgview::cli {

namespace {

constexpr size_t kScriptLineMax = 256;  // the kernel reads at most this much of a #! line
constexpr const char* kGlibcReason = "It is a dynamically linked glibc program";
constexpr const char* kLibraryReason = "It is a shared library, not a program";

constexpr int kGoContainerAwareMinor = 25;  // Go 1.25 sets GOMAXPROCS from the cgroup CPU limit

// Text every cgview command holds (this search for it puts it there) and no
// other program has a reason to: how doctor knows the command, of whatever
// build or release since, in an image.
constexpr std::string_view kCommandMarker = "cgview command: reads its own cgroup, needs no libcgview.so";

// Whether the file open at `fd` is a cgview command: it holds the marker.
bool is_cgview_command(int fd) {
  std::vector<char> buffer(1 << 16);
  const size_t keep = kCommandMarker.size() - 1;  // a match across two reads
  size_t held = 0;
  for (off_t at = 0;;) {
    ssize_t got = pread(fd, buffer.data() + held, buffer.size() - held, at);
    if (got <= 0) return false;
    at += got;
    const std::string_view seen(buffer.data(), held + size_t(got));
    if (seen.find(kCommandMarker) != std::string_view::npos) return true;
    held = std::min(keep, seen.size());
    std::memmove(buffer.data(), seen.data() + seen.size() - held, held);
  }
}

}  // namespace

void drop_reach_claim(ProgramReport& report) {
  for (std::string& why : report.reasons)
    for (const char* claim : {kGlibcReason, kLibraryReason})
      if (why.starts_with(claim)) why = std::string(claim) + ".";
}

Requester requester(std::string path, const ElfFacts& facts, const ElfIdentity& build,
                    std::shared_ptr<const Requester> loader, bool secure) {
  if (loader != nullptr) secure = loader->secure;
  return {std::move(path), facts.runpath, facts.has_runpath, facts.rpath, build, std::move(loader), secure};
}

bool is_glibc_loader(std::string_view file_name) {
  return file_name.starts_with("ld-linux") || file_name.starts_with("ld64.so.") || file_name == "ld.so.1";
}

const char* kind_name(ProgramKind kind) {
  switch (kind) {
    case ProgramKind::GlibcDynamic: return "glibc-dynamic";
    case ProgramKind::Static: return "static";
    case ProgramKind::Go: return "go";
    case ProgramKind::Musl: return "musl";
    case ProgramKind::OtherLibc: return "other-libc";
    case ProgramKind::ForeignArch: return "foreign-arch";
    case ProgramKind::Script: return "script";
    case ProgramKind::NotElf: return "not-elf";
    case ProgramKind::Library: return "library";
    case ProgramKind::Unreadable: return "unreadable";
  }
  return "unreadable";
}

ProgramEnvironment this_environment(std::string_view default_path) {
  auto value = [](const char* name, std::string_view otherwise) {
    const char* v = getenv(name);
    return std::string(v != nullptr ? std::string_view(v) : otherwise);
  };
  return {value("PATH", default_path), value("LD_LIBRARY_PATH", ""), value("LD_PRELOAD", "")};
}

Doctor::Doctor(const RootFs& root, ProgramEnvironment env)
    : root_(root), env_(std::move(env)), cwd_(root.working_dir()), libraries_(root, cwd_, env_.library_path) {
  // cgview and libcgview.so are built together: programs this binary's
  // build loads with (class, byte order, machine, ABI) are the ones the shim
  // can load into.
  own_ = this_build_identity();
  // The preload entries naming libcgview.so, as ld.so reads them: the root's
  // ld.so.preload, and LD_PRELOAD.
  std::string preload;
  if (root_.read_file("/etc/ld.so.preload", 1 << 20, preload))
    for (std::string& path : preload_file_entries(preload)) add_cgview_entry(std::move(path), true);
  else  // there, but closed to doctor's own user: what it names is not known
    list_closed_to_doctor_ = closed_to(root_, "/etc/ld.so.preload", this_runner(), "/", "it");
  for (std::string& path : preload_variable_entries(env_.preload)) add_cgview_entry(std::move(path), false);
}

ProgramReport Doctor::examine(std::string_view program, bool deep) {
  chain_ = 0;
  const Found found = find_command(program, env_.path, cwd_);
  ProgramReport report = examine_at(program, found, deep, 0);
  if (!found.passed_over.empty()) report.reasons.push_back(passed_over_reason(found.passed_over, cwd_));
  return report;
}

// Why execvp passes over `candidate`, a PATH match before the one taken
// (relative to `cwd`, where a PATH entry is): a
// runner other than the one judged for (root, as doctor so often runs) may
// well take it instead.
std::string Doctor::passed_over_reason(const std::string& candidate, std::string_view cwd) const {
  const Found first = root_.resolve(candidate, cwd);
  const std::string head = "PATH names " + candidate + " before it, ";
  if (!first.ok && first.denied)  // doctor's own EACCES: it cannot tell what the runner may do
    return head + "which doctor's own user (" + std::to_string(getuid()) + ") may not look at (EACCES): it took the " +
           "next match, as execvp does for a runner who may not reach that one either.";
  std::string why = "may not reach it";
  if (std::optional<ClosedDir> closed = first_unsearchable(root_, first.searched, runner_)) {
    why = "may not search " + closed->path + mode_and_owner(closed->dir);
  } else if (struct stat st; stat(root_.host(first.path).c_str(), &st) == 0) {
    const ExecFile file = exec_file_at(root_.host(first.path), st, root_.live());
    why = file.noexec_mount ? "may not execute it (a noexec mount)" : "may not execute it" + mode_and_owner(file);
  }
  return head + "but " + runner_name() + " " + why + ": execvp passes over it (EACCES)" + assumed_runner() + ".";
}

std::string Doctor::runner_name() const {
  return runner_ ? std::to_string(runner_->uid) + ":" + std::to_string(runner_->gid) : "an ordinary user";
}

std::string Doctor::assumed_runner() const {
  return runner_ ? "" : " (doctor assumes such a runner; --user names another)";
}

Found Doctor::find_command(std::string_view name, std::string_view path_var, std::string_view cwd) const {
  return root_.find_command(name, path_var, cwd,
                            [this](const Found& found, const struct stat& st) { return may_start(found, st); });
}

bool Doctor::may_start(const Found& found, const struct stat& st) const {
  return may_execute(exec_file_at(root_.host(found.path), st, root_.live()), runner_) &&
         !first_unsearchable(root_, found.searched, runner_);
}

ProgramReport Doctor::examine_at(std::string_view name, const Found& found, bool deep, int depth) {
  ProgramReport report;
  report.name = name;
  report.path = found.path;
  report.kind = ProgramKind::Unreadable;
  auto fail = [&](const std::string& why) {
    report.why_not = why;
    report.reasons.push_back(std::string(name) + " " + why + ".");
    return std::move(report);
  };
  // A path this process may not walk (EACCES) is one exec refuses its runner
  // too (`cgview run`, or doctor run as the user judged for).
  report.unexecutable = found.denied;
  if (!found.ok) return fail(found.error);
  std::string host = root_.host(found.path);
  struct stat st;
  if (stat(host.c_str(), &st) != 0) {
    report.unexecutable = errno == EACCES;
    return fail(std::string("cannot be examined: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return fail("is a directory, not a program");
  if (!S_ISREG(st.st_mode)) return fail("is not a regular file");
  int fd = open(host.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail(std::string("cannot be read: ") + std::strerror(errno));
  char head[kScriptLineMax];
  ssize_t n = pread(fd, head, sizeof head, 0);
  std::string_view start(head, n > 0 ? size_t(n) : 0);
  const ExecFile file = exec_file_of(fd, st, root_.live());
  if (start.starts_with("#!")) {
    close(fd);
    report.kind = ProgramKind::Script;
    // The kernel reads 256 bytes; without a newline among them it refuses the
    // file (ENOEXEC) where no blank or NUL among all 256 ends the
    // interpreter's name (that name would be cut), and else keeps 255 (the
    // last becomes the string's end: a blank there ends the name, and
    // binfmt_script.c's next_terminator looks at it). A NUL ends the line.
    std::string_view line = start.substr(0, start.find('\n'));
    if (line.size() == kScriptLineMax) {
      size_t name = line.find_first_not_of(" \t", 2);
      const bool cut = name == std::string_view::npos ||
                       line.find_first_of(std::string_view(" \t\0", 3), name) == std::string_view::npos;
      line.remove_suffix(1);
      if (cut) {
        report.why_not = "has a #! line the kernel refuses (ENOEXEC)";
        report.enoexec = true;
        report.reasons.push_back("Its #! line has no newline in the 256 bytes the kernel reads of it, and names no "
                                 "interpreter there or one no blank ends there: the kernel takes the name for cut and "
                                 "exec fails (ENOEXEC); execvp and shells run it with /bin/sh instead, which takes the "
                                 "line for a comment.");
        refuse_unexecutable(report, found, file);
        return report;
      }
    }
    line = line.substr(0, line.find('\0'));
    examine_script(report, line, deep, depth);
    refuse_unexecutable(report, found, file);
    return report;
  }
  if (!start.starts_with(ELFMAG)) {
    close(fd);
    report.kind = ProgramKind::NotElf;
    report.why_not = "is neither an ELF program nor a #! script";
    report.reasons.push_back("It is neither an ELF program nor a #! script, so it is not a program cgview can act on.");
    return report;
  }
  const Privileges privileges = privileges_for(file, runner_, no_new_privs_);
  examine_elf(report, fd, deep, privileges);
  if (!report.reached && report.kind == ProgramKind::Static && is_cgview_command(fd)) {
    // `cgview run -- cgview show`, an image scanned with cgview in it: the
    // command is static, and needs no library to see its cgroup.
    // The rest said of a static program (it sees the host) is not so of it.
    report.reached = true;
    report.why_not.clear();
    report.reasons = {"It is a cgview command: statically linked, so nothing preloads libcgview.so into it, but it "
                      "needs none: it reads the cgroup and the CGVIEW_* settings itself."};
  }
  close(fd);
  if (const Privileges unless = privileges_for(file, runner_); unless.secure() && !privileges.secure())
    report.reasons.push_back("It " + unless.phrase() + ", but doctor runs with no_new_privs, which every process " +
                             "started here inherits (Kubernetes' allowPrivilegeEscalation: false, docker's " +
                             "no-new-privileges): the kernel gives it no privileges, and the dynamic loader does " +
                             "not ignore LD_PRELOAD for it.");
  else if (runner_ && !unless.secure() && privileges_for(file, std::nullopt).secure())
    report.reasons.push_back("It " + privileges_for(file, std::nullopt).phrase() + ", but its runner, " + runner_name() +
                             (runner_->uid == 0 ? " (root)" : "") + ", gains nothing by it: no secure mode, and the " +
                             "dynamic loader honours LD_PRELOAD for it.");
  refuse_unexecutable(report, found, file);
  return report;
}

// exec refuses a file its runner has no execute permission for, or one under
// a directory it may not search (EACCES), before anything else, secure mode
// included: for that runner it is not reached, whatever the rest says.
void Doctor::refuse_unexecutable(ProgramReport& report, const Found& found, const ExecFile& file) const {
  const std::string after = ". What is said above holds for a runner who may.";
  const std::string assumed = assumed_runner();
  const std::string who = runner_name();
  const std::string subject = runner_ ? who : "An ordinary user";
  auto refuse = [&](std::string reason, std::string why_not) {
    drop_reach_claim(report);  // "... load libcgview.so into it" holds for no runner refused
    report.reasons.push_back(std::move(reason));
    report.reached = false;
    report.unexecutable = true;
    report.why_not = std::move(why_not);
  };
  if (file.noexec_mount)
    return refuse("It lies on a noexec mount: exec fails (EACCES) for anyone and it never starts. What is said above "
                  "holds where it is mounted without noexec.",
                  "lies on a noexec mount (exec fails: EACCES)");
  if (std::optional<ClosedDir> closed = first_unsearchable(root_, found.searched, runner_))
    return refuse(subject + " may not search " + closed->path + mode_and_owner(closed->dir) + ", a directory on its " +
                      "path: exec fails (EACCES) and it never starts" + assumed + after,
                  "lies under " + closed->path + ", which " + who + " may not search");
  const bool executes = may_execute(file, runner_);
  // A script runs only where its interpreter may also read it.
  if (executes && (report.kind != ProgramKind::Script || may_read(file, runner_))) return;
  refuse(subject +
             (executes ? " may not read it" + mode_and_owner(file) + ": exec starts its interpreter, which cannot open it " +
                             "(EACCES), and it never runs"
                       : " may not execute it" + mode_and_owner(file) + ": exec fails (EACCES) and it never starts") +
             assumed + after,
         std::string(executes ? "may not be read by " : "may not be executed by ") + who + " (mode " + octal_mode(file) +
             ")");
}

void Doctor::examine_elf(ProgramReport& report, int fd, bool deep, const Privileges& privileges) {
  ElfFacts facts = inspect_elf_fd(fd, deep ? ElfDepth::Contents : ElfDepth::Linking);
  if (!facts.is_elf || facts.identity.elf_class == 0 || facts.truncated) {
    report.kind = ProgramKind::NotElf;
    report.why_not = "is a damaged ELF file";
    report.reasons.push_back("It starts like an ELF file but cannot be read: " +
                             (facts.damage.empty() ? std::string("libelf rejects it") : facts.damage) + ".");
    return;
  }
  if (!facts.damage.empty())
    report.reasons.push_back("Part of it cannot be read (" + facts.damage + "): this verdict may be incomplete.");
  LibBuild lib_build;
  const bool secure = privileges.secure();
  if (!classify(report, facts, lib_build, privileges)) return;  // another machine's: nothing more to judge
  const std::string build = lib_build.usable() ? lib_build.path : std::string();
  apply_blockers(report, facts, lib_build, build, privileges);
  // Where the list is closed to a program outside secure mode, LD_PRELOAD
  // still reaches it: said in its first reason, not a verdict (judge_secure
  // gives one in secure mode, where nothing else reaches it).
  if (!secure && report.reached && report.kind == ProgramKind::GlibcDynamic && list_in_play())
    if (ListClosed unread = preload_file_closed(privileges, true, "that file"); unread.closed()) {
      report.list_closed = true;
      for (std::string& why : report.reasons)
        if (why.starts_with(kGlibcReason)) {
          why = std::string(kGlibcReason) + ": `cgview run` (LD_PRELOAD) loads libcgview.so into it, but "
                "/etc/ld.so.preload does not: " + unread.why + ", so ld.so loads none of the list's entries, and "
                "says nothing.";
          break;
        }
    }
  if (deep) summarize_contents(report, facts, secure);
  if (report.reached && report.kind == ProgramKind::GlibcDynamic) find_asan_runtime(report, facts, secure);
}

// The program's kind and the first reason, from how it is linked: the
// loader it names, the libc it needs, what a $LIB preload entry gives it.
// False for a program of another machine, which nothing more applies to.
bool Doctor::classify(ProgramReport& report, const ElfFacts& facts, LibBuild& lib_build, const Privileges& privileges) {
  std::string_view interp_name = basename_of(facts.interp);
  bool needs_libc6 = false, needs_musl_libc = false;
  for (const std::string& n : facts.needed) {
    needs_libc6 |= n == "libc.so.6";
    needs_musl_libc |= n == kMuslLibc;
  }
  // Where a preload entry names libcgview.so through $LIB, glibc's ld.so loads
  // the build it expands to for this program, whatever this cgview's own is.
  bool glibc_loader = is_glibc_loader(interp_name);
  // In secure mode only /etc/ld.so.preload's entries count.
  lib_build = facts.has_interp && glibc_loader && any_lib_entry_ ? lib_build_for(report.path, facts, privileges) : LibBuild{};
  std::string build;  // the library judged against its glibc; empty: this cgview's own
  std::string built_for = describe_build(facts.identity);
  if (lib_build.usable()) {
    build = lib_build.path;
    report.reasons.push_back("It is built for " + built_for + ": ld.so loads " + build + " into it, a build of " +
                             "libcgview.so for it, from the preload entry '" + lib_build.entry + "'.");
    for (const LibBuild& broken : lib_build.broken) report.reasons.push_back(lib_build_problem(broken));
  } else if (!facts.identity.loads_with(own_)) {
    report.kind = ProgramKind::ForeignArch;
    report.why_not = "is built for " + built_for;
    report.reasons.push_back("It is built for " + built_for + " and libcgview.so for " +
                             describe_build(own_) + ": the shim cannot be loaded into it.");
    // A dynamic one is started by its own ld.so, which complains about the other
    // build's library at every start; a build for it, named through $LIB, serves it.
    if (!lib_build.entry.empty()) {
      report.reasons.push_back(lib_build_problem(lib_build));
    } else if (facts.has_interp) {
      report.reasons.push_back("With this library in LD_PRELOAD or /etc/ld.so.preload, ld.so prints an error at each of "
                               "its starts. A build of libcgview.so for it reaches it: put each build in its multiarch "
                               "directory and name them as '/usr/$LIB/libcgview.so' (README: images that run "
                               "programs of more than one build).");
    }
    // Not a library: a program without a loader, which no build reaches either.
    if (!facts.has_interp && !(facts.identity.type == ET_DYN && !facts.pie))
      report.reasons.push_back("It is statically linked as well: no dynamic loader runs, so no build of libcgview.so "
                               "reaches it.");
    return false;
  }
  if (facts.go) {
    report.kind = ProgramKind::Go;
    report.go_version = facts.go_version;
    std::string version = facts.go_version.empty() ? "" : " (" + facts.go_version + ")";
    report.why_not = "is a Go program";
    report.reasons.push_back("It is a Go program" + version + ": the Go runtime asks the kernel directly (the " +
                             "sched_getaffinity system call, its own reads of /proc), not through libc, so cgview cannot " +
                             "answer it; set GOMAXPROCS and GOMEMLIMIT for it instead.");
    if (facts.has_interp)
      report.reasons.push_back("It is dynamically linked (cgo): its C parts call glibc and can be reached, but runtime.NumCPU "
                               "and GOMAXPROCS cannot.");
    if (go_minor_version(facts.go_version) >= kGoContainerAwareMinor) {
      report.container_aware = true;
      report.container_evidence.push_back({report.path, "the Go " + facts.go_version + " runtime (GOMAXPROCS from the cgroup CPU limit)"});
    }
  } else if (!facts.has_interp || (facts.identity.type == ET_DYN && !facts.pie && !facts.soname.empty())) {
    // A library may name a loader too, to run as a program (glibc's
    // libc.so.6 prints its version): its soname says it is a library.
    // musl's libc.so, its own loader too, names no soname: its file name tells
    // (Alpine's /lib/ld-musl-x86_64.so.1, Debian's musl package's libc.so).
    std::string_view file = basename_of(report.path);
    bool musl_libc = facts.soname == kMuslLibc || file == kMuslLibc || file.starts_with("ld-musl-");
    if (facts.identity.type == ET_DYN && !facts.pie && (musl_libc || (needs_musl_libc && !needs_libc6))) {
      report.kind = ProgramKind::Musl;
      report.why_not = "is a library of musl libc";
      report.reasons.push_back("It is a shared library built for musl libc: glibc programs do not load it, and musl's "
                               "loader cannot load libcgview.so, which is built for glibc.");
    } else if (facts.identity.type == ET_DYN && !facts.pie) {
      report.kind = ProgramKind::Library;
      report.reached = true;
      // glibc's own libraries call their functions inside themselves, past
      // any preload: what cgview answers is the calls programs make to them.
      if (facts.soname == "libc.so.6")
        report.reasons.push_back(std::string(kLibraryReason) + ": glibc's C library. cgview answers the calls programs "
                                 "make to it, not the ones it makes inside itself (malloc sizes its arena count from "
                                 "its own CPU count: set MALLOC_ARENA_MAX).");
      else if (is_glibc_loader(facts.soname))
        report.reasons.push_back("It is glibc's dynamic loader, which loads libcgview.so into programs and asks "
                                 "nothing cgview answers.");
      else
        report.reasons.push_back(std::string(kLibraryReason) + ": cgview reaches it in every glibc program that loads it.");
    } else {
      report.kind = ProgramKind::Static;
      report.why_not = "is statically linked";
      report.reasons.push_back(std::string("It is statically linked") +
                               (facts.identity.type == ET_DYN ? " (static-pie)" : "") +
                               ": no dynamic loader runs, so nothing can preload libcgview.so into it; it sees the "
                               "host's CPUs and memory.");
    }
  } else if (interp_name.starts_with("ld-musl-")) {
    report.kind = ProgramKind::Musl;
    report.why_not = "is linked with musl libc";
    report.reasons.push_back("It is linked with musl libc (" + facts.interp + "): libcgview.so is built for glibc and "
                             "musl's loader cannot load it.");
  } else if (glibc_loader && needs_libc6) {
    report.kind = ProgramKind::GlibcDynamic;
    report.reached = true;
    report.reasons.push_back(std::string(kGlibcReason) + (build.empty()
                                                              ? ": `cgview run` (LD_PRELOAD) and `cgview enable` "
                                                                "(/etc/ld.so.preload) load libcgview.so into it."
                                                              : ": that entry loads the build into it."));
  } else {
    report.kind = ProgramKind::OtherLibc;
    report.why_not = "does not use glibc";
    if (glibc_loader)  // -nostdlib: ld.so runs it, but it calls no libc function to answer
      report.reasons.push_back("It is started by glibc's loader " + facts.interp + " but does not link glibc's "
                               "libc.so.6: it calls none of the libc functions cgview answers.");
    else
      report.reasons.push_back("Its loader " + (facts.interp.empty() ? std::string("(none)") : facts.interp) +
                               " is not glibc's: libcgview.so needs glibc.");
  }
  return true;
}

// What keeps a program of a reachable kind from being reached after all: a
// missing loader, a $LIB entry that gives it no build, a glibc too old for the
// library, the setuid bit.
void Doctor::apply_blockers(ProgramReport& report, const ElfFacts& facts, const LibBuild& lib_build,
                            const std::string& build, const Privileges& privileges) {
  if (facts.has_interp && !facts.interp.empty() && !root_.resolve(facts.interp).ok) {
    // Nothing runs it, so nothing is reached (an image missing a layer, or
    // a program for another system).
    std::string where = root_.live() ? "" : " from this root";
    report.reasons.push_back("Its loader " + facts.interp + " is missing" + where + ": it cannot start here.");
    if (report.reached) {
      report.reached = false;
      report.why_not = "cannot start: its loader " + facts.interp + " is missing" + where;
      drop_reach_claim(report);
    }
  }
  if (report.reached && !lib_build.entry.empty() && !lib_build.usable()) {
    // Of this cgview's class, but the entry names no build for it: `cgview run`
    // keeps such an LD_PRELOAD, and `cgview enable` takes the line as its own.
    report.reached = false;
    report.why_not = "gets no build of libcgview.so from '" + lib_build.entry + "' (" + lib_build.path + " " +
                     lib_build.problem + ")";
    report.reasons.push_back(lib_build_problem(lib_build));
    drop_reach_claim(report);
  }
  if (report.reached && (report.kind == ProgramKind::GlibcDynamic || report.kind == ProgramKind::Library))
    check_glibc_version(report, facts, build, privileges.secure());
  // Only where nothing else (a missing loader, an old glibc) keeps it out.
  if (report.kind == ProgramKind::GlibcDynamic && report.reached && privileges.secure())
    judge_secure(report, facts, privileges);
}

}  // namespace cgview::cli
