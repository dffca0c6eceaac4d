#include "fork_sweep.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

#include "host_files.hpp"
#include "text.hpp"

namespace cgview::shim {

namespace {

// The memory files: a memfd of the library's that it is still writing is
// read-write, named kMemfdName, and not sealed yet; every memfd a program
// holds was sealed before it got it (anonymous_file.cpp), and a read-only
// reopen is not read-write. (Sealed meanwhile by the parent, which shares the
// file, it is left: it was about to be the program's.)
constexpr std::string_view kMemfdLink = "/memfd:cgview (deleted)";
static_assert(kMemfdLink.substr(7, 6) == kMemfdName);

bool named_memfd(int fd) {
  FixedText<40> link;
  link.add("/proc/self/fd/").add_u64(uint64_t(fd));
  char target[kMemfdLink.size() + 1];
  long n = syscall(SYS_readlinkat, AT_FDCWD, link.c_str(), target, sizeof target);
  return n == long(kMemfdLink.size()) && std::memcmp(target, kMemfdLink.data(), kMemfdLink.size()) == 0;
}

// What the search keeps to decide on last: the inodes of the library's
// marked memory files, and the read-write, sealed memory files of
// kMemfdName that are not marked (memfds: all on one device).
constexpr int kKept = 8;
struct Kept {
  uint64_t marked[kKept];
  int marked_count = 0;
  int fds[kKept];
  uint64_t inodes[kKept];
  int fd_count = 0;
};

uint64_t inode_of(int fd) {
  FileId id;
  return file_id(fd, id) ? id.ino : 0;
}

// Closes `fd` now if it is the library's by its own flags; else keeps what
// the last step needs.
void sort_fd(int fd, Kept& kept) {
  long status = syscall(SYS_fcntl, fd, F_GETFL);
  if (status < 0) return;
  long fd_flags = syscall(SYS_fcntl, fd, F_GETFD);
  bool scratch = has_own_scratch_mark(status, fd_flags);
  if (has_own_read_mark(status, fd_flags) || scratch) {
    if (scratch && kept.marked_count < kKept) kept.marked[kept.marked_count++] = inode_of(fd);
    syscall(SYS_close, fd);
    return;
  }
  if ((status & O_ACCMODE) != O_RDWR) return;
  long seals = syscall(SYS_fcntl, fd, F_GET_SEALS);  // EINVAL: no memfd
  if (seals < 0 || !named_memfd(fd)) return;
  if (seals == 0) {
    syscall(SYS_close, fd);  // unsealed: the library's, still being written
  } else if (kept.fd_count < kKept) {
    kept.inodes[kept.fd_count] = inode_of(fd);
    kept.fds[kept.fd_count++] = fd;
  }
}

// A rewind's reopen (virtual_fds.cpp, refresh_if_virtual): the one sealed
// read-write fd of a marked memory file's. The program's fd shares that
// file only once dup3 has put the reopen behind it, and then the two are
// two fds of the file: neither is closed.
void close_rewinds_reopen(const Kept& kept) {
  for (int i = 0; i < kept.fd_count; ++i) {
    int marked = 0, sharing = 0;
    for (int j = 0; j < kept.marked_count; ++j) marked += kept.marked[j] == kept.inodes[i];
    for (int j = 0; j < kept.fd_count; ++j) sharing += kept.inodes[j] == kept.inodes[i];
    if (marked != 0 && sharing == 1 && kept.inodes[i] != 0) syscall(SYS_close, kept.fds[i]);
  }
}

// Closes every fd of the library's in this process, listed by /proc/self/fd
// (a child has one thread: its own table). Where /proc is not mounted, none.
void close_library_fds() {
  long dir = syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  alignas(8) char buf[1024];
  Kept kept;
  long n;
  // The listing goes by fd number: closing one already listed skips nothing.
  while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
    for (long at = 0; at < n;) {
      // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
      unsigned short reclen;
      std::memcpy(&reclen, buf + at + 16, sizeof reclen);
      const char* name = buf + at + 19;
      at += reclen;
      uint64_t fd = 0;
      if (name[0] < '0' || name[0] > '9' || !parse_u64(name, fd) || fd > 0x7fffffff || long(fd) == dir) continue;
      sort_fd(int(fd), kept);
    }
  }
  syscall(SYS_close, dir);
  close_rewinds_reopen(kept);
}

}  // namespace

void close_fds_copied_from_other_threads(const OwnFdCounts& before) {
  if (copied_own_fds(before) != CopiedOwnFds::kSweep) return;
  ErrnoKeeper keep_errno;
  close_library_fds();
  forget_other_threads_fds();
}

}  // namespace cgview::shim
