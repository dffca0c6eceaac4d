#include "fd_name.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host_files.hpp"

namespace cgview::shim {

FdName fd_name(int fd) {
  FdName name;
  name.add("/proc/self/fd/").add_u64(uint64_t(fd));
  return name;
}

FdName own_thread_fd_name(int fd) {
  FdName name;
  name.add("/proc/thread-self/fd/").add_u64(uint64_t(fd));
  return name;
}

FdName existing_fd_name(int fd) {
  FdName self = fd_name(fd);
  ErrnoKeeper keep_errno;
  char first;
  if (syscall(SYS_readlinkat, AT_FDCWD, self.c_str(), &first, 1) >= 0 || errno != ENOENT) return self;
  return own_thread_fd_name(fd);
}

}  // namespace cgview::shim
