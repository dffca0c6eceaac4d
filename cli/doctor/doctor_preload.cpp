// What the preload entries naming libcgview.so give a program: the build
// ld.so loads into it (or why none), in secure mode with the privileges exec
// gave it, and whether its glibc can load that build.
#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <string>

#include "doctor.hpp"
#include "doctor_internal.hpp"
#include "lib_layout.hpp"
#include "libc_versions.hpp"
#include "library_location.hpp"

namespace cgview::cli {

namespace {

// Whether the file at `host` (a host path) has the setuid bit.
bool is_setuid_file(const std::string& host) {
  struct stat st;
  return stat(host.c_str(), &st) == 0 && (st.st_mode & S_ISUID);
}

}  // namespace

void Doctor::add_cgview_entry(std::string path, bool from_file) {
  if (!names_cgview(root_, path)) return;
  any_lib_entry_ |= names_cgview_through_lib(path);
  cgview_entries_.push_back({std::move(path), from_file});
}

ListClosed Doctor::preload_file_closed(const Privileges& privileges, bool say_assumed, std::string_view it) const {
  if (std::string closed = closed_to(root_, "/etc/ld.so.preload", privileges.real_user, "/", it); !closed.empty())
    return {true, "its runner, " + runner_name() + (say_assumed ? assumed_runner() : "") + ", " + closed};
  // The open, by the ids exec gave it (capabilities alone give no less than
  // access(2)'s none).
  const std::string ids = privileges.ids_gained();
  if (ids.empty()) return {};
  if (std::string closed = closed_to(root_, "/etc/ld.so.preload", privileges.user, "/", it); !closed.empty())
    return {false, "the program, as " + ids + ", " + closed};
  return {};
}

bool Doctor::has_file_entry() const {
  return std::any_of(cgview_entries_.begin(), cgview_entries_.end(), [](const CgviewEntry& e) { return e.from_file; });
}

std::string Doctor::list_closed_reason(const ListClosed& closed) {
  return "ld.so reads /etc/ld.so.preload only where the program's runner (by its real ids) and then the program (by "
         "the ids exec gave it) may read it; here " + closed.why;
}

std::string Doctor::opener_name(const Privileges& privileges) const {
  if (!privileges.secure()) return "its runner: " + runner_name() + assumed_runner();
  if (std::string ids = privileges.ids_gained(); !ids.empty()) return "it: as " + ids + ", it";
  // (judge_secure's reason has said whether doctor assumed the runner)
  return "it: as its runner, " + runner_name() + ", with the capabilities its file gives, it";
}

// What the preload entries naming libcgview.so give `program` (at `path`): the
// first that is a build it loads (its class,
// byte order, machine and ABI), with the others that fail to load (ld.so
// prints an error for each); else the first that fails, and why. Entries
// holding $ORIGIN or $PLATFORM, which this does not expand, are passed over.
// `privileges`: what its file gives the program; in secure mode ld.so searches without
// LD_LIBRARY_PATH, takes of LD_PRELOAD's entries only names without '/', and
// for any preload name without '/' searches without ld.so.cache and takes
// only a library with the setuid bit set.
LibBuild Doctor::lib_build_for(const std::string& path, const ElfFacts& program, const Privileges& privileges) const {
  const bool secure = privileges.secure();
  LibBuild found;
  std::vector<LibBuild> broken;
  Found loader = root_.resolve(program.interp);
  if (!loader.ok) return {};  // it cannot start here: examine_elf says so
  auto known = lib_tokens_.find(loader.path);
  if (known == lib_tokens_.end()) {  // read each loader once: a --root scan meets the same few
    known = lib_tokens_.emplace(loader.path, lib_token_of_loader(root_, loader.path)).first;
  }
  const std::string& token = known->second;
  // A list it may not read gives it nothing: judge_secure says so in secure
  // mode, where nothing else reaches it, examine_elf in its first reason
  // otherwise.
  const bool list_unread = preload_file_closed(privileges, false).closed();
  for (const CgviewEntry& entry : cgview_entries_) {
    if (secure && !entry.from_file && entry.path.find('/') != std::string::npos) continue;
    if (entry.from_file && list_unread) continue;
    LibBuild build{entry.path, "", "", {}, entry.from_file};
    if (!expand_lib(entry.path, token, build.path)) continue;
    // A name without '/' is looked up as a need of the program (its
    // DT_RPATH, LD_LIBRARY_PATH with its $ORIGIN, its DT_RUNPATH, ...); a
    // relative path is from the working directory.
    // In secure mode ld.so loads every preload (LD_PRELOAD's and
    // /etc/ld.so.preload's alike) with __RTLD_SECURE: a name without '/' is
    // searched for without ld.so.cache and taken only with the setuid bit.
    const bool name_only = build.path.find('/') == std::string::npos;
    Requester who = requester(path, program, program.identity, nullptr, secure);
    who.secure_preload = secure && name_only;
    Found library = name_only ? libraries_.find_name(build.path, who) : root_.resolve(build.path, cwd_);
    ElfIdentity lib;
    bool identified = library.ok && elf_identity_of_file(root_.host(library.path), lib);
    if (!library.ok) build.problem = library.missing ? "does not exist" : library.error;
    else if (!identified) build.problem = "is not a readable ELF file";
    else if (!lib.loads_with(program.identity))
      build.problem = "is built for " + describe_build(lib);
    else if (root_.live() && on_noexec_mount(root_.host(library.path))) {  // "failed to map segment"
      build.path = library.path;
      build.problem = kNoexecLibrary;
    } else if (secure && name_only && !is_setuid_file(root_.host(library.path))) {
      build.path = library.path;
      build.problem = "is not setuid, as ld.so requires of a library that a preload entry names without '/' for a "
                      "program in secure mode";
    } else if (std::string closed = closed_to(root_, library.opened.empty() ? build.path : library.opened,
                                              privileges.user, cwd_);
               !closed.empty()) {
      // ld.so opens it as the program's user, by the path it has (a relative
      // one from the working directory); in secure mode with the ids and
      // capabilities the program gained.
      build.path = library.path;
      build.problem = "is closed to " + opener_name(privileges) + " " + closed;
    } else build.path = library.path;
    if (build.problem.empty() && found.entry.empty()) found = build;
    else if (!build.problem.empty()) broken.push_back(build);
  }
  if (!found.entry.empty()) {
    found.broken = std::move(broken);
    return found;
  }
  return broken.empty() ? LibBuild{} : broken.front();
}

// A setuid or setgid program, or one with file capabilities: ld.so ignores
// LD_PRELOAD for it (secure execution) when another user than its owner runs
// it, so only what /etc/ld.so.preload loads reaches it.
void Doctor::judge_secure(ProgramReport& report, const ElfFacts& facts, const Privileges& privileges) {
  const std::string what = privileges.phrase();
  LibBuild system_wide = lib_build_for(report.path, facts, privileges);
  report.secure = true;
  report.reached = system_wide.usable();
  drop_reach_claim(report);
  // Without --user the verdict is for an ordinary user; most containers run as root.
  const std::string who = runner_ ? "" : " when an ordinary user runs it (doctor assumes such a runner; --user names another)";
  std::string how = "It " + what + ": the dynamic loader ignores LD_PRELOAD for it (secure execution)" + who +
                    ", so `cgview run` cannot reach it; only the system-wide mode (`cgview enable`, /etc/ld.so.preload) does";
  if (!system_wide.entry.empty() && !system_wide.from_file) {
    // A name without '/' that ld.so finds setuid in its search (ld.so(8)).
    std::string secure_preload = "It " + what + ": the dynamic loader runs it in secure mode" + who + ", where it takes " +
                                 "of LD_PRELOAD only a name without '/' whose library its search path holds with the " +
                                 "setuid bit set";
    if (system_wide.usable()) {
      report.reasons.push_back(secure_preload + ": the entry '" + system_wide.entry + "' loads " + system_wide.path +
                               " into it here.");
    } else {
      report.reasons.push_back(secure_preload + ". " + lib_build_problem(system_wide));
      report.why_not = what + ", and LD_PRELOAD's '" + system_wide.entry + "' gives it no setuid build of libcgview.so";
    }
  } else if (system_wide.usable()) {
    report.reasons.push_back(how + ", and /etc/ld.so.preload loads " + system_wide.path + " into it here.");
  } else if (!system_wide.entry.empty()) {
    report.reasons.push_back(how + ". " + lib_build_problem(system_wide));
    report.why_not = what + ", and /etc/ld.so.preload gives it no build of libcgview.so";
  } else if (ListClosed unread = preload_file_closed(privileges, false); unread.closed() && list_in_play()) {
    report.list_closed = true;
    report.reasons.push_back(how + ". " + list_closed_reason(unread) + ", so none of the list's entries loads into "
                             "it, and ld.so says nothing.");
    report.why_not = what + ", and " + (unread.by_runner ? "its runner" : "it") + " may not read /etc/ld.so.preload";
  } else if (!list_closed_to_doctor_.empty()) {
    report.reasons.push_back(how + ". /etc/ld.so.preload is there, but doctor's own user " + list_closed_to_doctor_ +
                             ": what it names is not known here (doctor run by root can tell).");
    report.why_not = what + " (doctor may not read /etc/ld.so.preload)";
  } else {
    report.reasons.push_back(how + ", which is not enabled here.");
    report.why_not = what + " (only `cgview enable` reaches it)";
  }
}

std::string Doctor::lib_build_problem(const LibBuild& build) {
  return "The preload entry '" + build.entry + "' names " + build.path + " for it, which " + build.problem +
         ": ld.so prints an error at each of its starts.";
}

LibcFit* Doctor::libc_fit_for(const std::string& build) {
  auto it = libc_fits_.find(build);
  if (it != libc_fits_.end()) return it->second.get();
  // "": the library this cgview installs or copies into an image (not one an
  // image's ld.so.preload may name), a host path; a build $LIB names is the root's.
  std::string file = build.empty() ? library_next_to_binary() : root_.host(build);
  std::vector<std::string> required;
  std::string why;
  std::unique_ptr<LibcFit> fit;
  if (!file.empty() && read_libc_versions_required(file, required, why) && !required.empty())
    fit = std::make_unique<LibcFit>(root_, libraries_, std::move(required));
  return libc_fits_.emplace(build, std::move(fit)).first->second.get();
}
// A glibc older than the versions libcgview.so requires cannot load it: with
// the library preloaded, ld.so stops the program before it starts.
void Doctor::check_glibc_version(ProgramReport& report, const ElfFacts& facts, const std::string& build, bool secure) {
  LibcFit* fit = libc_fit_for(build);
  if (fit == nullptr) return;
  Requester who = requester(report.path, facts, facts.identity, nullptr, secure);
  LibcVerdict v = fit->judge(who);
  if (v.kind != LibcVerdict::Lacks) return;  // no libc.so.6 for it: the library walk says so (deep)
  std::string lacks = join_versions(v.missing);
  report.reached = false;
  drop_reach_claim(report);
  std::string what = report.kind == ProgramKind::Library ? "any program that loads it" : "it";
  report.why_not = "uses a glibc older than libcgview.so requires (" + v.libc_path + " lacks " + lacks + ")";
  report.reasons.push_back("Its glibc (" + v.libc_path + ") lacks " + lacks + ", which libcgview.so requires: with the " +
                           "library preloaded, ld.so would stop " + what + " before it starts (version `" +
                           v.missing.front() + "' not found), so neither `cgview run` nor `cgview enable` can reach " +
                           what + ".");
}

}  // namespace cgview::cli
