#include "virtual_fds.hpp"

#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "debug_log.hpp"
#include "view_cache.hpp"

namespace cgview::shim {

namespace {

// Which fds serve which file, checked on use against the inode (a close may
// bypass us: libuv closes with syscall(SYS_close), close_range, dup2).
// Fds above the table still serve content; they are just not re-rendered on rewind.
constexpr int kTrackedFds = 4096;
struct Tracked {
  std::atomic<uint64_t> inode{0};
  std::atomic<uint64_t> device_and_file{0};  // device << 8 | VirtualFile; 0 = free
};
constinit Tracked g_tracked[kTrackedFds];

bool identify(int fd, uint64_t& inode, uint64_t& device) {
  struct stat st;
  if (syscall(SYS_fstat, fd, &st) != 0) return false;
  inode = st.st_ino;
  device = st.st_dev;
  return true;
}

void track(int fd, VirtualFile file) {
  uint64_t inode = 0, device = 0;
  if (fd < 0 || fd >= kTrackedFds || !identify(fd, inode, device)) return;
  g_tracked[fd].inode.store(inode, std::memory_order_relaxed);
  g_tracked[fd].device_and_file.store(device << 8 | uint64_t(file), std::memory_order_release);
}

// The served file behind `fd`, or None when the fd is no longer ours.
VirtualFile tracked_file(int fd) {
  if (fd < 0 || fd >= kTrackedFds) return VirtualFile::None;
  uint64_t tag = g_tracked[fd].device_and_file.load(std::memory_order_acquire);
  if (tag == 0) return VirtualFile::None;
  uint64_t inode = 0, device = 0;
  if (!identify(fd, inode, device) || inode != g_tracked[fd].inode.load(std::memory_order_relaxed) ||
      device != tag >> 8) {
    g_tracked[fd].device_and_file.compare_exchange_strong(tag, 0, std::memory_order_relaxed);
    return VirtualFile::None;
  }
  return VirtualFile(tag & 0xff);
}

// A writable anonymous file: a memfd, or where that is refused (seccomp, old
// kernels) an unnamed O_TMPFILE (DESIGN.md rule 8).
int new_anonymous_file() {
  long fd = syscall(SYS_memfd_create, "cgview", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd >= 0) return int(fd);
  for (const char* dir : {"/dev/shm", "/tmp"}) {
    fd = syscall(SYS_openat, AT_FDCWD, dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return int(fd);
  }
  return -1;
}

// The program gets a read-only fd, so write() fails with EBADF as on /proc.
// The content is also sealed (memfd) and made read-only (0444), so nobody can
// reopen /proc/self/fd/N for writing and change it. Returns -1 (and closes
// `fd`) when the program would otherwise get a writable fd: then the real
// file is served.
int read_only_copy(int fd, int flags) {
  bool sealed =
      syscall(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) == 0;
  syscall(SYS_fchmod, fd, 0444);
  FixedText<32> link;
  link.add("/proc/self/fd/").add_u64(uint64_t(fd));
  long ro = syscall(SYS_openat, AT_FDCWD, link.c_str(), O_RDONLY | (flags & (O_CLOEXEC | O_NONBLOCK)));
  if (ro >= 0) {
    // open() must return the lowest free fd (programs close(0) and open to
    // redirect stdin). That is the anonymous file's slot, unless a renderer's
    // input was still open when it was made (content over the sink's buffer):
    // then the copy itself took the lowest.
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
  if (!sealed) {  // an O_TMPFILE cannot be sealed: never hand out a writable fd
    syscall(SYS_close, fd);
    return -1;
  }
  // No /proc/self/fd, or no fd left for the copy: the sealed memfd itself.
  syscall(SYS_lseek, fd, 0, SEEK_SET);
  if (!(flags & O_CLOEXEC)) syscall(SYS_fcntl, fd, F_SETFD, 0);
  return fd;
}

// The anonymous file is made at the sink's first flush, after the renderer
// has read and closed its inputs whenever the output fits the sink's buffer
// (all of meminfo, online, and small stat and cpuinfo files): then one free
// fd is enough to serve them, as it is for the real open.
struct LazyFile {
  int fd = -1;
  bool refused = false;
  uint64_t size_limit = 0;  // RLIMIT_FSIZE when the file was made
  uint64_t written = 0;
};

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

bool flush_to_lazy_file(void* context, const char* data, size_t len) {
  LazyFile& file = *static_cast<LazyFile*>(context);
  if (file.fd < 0) {
    file.size_limit = file_size_limit();
    if (file.size_limit == 0 || (file.fd = new_anonymous_file()) < 0) {
      file.refused = true;
      return false;
    }
  }
  if (len > file.size_limit - file.written) {
    file.refused = true;
    return false;
  }
  file.written += len;
  return write_all(file.fd, data, len);
}

int render_new_fd(VirtualFile file, int flags) {
  LimitsBuffer buffer;
  Limits& limits = buffer.limits();
  if (!current_limits_for(file, limits)) return -1;
  LazyFile out;
  Sink sink(flush_to_lazy_file, &out);
  bool rendered = render(file, config(), limits, &stat_clock(), sink);
  if (rendered && out.fd < 0) out.fd = new_anonymous_file();  // empty content
  if (!rendered || out.fd < 0 || out.refused) {
    DebugLine(config()) << (out.refused || out.fd < 0 ? "no memfd or O_TMPFILE, or RLIMIT_FSIZE" : "rendering failed")
                        << ": serving the real file";
    if (out.fd >= 0) syscall(SYS_close, out.fd);
    return -1;
  }
  int fd = out.fd;
  int ro = read_only_copy(fd, flags);
  if (ro < 0) DebugLine(config()) << "cannot make the content read-only: serving the real file";
  return ro;
}

}  // namespace

int open_virtual(VirtualFile file, int flags) {
  ErrnoKeeper keep_errno;
  int fd = render_new_fd(file, flags);
  if (fd >= 0) track(fd, file);
  return fd;
}

void remember_virtual(int fd, VirtualFile file) {
  ErrnoKeeper keep_errno;
  track(fd, file);
}

bool refresh_if_virtual(int fd, void (*before)(void*), void* context) {
  ErrnoKeeper keep_errno;
  VirtualFile file = tracked_file(fd);
  if (file == VirtualFile::None) return false;
  if (before != nullptr) before(context);
  long status = syscall(SYS_fcntl, fd, F_GETFL);
  long fd_flags = syscall(SYS_fcntl, fd, F_GETFD);
  int fresh = status < 0 ? -1 : render_new_fd(file, O_CLOEXEC | (int(status) & O_NONBLOCK));
  if (fresh < 0) return false;
  int cloexec = fd_flags > 0 && (fd_flags & FD_CLOEXEC) ? O_CLOEXEC : 0;
  bool done = syscall(SYS_dup3, fresh, fd, cloexec) == fd;
  syscall(SYS_close, fresh);
  if (done) track(fd, file);
  return done;
}

}  // namespace cgview::shim
