// The deep part of doctor's verdict: the libraries a program needs, found as
// ld.so finds them, and what they and the program ask for and name (the
// functions cgview answers, the files it serves, cgroup file names, the
// AddressSanitizer runtime).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <span>

#include "doctor.hpp"
#include "doctor_internal.hpp"
#include "reach_tables.hpp"
#include "text_util.hpp"

namespace cgview::cli {

namespace {

constexpr size_t kMaxLibraries = 512;

// Sorts `items` in the order of `table` (the order the README lists them).
void in_table_order(std::vector<std::string>& items, std::span<const std::string_view> table) {
  std::vector<std::string> sorted;
  for (std::string_view t : table)
    for (const std::string& s : items)
      if (s == t) sorted.push_back(s);
  items = std::move(sorted);
}

// GCC's runtime (libasan.so.N) and clang's shared one (libclang_rt.asan-ARCH.so).
bool is_asan_runtime(std::string_view name) {
  name = basename_of(name);
  return name.starts_with("libasan.so") || name.starts_with("libclang_rt.asan");
}

}  // namespace

// A program built with -fsanitize=address and the runtime as a shared library
// (GCC's default) checks at start that the runtime is the first library
// loaded, and exits with "ASan runtime does not come first in initial
// library list" when a preloaded one is: cgview's, by LD_PRELOAD or
// /etc/ld.so.preload. Found in its own DT_NEEDED (as `run` examines it) or,
// examined deeply, anywhere in its libraries.
void Doctor::find_asan_runtime(ProgramReport& report, const ElfFacts& facts, bool secure) {
  for (const std::string& name : facts.needed) {
    if (!is_asan_runtime(name)) continue;
    Requester self = requester(report.path, facts, facts.identity, nullptr, secure);
    Found found = libraries_.find(name, self);
    report.asan_runtime = found.ok ? found.path : name;
    break;
  }
  for (const Library& library : report.libraries) {
    if (!report.asan_runtime.empty()) break;  // the program's own DT_NEEDED named it
    if (is_asan_runtime(library.name)) report.asan_runtime = library.path.empty() ? library.name : library.path;
  }
  if (report.asan_runtime.empty()) return;
  report.reasons.push_back(
      "It needs the AddressSanitizer runtime " + report.asan_runtime +
      ", which stops the program at its start when a preloaded library is loaded before it (\"ASan runtime does not "
      "come first in initial library list\"): cgview run preloads it first; elsewhere put it first in LD_PRELOAD (LD_PRELOAD=\"" +
      report.asan_runtime + " /usr/lib/libcgview.so\") or set ASAN_OPTIONS=verify_asan_link_order=0.");
}

// The deep part: what the program and its libraries ask for and name, and the
// sentences that say so.
void Doctor::summarize_contents(ProgramReport& report, const ElfFacts& facts, bool secure) {
  add_contents(report, report.path, facts);
  if (facts.has_dynamic && report.kind != ProgramKind::Static) walk_libraries(report, facts, secure);
  const bool all_found = std::none_of(report.libraries.begin(), report.libraries.end(),
                                      [](const Library& l) { return l.path.empty(); });
  if (report.reached && all_found && report.asks.empty() && report.served_paths.empty() &&
      report.kind != ProgramKind::Library)
    report.reasons.push_back("It imports none of the functions cgview answers and names none of the files it serves: "
                             "unless it finds them at run time (dlopen, dlsym), cgview changes nothing it sees.");
  if (!report.reached && !report.served_paths.empty())
    report.reasons.push_back("It contains the names " + join(report.served_paths, ", ") + (report.kind == ProgramKind::Static ? " (its own or its built-in libc's)" : "") +
                             ": if it reads them, it reads the host's numbers.");
  in_table_order(report.asks, interposed_symbols());
  in_table_order(report.served_paths, served_paths());
  // One sentence per file: "libjvm.so names cpu.cfs_quota_us, cpu.max: ...".
  std::vector<std::string> files, names;
  for (const Evidence& e : report.container_evidence) add_once(files, e.file);
  for (const std::string& file : files) {
    names.clear();
    for (const Evidence& e : report.container_evidence)
      if (e.file == file) names.push_back(e.what);
    report.reasons.push_back(file + " contains " + join(names, ", ") + ": it reads its container's limits by itself.");
  }
}

const ElfFacts& Doctor::contents_of(const std::string& path) {
  auto it = cache_.find(path);
  if (it != cache_.end()) return it->second;
  ElfFacts facts;
  int fd = open(root_.host(path).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd >= 0) {
    facts = inspect_elf_fd(fd, ElfDepth::Contents);
    close(fd);
  } else {
    facts.damage = std::strerror(errno);
  }
  return cache_.emplace(path, std::move(facts)).first->second;
}

void Doctor::add_contents(ProgramReport& report, const std::string& file, const ElfFacts& facts) {
  for (const std::string& s : facts.imports) add_once(report.asks, s);
  // glibc names /proc/meminfo, /proc/stat and the online list for its own
  // sysconf and get_nprocs, which the shim answers as functions: they say
  // nothing about what the program reads. Known by its soname: before glibc
  // 2.34 the file libc.so.6 resolves to is libc-2.NN.so.
  if (facts.soname == "libc.so.6" || basename_of(file) == "libc.so.6") return;
  for (const std::string& s : facts.served_paths) add_once(report.served_paths, s);
  for (const std::string& s : facts.cgroup_names) {
    report.container_evidence.push_back({file, s});
    report.container_aware = true;
  }
}

// A needed library doctor does not find. ld.so stops a program at start
// without it ("error while loading shared libraries"), unless it finds it
// where doctor cannot look (an LD_LIBRARY_PATH not given, an ld.so.cache
// built from directories ld.so.conf does not name): said, but the verdict
// stays cgview's reach.
void Doctor::missing_library(ProgramReport& report, const std::string& name, const std::string& error, bool secure) {
  const bool loads_it = report.kind == ProgramKind::GlibcDynamic || report.kind == ProgramKind::Library;
  std::string why = "Its library " + name + " " + error + " (inside " +
                    (root_.live() ? std::string("/") : root_.prefix()) + "): " +
                    (loads_it ? "unless it is found elsewhere, ld.so stops the program at start; what"
                              : "what") +
                    " that library asks was not examined.";
  // A program's own libraries often lie where only its LD_LIBRARY_PATH
  // points, which an image's files do not hold.
  if (report.reached && name.find('/') == std::string::npos) {
    if (secure && !env_.library_path.empty())
      why += " LD_LIBRARY_PATH, which may hold it, is ignored in secure mode.";
    else if (!secure && env_.library_path.empty())
      why += " If it runs with an LD_LIBRARY_PATH that holds it, give that (--library-path, or --env-file with the "
             "image's environment).";
  }
  report.reasons.push_back(why);
}
void Doctor::walk_libraries(ProgramReport& report, const ElfFacts& program, bool secure) {
  struct Pending {
    std::string name;
    std::shared_ptr<const Requester> who;
  };
  auto top = std::make_shared<const Requester>(requester(report.path, program, program.identity, nullptr, secure));
  std::deque<Pending> queue;
  for (const std::string& n : program.needed) queue.push_back({n, top});
  std::set<std::string> seen_names, seen_paths{report.path};
  // ld.so matches a needed name against the objects already loaded, by the
  // name they were loaded as and by their sonames: the program's own, and
  // ld.so's (by its PT_INTERP path too), from the start. musl's loader is
  // its libc, named below.
  std::map<std::string, std::string> loaded;  // name or soname -> path
  if (!program.soname.empty()) loaded.emplace(program.soname, report.path);
  Found interp = program.has_interp && report.kind != ProgramKind::Musl ? root_.resolve(program.interp) : Found{};
  if (interp.ok && seen_paths.insert(interp.path).second) {
    const ElfFacts& facts = contents_of(interp.path);
    add_contents(report, interp.path, facts);
    loaded.emplace(program.interp, interp.path);
    if (!facts.soname.empty()) loaded.emplace(facts.soname, interp.path);
  }
  while (!queue.empty() && report.libraries.size() < kMaxLibraries) {
    Pending next = std::move(queue.front());
    queue.pop_front();
    // ld.so loads a name once: the name with $ORIGIN expanded, so
    // "$ORIGIN/x.so" needed from two directories is two libraries.
    std::string loaded_as = libraries_.loaded_name(next.name, *next.who);
    if (!seen_names.insert(loaded_as).second) continue;
    if (auto already = loaded.find(loaded_as); already != loaded.end()) {
      report.libraries.push_back({next.name, already->second});
      continue;
    }
    if (report.kind == ProgramKind::Musl && next.name == kMuslLibc) {  // musl's loader is its libc
      report.libraries.push_back({next.name, program.interp});
      continue;
    }
    Found found = libraries_.find(next.name, *next.who);
    if (found.dropped) continue;  // ld.so leaves it out too
    if (!found.ok) {
      report.libraries.push_back({next.name, ""});
      missing_library(report, next.name, found.error, secure);
      continue;
    }
    report.libraries.push_back({next.name, found.path});
    if (!seen_paths.insert(found.path).second) continue;
    const ElfFacts& facts = contents_of(found.path);
    add_contents(report, found.path, facts);
    if (!facts.soname.empty()) loaded.emplace(facts.soname, found.path);
    // Its $ORIGIN is the directory ld.so opened it from, symlinks unresolved.
    auto who = std::make_shared<const Requester>(requester(found.opened, facts, program.identity, next.who));
    for (const std::string& n : facts.needed) queue.push_back({n, who});
    // The java launcher's libjli.so loads the JVM at run time, from lib/server/.
    if (next.name == "libjli.so") queue.push_back({parent_of(found.path) + "/server/libjvm.so", who});
  }
}

}  // namespace cgview::cli
