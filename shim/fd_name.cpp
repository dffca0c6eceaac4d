#include "fd_name.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host_files.hpp"

namespace cgview::shim {

FdName fd_name(int fd) {
  FdName self;
  self.add("/proc/self/fd/").add_u64(uint64_t(fd));
  ErrnoKeeper keep_errno;
  char first;
  if (syscall(SYS_readlinkat, AT_FDCWD, self.c_str(), &first, 1) >= 0 || errno != ENOENT) return self;
  FdName own_thread;
  own_thread.add("/proc/thread-self/fd/").add_u64(uint64_t(fd));
  return own_thread;
}

}  // namespace cgview::shim
