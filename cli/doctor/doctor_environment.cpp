// `cgview doctor` with no program: is the shim set up here, and what would it
// tell a program? The preloads (LD_PRELOAD, /etc/ld.so.preload), the cgroup of
// each controller, the view (the same compute_limits `cgview show` calls), and
// each CGVIEW_* variable with whether the shim accepts it.
#include <sys/auxv.h>
#include <sys/stat.h>
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "doctor_output.hpp"
#include "elf_identity.hpp"
#include "json.hpp"
#include "elf_inspect.hpp"
#include "file_access.hpp"
#include "lib_layout.hpp"
#include "library_location.hpp"
#include "program_lookup.hpp"
#include "library_search.hpp"
#include "limits.hpp"

extern char** environ;

namespace cgview::cli {

namespace {

struct PreloadEntry {
  std::string source;  // "LD_PRELOAD" or "/etc/ld.so.preload"
  std::string path;
  bool exists = false;
  bool loadable = false;  // an ELF this system's programs load (ElfIdentity::loads_with)
  bool is_cgview = false;
  std::string expanded;  // for a $LIB entry: the build ld.so loaded here ("" = none)
  // No libc.so.6 this system's programs load here (a musl image): programs load
  // the library, and it stays out of the way, reaching none of them.
  bool no_glibc = false;
  // Why a user other than root and the file's owner and group cannot open it
  // ("may not search /root (mode 0700, ...)"); empty: any user can. ld.so
  // opens it as the program's user, and prints an error in each program
  // another user runs.
  std::string closed_to_others;
  // closed_to_others is about /etc/ld.so.preload itself: ld.so reads the file
  // only where the program may (access(2) by its real ids, then open), so
  // another user's programs load none of its entries, and nothing is said.
  bool list_closed = false;
  bool noexec = false;  // on a noexec mount: ld.so cannot map its code, in any program
  bool unexaminable = false;  // doctor's own user may not search its directory or read it (EACCES)
};

struct Setting {
  std::string name, value;
  bool valid = false;
  std::string expected;
  bool unknown = false;  // not a variable cgview reads (misspelled?)
};

void add_preloads(const std::vector<std::string>& paths, const char* source, std::vector<PreloadEntry>& out) {
  for (const std::string& path : paths) {
    PreloadEntry entry;
    entry.source = source;
    entry.path = path;
    out.push_back(std::move(entry));
  }
}

// How the loader of /bin/sh expands `entry`'s $LIB ("" where it cannot): what
// the programs started from here get, for a cgview command linked statically,
// which no loader ran.
std::string expanded_for_shell(const std::string& entry) {
  static const std::string token = [] {
    int fd = open("/bin/sh", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::string();
    ElfFacts shell = inspect_elf_fd(fd, ElfDepth::Linking);
    close(fd);
    return shell.has_interp ? lib_token_of_loader(RootFs("/"), shell.interp) : std::string();
  }();
  std::string out;
  return !token.empty() && expand_lib(entry, token, out) ? out : std::string();
}

// The program a preload is loaded into, for a search that needs one ($ORIGIN
// in LD_LIBRARY_PATH is its directory): the shell stands for every program,
// whose own search paths are not known here.
std::shared_ptr<const Requester> standing_program(const ElfIdentity& own) {
  Requester shell;
  shell.path = "/bin/sh";
  shell.identity = own;
  return std::make_shared<const Requester>(std::move(shell));
}

// `search`: where ld.so looks for a preload entry without '/', as for a
// needed library of `program` (standing_program): LD_LIBRARY_PATH, then
// ld.so.cache and the default directories (here ld.so.conf's, which the cache
// is built from).
void check_preload(PreloadEntry& entry, const ElfIdentity& own, const LibrarySearch& search,
                   const std::shared_ptr<const Requester>& program) {
  // ld.so expands $LIB per program: the file it loaded into this one is the one
  // to judge (none in a static cgview: then the one the shell's loader names).
  std::string file = entry.path;
  if (names_cgview_through_lib(entry.path)) {
    file = getauxval(AT_BASE) != 0 ? cgview_loaded_here() : expanded_for_shell(entry.path);
    entry.expanded = file;
  } else if (file.find('/') == std::string::npos) {
    // A bare name ("libcgview.so"), for this system's class, taken as
    // written (ld.so expands no token in it).
    Found found = search.find_name(entry.path, *program);
    file = found.ok ? found.path : std::string();
    entry.expanded = file;
  }
  // As doctor PROGRAM and enable judge it, and a bare name by the file ld.so finds.
  entry.is_cgview = names_cgview(RootFs("/"), entry.path) || (!file.empty() && library_build_of_file(file));
  struct stat st;
  const bool stated = !file.empty() && stat(file.c_str(), &st) == 0;
  // Doctor itself may not look (run as an ordinary user): said, not taken for "does not exist".
  entry.unexaminable = !file.empty() && !stated && errno == EACCES;
  entry.exists = stated && S_ISREG(st.st_mode);
  ElfIdentity lib;
  if (!entry.exists) return;
  if (access(file.c_str(), R_OK) != 0 && errno == EACCES) entry.unexaminable = true;
  // A relative entry is opened from each program's working directory: judged from ours.
  const RootFs live("/");
  entry.closed_to_others = closed_to(live, file, std::nullopt, live.working_dir());
  entry.noexec = on_noexec_mount(file);
  entry.loadable = !entry.noexec && elf_identity_of_file(file, lib) && lib.loads_with(own);
  if (!entry.is_cgview || !entry.loadable) return;
  Requester who;
  who.path = file;
  who.identity = lib;
  who.loader = program;
  entry.no_glibc = !search.find("libc.so.6", who).ok;
}

// Whether the shim accepts `name`=`value`: the configuration's own verdict (the
// warnings config_from_env recorded, the lines a preloaded program prints), so
// doctor, show and the shim never disagree.
Setting check_setting(const Config& config, std::string_view name, std::string_view value) {
  Setting s{std::string(name), std::string(value), true, "", true};
  std::string known;
  for (size_t i = 0; i < kSettingCount; ++i) {
    auto which = cgview::Setting(i);
    known += std::string(known.empty() ? "" : ", ") + setting_name(which);
    if (name != setting_name(which)) continue;
    s.unknown = false;
    s.expected = setting_expected(which);
    for_each_warning(config, [&](const SettingWarning& w) {
      if (w.setting == which) s.valid = false;
    });
  }
  if (s.unknown) {
    s.valid = false;
    s.expected = "one of cgview's variables: " + known;
  }
  return s;
}

}  // namespace

int doctor_environment(const Config& config, bool json, const std::string& library_path) {
  const ElfIdentity own = this_build_identity();
  std::vector<PreloadEntry> preloads;
  if (const char* p = getenv("LD_PRELOAD")) add_preloads(preload_variable_entries(p), "LD_PRELOAD", preloads);
  const RootFs live("/");
  std::string system_file;
  const bool list_read = live.read_file("/etc/ld.so.preload", 1 << 20, system_file);
  if (list_read) add_preloads(preload_file_entries(system_file), "/etc/ld.so.preload", preloads);
  // A list this user may not read: ld.so reads none of it in this user's
  // programs either (and says nothing), so that is what it is said to be.
  const std::string list_closed_here =
      list_read ? "" : closed_to(live, "/etc/ld.so.preload", this_runner(), "/", "it");
  const LibrarySearch search(live, live.working_dir(), library_path);
  const std::shared_ptr<const Requester> program = standing_program(own);
  for (PreloadEntry& e : preloads) check_preload(e, own, search, program);
  if (std::string closed = system_file.empty() ? "" : closed_to(live, "/etc/ld.so.preload", std::nullopt, "/",
                                                                 "/etc/ld.so.preload");
      !closed.empty()) {
    for (PreloadEntry& e : preloads) {
      if (e.source != "/etc/ld.so.preload") continue;
      e.closed_to_others = closed;
      e.list_closed = true;
    }
  }

  std::vector<Setting> settings;
  for (char** env = environ; env != nullptr && *env != nullptr; ++env) {
    std::string_view var = *env;
    if (var.substr(0, 7) != "CGVIEW_") continue;
    size_t eq = var.find('=');
    if (eq == std::string_view::npos) continue;
    settings.push_back(check_setting(config, var.substr(0, eq), var.substr(eq + 1)));
  }

  Limits limits;
  bool formed = !config.disabled && compute_limits(config, limits);
  const Controller controllers[] = {Controller::Cpu, Controller::Cpuacct, Controller::Cpuset, Controller::Memory};
  bool shim_loaded = false;
  bool no_glibc = false;
  for (const PreloadEntry& e : preloads) {
    shim_loaded |= e.is_cgview && e.exists && e.loadable && !e.no_glibc;
    no_glibc |= e.is_cgview && e.no_glibc;
  }

  if (json) {
    Json j(true);
    j.open().open_array("preloads");
    for (const PreloadEntry& e : preloads)
      j.open()
          .str("source", e.source)
          .str("path", e.path)
          .boolean("exists", e.exists)
          .boolean("loadable", e.loadable)
          .boolean("cgview", e.is_cgview)
          .boolean("glibc", !e.no_glibc)
          .boolean("others_may_open", (e.exists && !e.unexaminable) || e.list_closed
                                          ? std::optional<bool>(e.closed_to_others.empty())
                                          : std::nullopt)
          .boolean("examined", !e.unexaminable)
          .close();
    j.close_array()
        .boolean("preload_file_readable", list_read                  ? std::optional<bool>(true)
                                          : list_closed_here.empty() ? std::nullopt
                                                                     : std::optional<bool>(false))
        .boolean("shim_preloaded", shim_loaded)
        .open("cgroups");
    for (Controller c : controllers) {
      const CgroupDir& d = limits.cgroups.of(c);
      if (!d.found) {
        j.null(controller_name(c));
        continue;
      }
      j.open(controller_name(c)).str("path", d.path.view()).num("version", d.v2 ? 2 : 1).close();
    }
    j.close().open("view").boolean("formed", formed).boolean("disabled", config.disabled);
    if (formed)
      j.num("cpus", limits.cpu.count)
          .num("host_cpus", limits.cpu.online.count())
          .str("online", cpu_list_text(limits.cpu.visible))
          .str("host_online", cpu_list_text(limits.cpu.online));
    j.num("memory_limit", limits.memory.has_limit ? std::optional<uint64_t>(limits.memory.limit) : std::nullopt);
    j.close().open_array("settings");
    for (const Setting& setting : settings)
      j.open()
          .str("name", setting.name)
          .str("value", setting.value)
          .boolean("valid", setting.valid)
          .str("expected", setting.expected)
          .close();
    j.close_array().close();
    std::printf("%s\n", j.text().c_str());
    return 0;
  }

  // ld.so expands LD_LIBRARY_PATH's $ORIGIN to each program's directory: a
  // bare name's search here stands for /bin/sh's.
  const std::string origin_note =
      has_dst_token(library_path, "ORIGIN")
          ? " (LD_LIBRARY_PATH's $ORIGIN is each program's own directory, taken here as /bin/sh's: programs "
            "elsewhere may find another file or none)"
          : "";
  std::printf("Preloaded libraries:\n");
  if (!library_path.empty()) std::printf("  (searched for with LD_LIBRARY_PATH=%s)\n", library_path.c_str());
  if (!list_closed_here.empty())
    std::printf("  /etc/ld.so.preload exists, but this user %s: ld.so loads none of the list's entries in this "
                "user's programs, and says nothing\n", list_closed_here.c_str());
  else if (preloads.empty()) std::printf("  none (LD_PRELOAD unset, no /etc/ld.so.preload)\n");
  for (const PreloadEntry& e : preloads) {
    std::string state = e.unexaminable ? "cannot be examined by this user (Permission denied): programs of this user "
                                         "cannot load it either"
                        : !e.exists    ? "does not exist"
                        : e.noexec     ? std::string("exists, but ") + kNoexecLibrary +
                                             ", and prints an error in every program instead"
                        : e.no_glibc ? "exists, loads here, but there is no glibc (libc.so.6) here"
                        : e.loadable ? "exists, loadable here"
                                     : "exists, NOT loadable here (another ELF class, byte order, machine or ABI)";
    // A $LIB entry: what it expanded to here; other programs get their own class's build.
    if (names_cgview_through_lib(e.path))
      state = e.expanded.empty() ? "$LIB: no libcgview.so loaded here" : "$LIB, here " + e.expanded + ": " + state;
    else if (e.path.find('/') == std::string::npos)
      state = e.expanded.empty() ? "not found in the library directories ld.so searches for a name without '/'" +
                                       origin_note
                                 : "found at " + e.expanded + ": " + state + origin_note;
    std::printf("  %-18s %s: %s%s\n", e.source.c_str(), e.path.c_str(), state.c_str(), e.is_cgview ? " (cgview)" : "");
    if (e.list_closed)
      std::printf("  %-18s but an ordinary user %s: in programs such a user runs, ld.so loads none of the "
                  "list's entries, and says nothing\n", "", e.closed_to_others.c_str());
    else if (!e.closed_to_others.empty())
      std::printf("  %-18s but an ordinary user %s: in programs such a user runs, ld.so cannot open it and "
                  "prints an error instead\n", "", e.closed_to_others.c_str());
  }
  // Every entry that loads it closed to an ordinary user: root's programs alone are reached.
  bool open_to_others = false;
  for (const PreloadEntry& e : preloads)
    open_to_others |= e.is_cgview && e.exists && e.loadable && !e.no_glibc && e.closed_to_others.empty();
  std::printf("  %s\n", shim_loaded && !open_to_others
                           ? "libcgview.so is preloaded: programs started from here are reached, but only those run by "
                             "a user who may open it (above)."
                      : shim_loaded ? "libcgview.so is preloaded: programs started from here are reached."
                      : no_glibc  ? "libcgview.so is preloaded, but programs here do not use glibc (musl?): "
                                    "it stays out of their way and reaches none of them."
                      : !list_closed_here.empty()
                          ? "libcgview.so is not preloaded in this user's programs: /etc/ld.so.preload is closed to "
                            "them (above; root may open it: chmod 644 /etc/ld.so.preload), and `cgview run` reaches them."
                          : "libcgview.so is not preloaded here: use `cgview run` or `cgview enable`.");
  std::printf("Cgroups:\n");
  for (Controller c : controllers) {
    const CgroupDir& d = limits.cgroups.of(c);
    std::printf("  %-8s %s\n", std::string(controller_name(c)).c_str(),
                d.found ? (std::string(d.path.view()) + (d.v2 ? " (v2)" : " (v1)")).c_str() : "not found");
  }
  std::printf("View:\n");
  if (config.disabled) std::printf("  CGVIEW_DISABLE is set: programs see the host.\n");
  else if (!formed) std::printf("  The CPU view cannot be formed here: programs see the host's CPUs.\n");
  else
    std::printf("  CPUs %u of %u (online %s)\n", limits.cpu.count, limits.cpu.online.count(),
                cpu_list_text(limits.cpu.visible).c_str());
  if (limits.memory.has_limit) std::printf("  memory limit %llu bytes\n", (unsigned long long)limits.memory.limit);
  else std::printf("  no memory limit: programs see the host's memory\n");
  std::printf("  (`cgview show` details every number)\n");
  std::printf("Settings:\n");
  if (settings.empty()) std::printf("  no CGVIEW_* variable is set\n");
  for (const Setting& s : settings)
    std::printf("  %s=%s: %s\n", s.name.c_str(), s.value.c_str(),
                s.valid     ? "valid"
                : s.unknown ? ("UNKNOWN, nothing reads it (misspelled? expected " + s.expected + ")").c_str()
                            : ("INVALID, ignored (expected " + s.expected + ")").c_str());
  return 0;
}

}  // namespace cgview::cli
