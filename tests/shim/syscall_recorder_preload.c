/* A preload after libcgview.so that defines syscall() too, as a tracer or
 * another compatibility library would: the shim must hand it every number it
 * does not serve as the program made the call. For CGVIEW_RECORDER_NUMBER,
 * which no kernel has, it answers without a system call: where the call came
 * from (the return address) when the six arguments arrived as the probe sends
 * them (0x1111 ... 0x6666), else -2. Every other number goes on to libc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>

/* Six arguments are read whatever the call passed, as libc's syscall() reads
   them (its sixth from the caller's stack): under AddressSanitizer that read
   of the caller's frame would be reported. */
__attribute__((no_sanitize("address"))) long syscall(long number, ...) {
  va_list args;
  va_start(args, number);
  long a[6];
  for (int i = 0; i < 6; ++i) a[i] = va_arg(args, long);
  va_end(args);
  if (number == CGVIEW_RECORDER_NUMBER) {
    for (int i = 0; i < 6; ++i)
      if (a[i] != 0x1111L * (i + 1)) return -2;
    return (long)__builtin_extract_return_addr(__builtin_return_address(0));
  }
  static long (*next)(long, ...);
  if (next == 0) next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  return next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
