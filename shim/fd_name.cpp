#include "fd_name.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host_files.hpp"

namespace cgview::shim {

FdName fd_name(int fd) {
  FdName name;
  name.add("/proc/thread-self/fd/").add_u64(uint64_t(fd));
  return name;
}

FdName task_fd_name(int fd) {
  FdName name;
  name.add("/proc/self/task/").add_u64(uint64_t(syscall(SYS_gettid))).add("/fd/").add_u64(uint64_t(fd));
  return name;
}

FdName existing_fd_name(int fd) {
  FdName own = fd_name(fd);
  ErrnoKeeper keep_errno;
  char first;
  if (syscall(SYS_readlinkat, AT_FDCWD, own.c_str(), &first, 1) >= 0 || errno != ENOENT) return own;
  return task_fd_name(fd);
}

}  // namespace cgview::shim
