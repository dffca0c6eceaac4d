#include "fork_sweep.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

#include "fd_name.hpp"
#include "host_files.hpp"
#include "text.hpp"
#include "view_cache.hpp"

namespace cgview::shim {

namespace {

// What `fd` names (its /proc link: the child has one thread), in `out`;
// empty when it cannot be told (no /proc) or is longer than `out`.
std::string_view link_of(int fd, std::span<char> out) {
  long n = syscall(SYS_readlinkat, AT_FDCWD, fd_name(fd).c_str(), out.data(), out.size());
  return n > 0 && size_t(n) < out.size() ? std::string_view(out.data(), size_t(n)) : std::string_view();
}

// A char array, not a string_view: no pointer for ld.so to relocate.
constexpr char kMemfdLink[] = "/memfd:cgview (deleted)";
static_assert(std::string_view(kMemfdLink).substr(7, 6) == kMemfdName);

// The sysroot as the kernel names it (a relative or symlinked CGVIEW_SYSROOT
// is not how an fd's link reads), in `out`; empty on the live system. As
// given where no fd is free to resolve it.
std::string_view resolved_root(std::span<char> out) {
  const Config* config = config_if_read();
  if (config == nullptr || config->root.live()) return {};
  PathText prefix;
  prefix.add(config->root.prefix.view());
  long dir = syscall(SYS_openat, AT_FDCWD, prefix.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return config->root.prefix.view();
  std::string_view root = link_of(int(dir), out);
  syscall(SYS_close, dir);
  return root;
}

// The files the library reads: /proc's, /sys's (cgroupfs is mounted there),
// or under the sysroot tests and `cgview show --root` read.
bool names_an_input(std::string_view link, std::string_view root) {
  return link.starts_with("/proc/") || link.starts_with("/sys/") ||
         (!root.empty() && link.starts_with(root) && link.substr(root.size(), 1) == "/");
}

bool names_a_scratch_file(std::string_view link) {
  return link == kMemfdLink ||
         ((link.starts_with("/dev/shm/#") || link.starts_with("/tmp/#")) && link.ends_with(" (deleted)"));
}

// Closes `fd` if it is the library's by what it is alone. Marked fds must
// also name what the library's name (a program may set the same flags). A
// memfd of the library's that it is still writing is read-write, named
// kMemfdName, and not sealed against writes (every memfd a program holds
// was, before it got it; a kernel with vm.memfd_noexec seals against exec
// from the start). True where it was a marked memory file (its file in
// `file`): a rewind's reopen of it may be here too.
bool close_if_librarys(int fd, std::string_view root, FileId& file) {
  long status = syscall(SYS_fcntl, fd, F_GETFL);
  if (status < 0) return false;  // not open
  char buf[kPathMax];
  OwnMark mark = own_mark(status);
  bool scratch = false, close_it = false;
  if (mark != OwnMark::kNone) {
    // Its close-on-exec flag only where the status flags bear a mark: one
    // system call fewer for each of a busy server's sockets.
    long fd_flags = syscall(SYS_fcntl, fd, F_GETFD);
    std::string_view link = fd_flags > 0 && (fd_flags & FD_CLOEXEC) ? link_of(fd, buf) : std::string_view();
    close_it = mark == OwnMark::kScratch ? names_a_scratch_file(link) : names_an_input(link, root);
    scratch = close_it && mark == OwnMark::kScratch && file_id(fd, file);
  } else if ((status & O_ACCMODE) == O_RDWR) {
    long seals = syscall(SYS_fcntl, fd, F_GET_SEALS);  // EINVAL: no memfd
    close_it = seals >= 0 && (seals & F_SEAL_WRITE) == 0 && link_of(fd, buf) == kMemfdLink;
  }
  if (close_it) syscall(SYS_close, fd);
  return scratch;
}

// The soft limit on fds, less one: no open fd is above it but one opened
// before the limit was lowered.
long below_fd_limit() {
  uint64_t limit[2];  // struct rlimit64: soft, hard
  // 1024 is the usual soft limit, where even it cannot be asked.
  return syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, nullptr, limit) == 0 ? long(limit[0]) - 1 : 1023;
}

// The highest fd number the child's fd table has room for, which no open
// fd is above: its FDSize in /proc/self/status, less one (a power of two,
// 64 at least: 63 in most processes); below the fd limit where status
// cannot be opened (the parent had taken every number below it, the
// library's last among them) or has no FDSize line, or a smaller one than
// Linux gives. Not the highest fd the library had noted: a fork between an
// open and its noting would find the new fd unnoted, and it may land far
// above the others (the lowest free number, where the one before took a
// free number low down). Not a listing of /proc/self/fd: in a new child
// each listed fd costs about 3.5 us (its entry is made afresh), a look at a
// number 0.15 us. A sweeping child here took 3.5 ms with 9,000 fds (16,384
// numbers) against 35 ms listing, and 0.45 ms with 1,000 against 3.5 ms.
// The cost follows the highest fd number, not how many are open: 10 fds and
// one at 19,999 (32,768 numbers) took 4.4 ms against 0.37 ms listing.
// Listing only where the table is sparse would need the count of open fds
// too (the directory's size, since Linux 6.2): 416 more bytes of code.
long highest_fd_room() {
  char buf[512];
  long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return below_fd_limit();
  long n = syscall(SYS_read, fd, buf, sizeof buf);
  syscall(SYS_close, fd);
  std::string_view status(buf, n > 0 ? size_t(n) : 0), key = "\nFDSize:", size_field;
  size_t at = status.find(key);
  uint64_t size = 0;
  std::string_view rest = at == std::string_view::npos ? std::string_view() : status.substr(at + key.size());
  return next_field(rest, size_field) && parse_u64(size_field, size) && size >= 64 ? long(size) - 1 : below_fd_limit();
}

// A rewind's reopen (virtual_fds.cpp, refresh_if_virtual) is the program's
// fd's file to be, and no mark can be on it. Its note names it: closed
// where it is still that file, and the library's marked one is here too
// (closed before the reopen, so with it here the reopen's number is still
// the reopen's, not a program's fd since). A note without the reopen's
// number yet was copied before the program's fd got the file: every fd of
// it still here (the marked one is closed by now) is the reopen.
void close_rewinds_reopens(const FileId* marked, int marked_count, long top) {
  const uint32_t parent = uint32_t(syscall(SYS_getppid));
  for (int i = 0; i < kRewindNotes; ++i) {
    int copy;
    FileId file, now;
    if (!rewind_under_way(i, parent, copy, file)) continue;
    bool marked_here = false;
    for (int j = 0; j < marked_count; ++j) marked_here |= marked[j] == file;
    if (!marked_here) continue;
    // The reopen's number where the note has it, else every number.
    for (long fd = copy >= 0 ? copy : top, last = copy >= 0 ? copy : 0; fd >= last; --fd)
      if (file_id(int(fd), now) && now == file) syscall(SYS_close, fd);
  }
}

}  // namespace

void close_fds_copied_from_other_threads(const OwnFdCounts& before) {
  if (copied_own_fds(before) != CopiedOwnFds::kSweep) return;
  ErrnoKeeper keep_errno;
  char root_buf[kPathMax];
  std::string_view root = resolved_root(root_buf);
  // A rewind's note is used only with its marked file here: one for each
  // rewind under way at the fork, up to 32 at once (a fork from a signal
  // handler may run on a small alternate stack: 512 bytes).
  constexpr int kMarked = 32;
  FileId marked[kMarked];
  int marked_count = 0;
  const long top = highest_fd_room();
  for (long fd = top; fd >= 0; --fd) {
    FileId file;
    if (close_if_librarys(int(fd), root, file) && marked_count < kMarked) marked[marked_count++] = file;
  }
  if (marked_count > 0) close_rewinds_reopens(marked, marked_count, top);
  forget_other_threads_fds();
}

}  // namespace cgview::shim
