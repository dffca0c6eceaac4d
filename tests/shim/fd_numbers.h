/* The fd numbers a process has open, listed with raw system calls only: the
 * fork child of a threaded program may call only async-signal-safe
 * functions. Shared by fork_fd_probe.c and mid_call_probe.c,
 * with the layout of fds their fd-hole runs make. */
#ifndef CGVIEW_FD_NUMBERS_H
#define CGVIEW_FD_NUMBERS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Up to `max` of the fds open now into `out`, the listing's own left out;
 * how many, or -1 without /proc. */
static inline int list_fds(int* out, int max) {
  int dir = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  char buf[4096];
  int count = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
    if (n <= 0) break;
    for (long at = 0; at < n;) {
      struct dirent64* e = (struct dirent64*)(buf + at);
      at += e->d_reclen;
      if (e->d_name[0] == '.') continue;
      int fd = atoi(e->d_name);
      if (fd != dir && count < max) out[count++] = fd;
    }
  }
  syscall(SYS_close, dir);
  return count;
}

/* What fd `fd` names (its /proc link), into `target` of `size` bytes; `fallback`
 * where it cannot be read. Raw system calls: usable in a fork child. */
static inline const char* fd_target(int fd, char* target, size_t size, const char* fallback) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  long n = syscall(SYS_readlinkat, AT_FDCWD, link, target, size - 1);
  if (n < 0) return fallback;
  target[n] = '\0';
  return target;
}

/* 300 more fds, the lowest of them closed again: a file opened next takes
 * that free number low down, and one opened after it lands above all 300.
 * 0, or -1 where they could not be opened. */
static inline int open_fds_with_a_hole(void) {
  int lowest = -1;
  for (int i = 0; i < 300; ++i) {
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (lowest < 0) lowest = fd;
  }
  return close(lowest);
}

#endif
