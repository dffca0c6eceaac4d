/* A preload after libcgview.so whose syscall() stands in for a kernel that
 * reads every bit of a system call's number (x86-64 before Linux 5.14, POWER):
 * a number past 0xffff, which no Linux call has, is refused with ENOSYS. With
 * CGVIEW_TEST_HIGH_GET_EPERM=1 it refuses only such a sched_getaffinity, with
 * EPERM (a filter's answer), and passes other such numbers on as their low
 * bits. Every other number goes on to libc. */
#include "later_syscall_preload.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>

SYSCALL_PRELOAD_ENTRY long syscall(long number, ...) {
  READ_SYSCALL_ARGUMENTS(number, a);
  if (number < 0 || number > 0xffff) {
    const char* eperm = getenv("CGVIEW_TEST_HIGH_GET_EPERM");
    if (eperm == NULL || eperm[0] != '1') {
      errno = ENOSYS;
      return -1;
    }
    if ((number & 0xffff) == SYS_sched_getaffinity) {
      errno = EPERM;
      return -1;
    }
    number &= 0xffff;
  }
  return next_syscall_after_this(number, a);
}
