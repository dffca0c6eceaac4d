#include "fd_name.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "host_files.hpp"

namespace cgview::shim {

namespace {

// Whether this kernel has /proc/thread-self; once known to, for good (a
// /proc not mounted yet is asked again).
bool kernel_has_thread_self() {
  static constinit std::atomic<bool> known{false};
  if (known.load(std::memory_order_relaxed)) return true;
  ErrnoKeeper keep_errno;
  char first;
  bool has = syscall(SYS_readlinkat, AT_FDCWD, "/proc/thread-self", &first, 1) >= 0;
  if (has) known.store(true, std::memory_order_relaxed);
  return has;
}

}  // namespace

FdName fd_name(int fd) {
  FdName name;
  name.add("/proc/thread-self/fd/").add_u64(uint64_t(fd));
  return name;
}

[[gnu::cold]] bool older_kernels_fd_name(int fd, FdName& out) {  // rare: an fd not open here, an old kernel
  if (kernel_has_thread_self()) return false;
  out.clear();
  out.add("/proc/self/fd/").add_u64(uint64_t(fd));
  return true;
}

FdName existing_fd_name(int fd) {
  FdName own = fd_name(fd), older;
  ErrnoKeeper keep_errno;
  char first;
  if (syscall(SYS_readlinkat, AT_FDCWD, own.c_str(), &first, 1) >= 0 || errno != ENOENT) return own;
  return older_kernels_fd_name(fd, older) ? older : own;
}

}  // namespace cgview::shim
