// The names under /proc by which the shim reopens, or learns the path of, one
// of the process's fds.
#pragma once

#include "text.hpp"

namespace cgview::shim {

using FdName = FixedText<48>;

// /proc/thread-self/fd/N: N in the asking thread's fd table (Linux 3.17+).
// Not /proc/self/fd/N, which is the main thread's table: a thread that
// unshared its fds (unshare(CLONE_FILES)), or was cloned without them, has a
// table of its own, where N may be another file or none; and once the main
// thread has exited (pthread_exit) /proc/self shows no table at all.
FdName fd_name(int fd);

// /proc/self/task/TID/fd/N: the same table, by the name kernels before 3.17
// have (they lack /proc/thread-self). Callers try fd_name first and this
// after ENOENT, which also comes where N is not open in the thread's table:
// this then fails the same way, never naming another table's file.
FdName task_fd_name(int fd);

// Whichever of the two exists, for a caller that cannot try twice (freopen
// closes its stream whether or not it succeeds): one readlink to tell.
FdName existing_fd_name(int fd);

}  // namespace cgview::shim
