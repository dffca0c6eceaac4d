// The names under /proc by which the shim reopens, or learns the path of, one
// of the process's fds.
#pragma once

#include "text.hpp"

namespace cgview::shim {

using FdName = FixedText<40>;

// /proc/self/fd/N.
FdName fd_name(int fd);

// /proc/thread-self/fd/N, the asking thread's name for it (Linux 3.17+): for
// when /proc/self/fd/N fails with ENOENT because the main thread has exited
// and others run on (main called pthread_exit: the kernel then shows
// /proc/self with no fd table). Callers try fd_name first and this after, so
// that the usual case costs nothing more.
FdName own_thread_fd_name(int fd);

// Whichever of the two exists, for a caller that cannot try twice (freopen
// closes its stream whether or not it succeeds): one readlink to tell.
FdName existing_fd_name(int fd);

}  // namespace cgview::shim
