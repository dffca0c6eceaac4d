#include "path_match.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <string_view>

#include "fd_name.hpp"
#include "host_files.hpp"
#include "text.hpp"
#include "user_pointer.hpp"
#include "view_cache.hpp"

namespace cgview::shim {

namespace {

// /proc numbers tasks as the pid namespace it was mounted for sees them, which
// is not always the caller's: under `unshare -p` without a /proc of its own,
// or `nsenter -p`, /proc/<getpid()> is another process and thread-self another
// tid than gettid's. The caller's pid and tid as /proc numbers them, from
// where /proc/thread-self points ("<pid>/task/<tid>"); one readlink, made only
// for a status path that names a task by number or thread-self.
bool proc_task_ids(uint64_t& pid, uint64_t& tid) {
  ErrnoKeeper keep_errno;
  char link[48];
  long n = syscall(SYS_readlinkat, AT_FDCWD, "/proc/thread-self", link, sizeof link);
  if (n <= 0 || size_t(n) >= sizeof link) return false;
  std::string_view text(link, size_t(n));
  constexpr std::string_view kTask = "/task/";
  size_t at = text.find(kTask);
  return at != std::string_view::npos && parse_u64(text.substr(0, at), pid) &&
         parse_u64(text.substr(at + kTask.size()), tid);
}

// Whether /proc's task `id` is a thread of this process: /proc/self/task/<id>
// is there (in /proc's numbering, as the path being matched is). One system
// call, made only for a /proc/<N>/status whose N is neither of the caller's ids.
[[gnu::cold]] bool thread_of_self(uint64_t /*own_pid*/, uint64_t id) {  // rare: a /proc of another pid namespace
  ErrnoKeeper keep_errno;
  PathText path;
  path.add("/proc/self/task/").add_u64(id);
  return !path.overflowed() && syscall(SYS_faccessat, AT_FDCWD, path.c_str(), F_OK) == 0;
}

// The same where /proc numbers tasks as the caller does: a signal 0 to the
// task in this thread group (no path to walk; `ps` pays it for each process).
bool thread_of_self_same_numbering(uint64_t own_pid, uint64_t id) {
  ErrnoKeeper keep_errno;
  return id <= UINT32_MAX && syscall(SYS_tgkill, pid_t(own_pid), pid_t(id), 0) == 0;
}

// The pid of a process found to be numbered by /proc as by itself (0: none
// yet). Its pid namespace cannot change, and a proc mounted later takes the
// mounter's (a bind mount of another namespace's /proc over /proc, made after
// the first status open, is not noticed); a child (another pid, maybe in a
// namespace of its own) asks again.
constinit std::atomic<uint64_t> g_numbered_as_proc{0};

// The caller's pid and tid in /proc's numbering, and whether that is its own.
bool proc_ids(uint64_t& pid, uint64_t& tid, bool& own_numbering) {
  uint64_t own_pid = uint64_t(syscall(SYS_getpid)), own_tid = uint64_t(syscall(SYS_gettid));
  own_numbering = g_numbered_as_proc.load(std::memory_order_relaxed) == own_pid;
  if (own_numbering) {
    pid = own_pid;
    tid = own_tid;
    return true;
  }
  if (!proc_task_ids(pid, tid)) return false;
  own_numbering = pid == own_pid && tid == own_tid;
  if (own_numbering) g_numbered_as_proc.store(own_pid, std::memory_order_relaxed);
  return true;
}

// Cheap filter first: most opens are of other files, and resolving a
// relative path costs a syscall. True when the last component is a served
// name (meminfo, cpuinfo, stat, online, offline, status, swaps, diskstats, the pressure
// files cpu, memory, io, node/has_cpu, a cpuK/topology id, list or mask, a cpuK/cache/indexN list or mask, or a
// NUMA node's cpulist, cpumap or meminfo); a handful of
// instructions, as it runs on every open of the program.
bool could_be_served(std::string_view path) {
  auto ends_with_name = [&](std::string_view name) {
    size_t n = path.size(), k = name.size();
    return n >= k && __builtin_memcmp(path.data() + n - k, name.data(), k) == 0 && (n == k || path[n - k - 1] == '/');
  };
  auto cpu_file_named = [&] { return cpu_file_name(path.substr(path.rfind('/') + 1)); };
  switch (path.empty() ? '\0' : path.back()) {
    case 'o': return ends_with_name("meminfo") || ends_with_name("cpuinfo") || ends_with_name("io");
    case 't': return ends_with_name("stat") || cpu_file_named();
    case 'e': return ends_with_name("online") || ends_with_name("offline");
    case 's': return ends_with_name("swaps") || ends_with_name("diskstats") || ends_with_name("status") ||
                     cpu_file_named();
    case 'u': return ends_with_name("cpu") || ends_with_name("has_cpu");  // /proc/pressure/cpu, node/has_cpu
    case 'y': return ends_with_name("memory");     // /proc/pressure/memory
    case 'p': return cpu_file_named();             // cpuK/cache/indexN/shared_cpu_map, nodeN/cpumap
    case 'd': return path.size() > 3 && path[path.size() - 3] == '_' && path[path.size() - 2] == 'i' &&
                     cpu_file_named();  // cpuK/topology/core_id and the other ids
    default: return false;
  }
}

// The directory a relative path starts from, as an absolute path.
bool base_directory(int dirfd, PathText& out) {
  char buf[kPathMax];
  long n;
  if (dirfd == AT_FDCWD) {
    n = syscall(SYS_getcwd, buf, sizeof buf);  // returns the length including the NUL
    if (n <= 1) return false;
    --n;
  } else {
    n = syscall(SYS_readlinkat, AT_FDCWD, fd_name(dirfd).c_str(), buf, sizeof buf);
    FdName older;
    if (n < 0 && errno == ENOENT && older_kernels_fd_name(dirfd, older))
      n = syscall(SYS_readlinkat, AT_FDCWD, older.c_str(), buf, sizeof buf);
    if (n <= 0 || size_t(n) >= sizeof buf) return false;
  }
  if (buf[0] != '/') return false;  // "(unreachable)" or a non-directory
  out.clear();
  out.add(std::string_view(buf, size_t(n)));
  return !out.overflowed();
}

// Whether `dirfd` is a directory, as the kernel's walk from it needs: an
// O_PATH fd of a symlink (open("/proc/self", O_PATH | O_NOFOLLOW)) or of a
// file has a name under /proc/thread-self/fd too, but a path from it fails
// (ENOTDIR), and so must the open here.
bool is_directory(int dirfd) {
  struct statx status;
  if (syscall(SYS_statx, dirfd, "", AT_EMPTY_PATH, STATX_TYPE, &status) == 0) return S_ISDIR(status.stx_mode);
  long probe = syscall(SYS_openat, dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);  // kernels before 4.11
  if (probe < 0) return false;
  syscall(SYS_close, probe);
  return true;
}

// A path that climbs ("..") names what the kernel's walk finds, which text
// cannot tell: "/nonexistent/../proc/meminfo" fails (ENOENT),
// "/proc/mounts/../meminfo" too (ENOTDIR), a directory the caller may not
// search fails (EACCES), and ".." after a symlink climbs from its target.
// Such paths are rare, so the kernel resolves them: an O_PATH open (no read,
// no side effect) and the name /proc/thread-self/fd gives it. False when the walk
// fails or cannot be named: the real open then answers as without the shim.
// Under CGVIEW_SYSROOT the paths name the sysroot's files, which the kernel's
// walk does not see: there ".." is resolved as text.
bool resolve_by_kernel(int dirfd, const char* path, PathText& out) {
  // O_NOFOLLOW: a last component that is a symlink names itself, matched
  // as text like any path without ".." (and O_NOFOLLOW asked for fails as
  // it should: the real open says ELOOP).
  long fd = syscall(SYS_openat, dirfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = base_directory(int(fd), out);
  syscall(SYS_close, fd);
  return ok;
}

bool climbs(std::string_view path) {
  size_t at = path.find("..");
  for (; at != std::string_view::npos; at = path.find("..", at + 1))
    if ((at == 0 || path[at - 1] == '/') && (at + 2 == path.size() || path[at + 2] == '/')) return true;
  return false;
}

}  // namespace

bool open_takes_mode(int flags) { return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE; }

bool read_only_open(int flags) {
  // O_DIRECT: /proc and /sys refuse it (EINVAL), and so does the real open.
  return (flags & O_ACCMODE) == O_RDONLY && (flags & (O_CREAT | O_TRUNC | O_PATH | O_DIRECTORY | O_DIRECT)) == 0;
}

VirtualFile served_file(int dirfd, const char* path, uint32_t* task) {
  if (task != nullptr) *task = 0;
  if (surely_refused_pointer(path)) return VirtualFile::None;
  std::string_view p = path;
  if (!could_be_served(p)) return VirtualFile::None;
  ErrnoKeeper keep_errno;
  PathText full, normalized;
  bool ok = true;
  if (climbs(p) && config().root.live()) {  // under a sysroot, its paths are not the kernel's
    ok = resolve_by_kernel(dirfd, path, full);
  } else {
    if (p.empty() || p.front() != '/') {
      ok = (dirfd == AT_FDCWD || is_directory(dirfd)) && base_directory(dirfd, full);
      full.add('/');
    }
    full.add(p);
  }
  ok = ok && !full.overflowed() && normalize_path(full.view(), normalized);
  if (!ok) return VirtualFile::None;
  VirtualFile file = virtual_file_for(normalized.view());
  if (file != VirtualFile::None && file != VirtualFile::Status) return file;
  std::string_view n = normalized.view();
  // A disk's stat file (iostat): the device, read from its "dev" file, travels with it.
  uint32_t device = 0;
  if (file == VirtualFile::None && block_stat_device(config().root, n, device)) {
    if (task != nullptr) *task = device;
    return VirtualFile::BlockStat;
  }
  // Status files: only this process's own, each naming the task whose view it shows.
  // Only for a path that can be one (`ps` and `top` open /proc/<pid>/stat and
  // friends of every process).
  if (n.size() < 7 || n.substr(n.size() - 7) != "/status") return VirtualFile::None;
  uint32_t which = 0;
  if (n.substr(0, 11) == "/proc/self/") {
    if (!status_file_task(n, 0, 0, which)) return VirtualFile::None;  // "self" is ours in any numbering
  } else {
    // A number is in /proc's numbering, which is not the caller's under a /proc
    // of another pid namespace: the process's ids there, and for a number of
    // neither, whether it is one of its threads.
    uint64_t proc_pid = 0, proc_tid = 0;
    bool own_numbering = false;
    if (!proc_ids(proc_pid, proc_tid, own_numbering) ||
        !status_file_task(n, proc_pid, proc_tid, which, own_numbering ? thread_of_self_same_numbering : thread_of_self))
      return VirtualFile::None;
  }
  if (task != nullptr) *task = which;
  return VirtualFile::Status;
}

}  // namespace cgview::shim
