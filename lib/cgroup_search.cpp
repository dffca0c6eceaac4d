#include "cgroup_search.hpp"

#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <span>

#include "lazy_zeroed.hpp"
#include "text.hpp"

namespace cgview {

namespace {

// Whether DIR/cgroup.procs lists `pid`; `readable` false when the file could
// not be read through (the answer "no" is then not known to be true).
bool procs_lists(const Sysroot& root, std::string_view dir, uint64_t pid, bool& readable) {
  readable = false;
  PathText path;
  path.add(dir).add("/cgroup.procs");
  if (path.overflowed()) return false;
  int fd = open_host_file(root, path.view());
  if (fd < 0) return false;
  char buf[1024];
  LineReader reader(fd, buf);
  std::string_view line;
  bool found = false;
  while (!found && reader.next_whole_line(line)) {
    uint64_t listed = 0;
    found = parse_u64(trim(line), listed) && listed == pid;
  }
  readable = found || !reader.failed();
  close_host_file(fd);
  return found;
}

struct Search {
  const Sysroot& root;
  uint64_t pid;
  int target;  // the depth to look at, or -1: any up to kCgroupSearchDepth
  int budget = kCgroupSearchDirs;
  PathText& dir;  // the directory being looked at; the answer when found
  bool complete = true;  // no bound or unreadable directory cut the search short
};

// Anything that keeps the search from looking somewhere the process could be
// (a bound, an unreadable file or directory, a path too long, an entry of
// unknown type) marks it incomplete: "not found" then proves nothing.
bool visit(Search& s, int depth) {
  if (s.budget-- <= 0) {
    s.complete = false;
    return false;
  }
  if (s.target < 0 || depth == s.target) {
    bool readable = false;
    if (procs_lists(s.root, s.dir.view(), s.pid, readable)) return true;
    if (!readable) s.complete = false;
  }
  if (depth == s.target) return false;  // the process cannot be deeper
  // s.dir becomes each child in turn, which starts with this directory's path.
  const size_t keep = s.dir.size();
  bool found = false;
  bool listed = for_each_dir_entry(s.root, s.dir.view(), [&](const DirEntry& e) {
    if (e.type != DT_DIR && e.type != DT_UNKNOWN) return true;
    // Below the blind bound, out of budget, or of a type the listing does
    // not tell: not looked at.
    if (e.type == DT_UNKNOWN || (depth == kCgroupSearchDepth && s.target < 0) || s.budget <= 0) {
      s.complete = false;
      return true;
    }
    PathText child;
    std::string_view parent = s.dir.view().substr(0, keep);
    child.add(parent == "/" ? std::string_view{} : parent).add('/').add(e.name);
    if (child.overflowed() || child.size() >= kPathMax - 16) {
      s.complete = false;
      return true;
    }
    s.dir = child;
    found = visit(s, depth + 1);
    return !found;
  });
  if (!listed) s.complete = false;  // not opened, or the listing failed partway
  return found;
}

// The directories searches found, so that each refresh of the view (every
// half second) costs one cgroup.procs read rather than a search while the
// process stays where it is. One entry per mount searched (on cgroup v1 each
// controller has its own), keyed by the sysroot and the mount point. An
// entry is used only after its directory is seen to list the process, which
// makes it the process's cgroup in that hierarchy whoever wrote the entry.
// Plain arrays, not PathText: zero bytes are an unused entry, so the
// entries can live in zero-filled memory mapped on first use (lazy_zeroed.hpp).
struct FoundEntry {
  char mount[kPathMax];  // root prefix + mount point; mount_len 0 = unused
  char dir[kPathMax];
  size_t mount_len, dir_len;
  std::string_view mount_view() const { return {mount, mount_len}; }
  std::string_view dir_view() const { return {dir, dir_len}; }
  void set(std::string_view key, std::string_view found) {
    __builtin_memcpy(mount, key.data(), key.size());
    mount_len = key.size();
    __builtin_memcpy(dir, found.data(), found.size());
    dir_len = found.size();
  }
};
constexpr int kFoundEntries = 4;
// Mapped by the first find remembered (lazy_zeroed.hpp).
constinit LazyZeroed<FoundEntry, kFoundEntries> g_found;
// The pid of the process whose thread uses the entries, 0 = none. A thread
// that finds this process's pid there (another thread, or a signal handler
// that interrupted one) does without the entries; another pid's is a parent
// that forked while using them, and is taken over.
constinit std::atomic<uint64_t> g_found_user{0};

bool use_found_entries(uint64_t pid) {
  uint64_t user = g_found_user.load(std::memory_order_acquire);
  return user != pid && g_found_user.compare_exchange_strong(user, pid, std::memory_order_acquire);
}
void done_with_found_entries() { g_found_user.store(0, std::memory_order_release); }

bool found_key(const Sysroot& root, std::string_view mount_point, PathText& key) {
  key.add(root.prefix.view()).add(mount_point);
  return !key.overflowed() && key.size() > 0;
}

// The directory found below this mount before, if it still lists `pid`.
bool found_before(const Sysroot& root, std::string_view mount_point, uint64_t pid, PathText& out) {
  PathText key;
  const FoundEntry* entries = g_found.if_mapped();
  if (entries == nullptr || !found_key(root, mount_point, key) || !use_found_entries(pid)) return false;
  bool found = false;
  for (const FoundEntry& e : std::span(entries, kFoundEntries)) {
    if (e.mount_view() != key.view()) continue;
    bool readable = false;
    found = procs_lists(root, e.dir_view(), pid, readable);
    if (found) {
      out.clear();
      out.add(e.dir_view());
    }
    break;
  }
  done_with_found_entries();
  return found;
}

void remember_found(const Sysroot& root, std::string_view mount_point, uint64_t pid, const PathText& dir) {
  PathText key;
  if (!found_key(root, mount_point, key)) return;
  FoundEntry* entries = g_found.get();
  if (entries == nullptr || !use_found_entries(pid)) return;
  FoundEntry* slot = &entries[0];
  for (FoundEntry& e : std::span(entries, kFoundEntries)) {
    if (e.mount_view() == key.view()) {
      slot = &e;
      break;
    }
    if (e.mount_len == 0 && slot->mount_len != 0) slot = &e;  // a free one, else the first
  }
  slot->set(key.view(), dir.view());  // PathText holds at most kPathMax
  done_with_found_entries();
}

}  // namespace

bool own_pid(const Sysroot& root, uint64_t& pid) {
  if (root.live()) {
    pid = uint64_t(syscall(SYS_getpid));
    return true;
  }
  char buf[512];
  ssize_t n = read_host_file(root, "/proc/self/stat", buf);
  std::string_view text(buf, n > 0 ? size_t(n) : 0), first;
  return next_field(text, first) && parse_u64(first, pid) && pid > 0;
}

int depth_below_mount(std::string_view mount_root, std::string_view path) {
  int ups = 0;
  std::string_view rest = mount_root, part;
  // The mount's root as the namespace's root, or "/.." steps above it.
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (part.empty()) continue;
    if (part != "..") return -1;  // a named step: the root is not above the namespace's alone
    ++ups;
  }
  int depth = ups;
  for (rest = path; !rest.empty();) {
    size_t slash = rest.find('/');
    part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    depth += part == ".." ? -1 : 1;
    if (depth < 0) return kAboveMount;
  }
  return depth <= kCgroupSearchDepthKnown ? depth : -1;
}

Listing find_cgroup_listing(const Sysroot& root, std::string_view mount_point, uint64_t pid, int depth, PathText& out) {
  ErrnoKeeper keep_errno;
  PathText dir;
  dir.add(mount_point);
  if (dir.size() > 1 && dir.view().back() == '/') {
    PathText trimmed;
    trimmed.add(dir.view().substr(0, dir.size() - 1));
    dir = trimmed;
  }
  if (depth == kAboveMount) return Listing::Absent;  // nothing below the mount can be its cgroup
  if (found_before(root, dir.view(), pid, out)) return Listing::Found;
  const PathText searched_from = dir;
  Search s{root, pid, depth, kCgroupSearchDirs, dir};
  if (!visit(s, 0)) return s.complete ? Listing::Absent : Listing::Unknown;
  remember_found(root, searched_from.view(), pid, dir);
  out = dir;
  return Listing::Found;
}

}  // namespace cgview
