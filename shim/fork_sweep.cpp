#include "fork_sweep.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

#include "fd_name.hpp"
#include "host_files.hpp"
#include "text.hpp"
#include "view_cache.hpp"
#include "virtual_fds.hpp"

namespace cgview::shim {

namespace {

// What `fd` names (its /proc link: the child has one thread), in `out`;
// empty when it cannot be told (no /proc) or is longer than `out`.
std::string_view link_of(int fd, std::span<char> out) {
  long n = syscall(SYS_readlinkat, AT_FDCWD, fd_name(fd).c_str(), out.data(), out.size());
  return n > 0 && size_t(n) < out.size() ? std::string_view(out.data(), size_t(n)) : std::string_view();
}

bool starts_with(std::string_view text, std::string_view start) { return text.substr(0, start.size()) == start; }
bool ends_with(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

// A char array, not a string_view: no pointer for ld.so to relocate.
constexpr char kMemfdLink[] = "/memfd:cgview (deleted)";
static_assert(std::string_view(kMemfdLink).substr(7, 6) == kMemfdName);

// The files the library reads: /proc's, /sys's (cgroupfs is mounted there),
// or under the sysroot tests and `cgview show --root` read.
bool names_an_input(std::string_view link) {
  const Config* config = config_if_read();
  std::string_view root = config != nullptr ? config->root.prefix.view() : std::string_view();
  return starts_with(link, "/proc/") || starts_with(link, "/sys/") ||
         (!root.empty() && starts_with(link, root) && link.substr(root.size(), 1) == "/");
}

// An unnamed scratch file of the library's: a memfd, or an O_TMPFILE where
// there are none (anonymous_file.cpp).
// A read-write memfd named kMemfdName: its seals; else -1.
long sealed_memfd(int fd, long status, std::span<char> buf) {
  if (status < 0 || (status & O_ACCMODE) != O_RDWR) return -1;
  long seals = syscall(SYS_fcntl, fd, F_GET_SEALS);  // EINVAL: no memfd
  return seals >= 0 && link_of(fd, buf) == kMemfdLink ? seals : -1;
}

bool names_a_scratch_file(std::string_view link) {
  return link == kMemfdLink ||
         ((starts_with(link, "/dev/shm/#") || starts_with(link, "/tmp/#")) && ends_with(link, " (deleted)"));
}

// The library's marked memory files, and for each the one sealed memfd
// sharing it that no rewind was for (a rewind's reopen: refresh_if_virtual).
constexpr int kMarked = 8;
struct Marked {
  FileId files[kMarked];
  int sharers[kMarked] = {};
  int sharer[kMarked];
  int count = 0;
};

// Closes `fd` if it is the library's by what it is alone, and notes the
// marked memory files. Marked fds must also name what the library's name (a
// program may set the same flags). A memfd of the library's that it is
// still writing is read-write, named kMemfdName, and not sealed against
// writes (every memfd a program holds was, before it got it; a kernel with
// vm.memfd_noexec seals against exec from the start).
void sort_fd(int fd, Marked& marked) {
  long status = syscall(SYS_fcntl, fd, F_GETFL);
  if (status < 0) return;  // not open
  // Its close-on-exec flag only where the status flags bear a mark: one
  // system call fewer for each of a busy server's sockets.
  bool marked_status = has_own_scratch_mark(status, FD_CLOEXEC) || has_own_read_mark(status, FD_CLOEXEC);
  long fd_flags = marked_status ? syscall(SYS_fcntl, fd, F_GETFD) : 0;
  char buf[kPathMax];
  bool scratch = has_own_scratch_mark(status, fd_flags);
  if (scratch || has_own_read_mark(status, fd_flags)) {
    std::string_view link = link_of(fd, buf);
    if (scratch ? !names_a_scratch_file(link) : !names_an_input(link)) return;
    if (scratch && marked.count < kMarked && file_id(fd, marked.files[marked.count])) ++marked.count;
    syscall(SYS_close, fd);
  } else if (long seals = sealed_memfd(fd, status, buf); seals >= 0 && (seals & F_SEAL_WRITE) == 0) {
    syscall(SYS_close, fd);
  }
}

// A rewind's reopen is a sealed memfd as the program's are: it shares a file
// with the library's marked one, and is not the fd the rewind was for (noted
// before its dup3). Two such fds of one file (the reopen, and a dup the
// program has just made of the rewound fd) are both left.
void note_sharer(int fd, Marked& marked) {
  char buf[kPathMax];
  long status = syscall(SYS_fcntl, fd, F_GETFL);
  FileId file;
  if (sealed_memfd(fd, status, buf) <= 0 || rewound_fd(fd) || !file_id(fd, file)) return;
  for (int i = 0; i < marked.count; ++i) {
    if (marked.files[i] != file) continue;
    marked.sharer[i] = fd;
    ++marked.sharers[i];
  }
}

}  // namespace

void close_fds_copied_from_other_threads(const OwnFdCounts& before) {
  if (copied_own_fds(before) != CopiedOwnFds::kSweep) return;
  ErrnoKeeper keep_errno;
  // No higher than the highest fd the library has had: a process with
  // thousands of fds is not searched through all of them.
  Marked marked;
  long highest = highest_own_fd();
  for (long fd = highest; fd >= 0; --fd) sort_fd(int(fd), marked);
  for (long fd = highest; fd >= 0 && marked.count > 0; --fd) note_sharer(int(fd), marked);
  for (int i = 0; i < marked.count; ++i)
    if (marked.sharers[i] == 1) syscall(SYS_close, marked.sharer[i]);
  forget_other_threads_fds();
}

}  // namespace cgview::shim
