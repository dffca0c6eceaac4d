/* The kernel's own affinity mask, for the probes: past libc's syscall(), which
 * libcgview.so interposes for the affinity numbers (shim/syscall_entry.S) and so
 * answers with the view. What the system call returns: the bytes written (or 0
 * for a set), or -errno. */
#ifndef CGVIEW_KERNEL_AFFINITY_H
#define CGVIEW_KERNEL_AFFINITY_H

#include <sys/types.h>

#include "kernel_call.h"

static inline long kernel_getaffinity(pid_t pid, size_t size, void* mask) {
  return cgview_kernel_affinity_call(SYS_sched_getaffinity, pid, size, mask);
}

static inline long kernel_setaffinity(pid_t pid, size_t size, const void* mask) {
  return cgview_kernel_affinity_call(SYS_sched_setaffinity, pid, size, mask);
}

#endif
