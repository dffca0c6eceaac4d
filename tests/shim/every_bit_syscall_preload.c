/* A preload after libcgview.so whose syscall() stands in for a kernel that
 * reads every bit of a system call's number (x86-64 before Linux 5.14, POWER):
 * a number past 0xffff, which no Linux call has, is refused with ENOSYS. With
 * CGVIEW_TEST_HIGH_GET_EPERM=1 it refuses only such a sched_getaffinity, with
 * EPERM (a filter's answer), and passes other such numbers on as their low
 * bits. Every other number goes on to libc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>

/* Six arguments are read whatever the call passed, as libc's syscall() reads
   them (its sixth from the caller's stack): under AddressSanitizer that read
   of the caller's frame would be reported. */
__attribute__((no_sanitize("address"))) long syscall(long number, ...) {
  va_list args;
  va_start(args, number);
  long a[6];
  for (int i = 0; i < 6; ++i) a[i] = va_arg(args, long);
  va_end(args);
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
  static long (*next)(long, ...);
  if (next == 0) next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  return next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
