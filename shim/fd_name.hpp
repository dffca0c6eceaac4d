// The names under /proc by which the shim reopens, or learns the path of, one
// of the process's fds.
#pragma once

#include "text.hpp"

namespace cgview::shim {

using FdName = FixedText<40>;

// /proc/thread-self/fd/N: N in the asking thread's fd table (Linux 3.17+).
// Not /proc/self/fd/N, which is the main thread's table: a thread that
// unshared its fds (unshare(CLONE_FILES)), or was cloned without them, has a
// table of its own, where N may be another file or none; and once the main
// thread has exited (pthread_exit) /proc/self shows no table at all.
FdName fd_name(int fd);

// For a kernel before 3.17, which has no /proc/thread-self: /proc/self/fd/N,
// the main thread's table, which every thread shares unless it unshared its
// fds (such kernels name no thread's own table in a numbering that /proc and
// gettid agree on under every pid namespace). False on later kernels, where
// fd_name's ENOENT is the answer: N is not open in the thread's table.
// Callers try fd_name first and this only after ENOENT.
bool older_kernels_fd_name(int fd, FdName& out);

// Whichever of the two names the fd, for a caller that cannot try twice
// (freopen closes its stream whether or not it succeeds): one readlink to tell.
FdName existing_fd_name(int fd);

}  // namespace cgview::shim
