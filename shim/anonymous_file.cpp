#include "anonymous_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd_name.hpp"
#include "host_files.hpp"
#include "input_file.hpp"
#include "own_fds.hpp"

namespace cgview::shim {

namespace {

constexpr int kAllSeals = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;

// An O_TMPFILE (or a memfd whose sealing was refused) cannot be sealed: it is
// made read-only (0444) and the program gets a read-only reopen, so write()
// fails with EBADF and nobody but root can reopen it for writing. Returns -1
// (and closes `fd`) when the program would otherwise get a writable fd: then
// the real file is served. Rare (no memfds, or a seccomp filter on fcntl):
// built for size.
[[gnu::cold]] int read_only_copy(int fd, int flags) {
  syscall(SYS_fchmod, fd, 0444);
  const int ro_flags = O_RDONLY | (flags & (O_CLOEXEC | O_NONBLOCK));
  long ro = syscall(SYS_openat, AT_FDCWD, fd_name(fd).c_str(), ro_flags);
  FdName older;
  if (ro < 0 && errno == ENOENT && older_kernels_fd_name(fd, older))
    ro = syscall(SYS_openat, AT_FDCWD, older.c_str(), ro_flags);
  if (ro < 0) {
    syscall(SYS_close, fd);
    return -1;
  }
  // open() must return the lowest free fd (programs close(0) and open to
  // redirect stdin): the anonymous file's slot, unless the copy got a lower one.
  if (ro < fd) {
    syscall(SYS_close, fd);
    return int(ro);
  }
  if (syscall(SYS_dup3, ro, fd, flags & O_CLOEXEC) == fd) {
    syscall(SYS_close, ro);
    return fd;
  }
  syscall(SYS_close, fd);
  return int(ro);
}

// A memfd is sealed (no write, grow or shrink, through any fd or reopen, for
// root too) and handed over itself: one system call where a read-only reopen
// costs four, about 10% of a meminfo open. The program's fd is then O_RDWR
// with writes refused (EPERM) rather than O_RDONLY (EBADF). Where sealing is
// refused (a seccomp filter on fcntl), it is handed over as an O_TMPFILE is.
//
// Sealing comes last: until then the memfd is recognisably the library's in
// a fork child (lib/own_fds.hpp), and there is only ever one sealed fd of it.
int sealed_memfd(const LazyFile& file) {
  int fd = file.fd;
  bool cloexec_now = file.made_cloexec;
  // Made while the renderer still read an input (an InputFile of its own, or
  // any input of a render that flushed more than once), the memfd may sit
  // above the input's fd, free since: open() must return the lowest.
  if (file.above_an_input) {
    long low = syscall(SYS_fcntl, fd, file.flags & O_CLOEXEC ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
    if (low >= 0 && low < fd) {
      syscall(SYS_close, fd);
      fd = int(low);
      cloexec_now = file.flags & O_CLOEXEC;
    } else if (low >= 0) {
      syscall(SYS_close, low);
    }
  }
  syscall(SYS_fchmod, fd, 0444);  // fstat shows the mode of /proc and /sys files
  if (file.flags & O_NONBLOCK) syscall(SYS_fcntl, fd, F_SETFL, O_NONBLOCK);
  if (syscall(SYS_fcntl, fd, F_ADD_SEALS, kAllSeals) != 0) return read_only_copy(fd, file.flags);
  // It stays where it is: now the program's choice of close-on-exec.
  if (cloexec_now && !(file.flags & O_CLOEXEC)) syscall(SYS_fcntl, fd, F_SETFD, 0);
  return fd;
}

// RLIMIT_FSIZE binds writes to our anonymous file too, and writing past it
// raises SIGXFSZ, which kills the program by default: under a limit that the
// content would cross, the real file is served instead.
uint64_t file_size_limit() {
  struct rlimit64 {
    uint64_t cur, max;
  } limit{};
  if (syscall(SYS_prlimit64, 0, RLIMIT_FSIZE, nullptr, &limit) != 0) return 0;
  return limit.cur;
}

}  // namespace

// A memfd is made with the program's O_CLOEXEC choice, as it becomes the
// program's fd; an O_TMPFILE is only ever ours (the program gets a reopen).
// One made above an open input will move down to the lowest free fd at the
// end: until then it is close-on-exec, so a program that another thread
// spawns meanwhile does not inherit an fd this program never holds.
// Counted as the library's own fd (own_fds.hpp) until hand_over or
// discard_anonymous_file.
void make_anonymous_file(LazyFile& file) {
  file.made_cloexec = (file.flags & O_CLOEXEC) || file.above_an_input;
  unsigned cloexec = file.made_cloexec ? MFD_CLOEXEC : 0;
  // Before the file exists: a fork right after its making (a signal handler
  // runs as memfd_create returns) is one the child sees.
  file.forks = forks_seen();
  own_fd_opening();
  long fd = syscall(SYS_memfd_create, kMemfdName, cloexec | MFD_ALLOW_SEALING);
  file.memfd = fd >= 0;
  for (const char* dir : {"/dev/shm", "/tmp"}) {
    if (fd >= 0) break;
    // Marked as the library's: pwrite at the file's end, as here, writes
    // there with O_APPEND too, and O_NOATIME is ours to set on our file.
    fd = syscall(SYS_openat, AT_FDCWD, dir, O_TMPFILE | O_RDWR | O_CLOEXEC | kOwnScratchMark, 0600);
  }
  if (fd < 0) own_fd_gone();
  // A memfd that only ever gets reopened is marked as the library's for its
  // whole life: the program's fds of it are other open files (lib/own_fds.hpp).
  if (fd >= 0 && file.memfd && file.reopened) syscall(SYS_fcntl, fd, F_SETFL, kOwnScratchMark);
  file.fd = int(fd);
}

void discard_anonymous_file(LazyFile& file) {
  if (file.fd < 0) return;
  syscall(SYS_close, file.fd);
  own_fd_gone();
  file.fd = -1;
}

// The anonymous file is made at the sink's first flush. Where the renderer
// has read and closed its inputs by then (meminfo, online), one free fd is
// enough to serve the file, as for the real open. Where an input is still
// open (a streamed cpuinfo, stat or status file; any output longer than the
// sink's buffer, flushed more than once), the file sits above it and is
// moved down at the end (sealed_memfd). Written with pwrite, so it is read
// from the start without a seek.
bool flush_to_lazy_file(void* context, const char* data, size_t len) {
  LazyFile& file = *static_cast<LazyFile*>(context);
  // A fork child going on with a render its parent began (the fork came
  // from a signal handler that interrupted it) shares the parent's file:
  // it writes nothing more into it.
  if (file.fd >= 0 && forks_seen() != file.forks) {
    file.copied = true;
    return false;
  }
  if (file.fd >= 0) file.above_an_input = true;  // a later flush: the render still reads
  if (file.fd < 0) {
    file.above_an_input = input_files_open();
    file.size_limit = file_size_limit();
    if (file.size_limit != 0) make_anonymous_file(file);
    if (file.fd < 0) {
      file.refused = true;
      return false;
    }
  }
  if (len > file.size_limit - file.written) {
    file.refused = true;
    return false;
  }
  while (len > 0) {
    long n = pwrite_fd(file.fd, data, len, file.written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= size_t(n);
    file.written += uint64_t(n);
  }
  return true;
}

int hand_over(const LazyFile& file) {
  int fd;
  if (file.reopened && file.memfd && syscall(SYS_fcntl, file.fd, F_ADD_SEALS, kAllSeals) == 0) fd = file.fd;
  else fd = file.memfd && !file.reopened ? sealed_memfd(file) : read_only_copy(file.fd, file.flags);
  // The program's now, or closed; a file to reopen stays the library's (and counted).
  if (!file.reopened || fd < 0) own_fd_gone();
  return fd;
}

void show_read_only(int fd) { syscall(SYS_fchmod, fd, 0444); }

void close_reopened(int fd) {
  syscall(SYS_close, fd);
  own_fd_gone();
}

}  // namespace cgview::shim
