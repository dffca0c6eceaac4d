// The name under /proc by which the shim reopens, or learns the path of, one
// of the process's fds.
#pragma once

#include "text.hpp"

namespace cgview::shim {

using FdName = FixedText<40>;

// /proc/self/fd/N; where that does not exist because the main thread has
// exited and others run on (main called pthread_exit: the kernel then shows
// /proc/self with no fd table), the asking thread's /proc/thread-self/fd/N
// (Linux 3.17+). Costs one readlink to tell.
FdName fd_name(int fd);

}  // namespace cgview::shim
