// Which pids the CPU view applies to: the caller's process and its threads.
// Another process's mask is real (it is not ours to describe).
#pragma once

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host_files.hpp"

namespace cgview::shim {

inline bool own_task(pid_t pid) {
  if (pid == 0) return true;
  pid_t self = pid_t(syscall(SYS_getpid));
  if (pid == self) return true;
  ErrnoKeeper keep_errno;
  return syscall(SYS_tgkill, self, pid, 0) == 0;  // signal 0: a thread of this process?
}

}  // namespace cgview::shim
