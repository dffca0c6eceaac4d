/* A preload after libcgview.so that defines syscall() too, as a tracer or
 * another compatibility library would: the shim must hand it every number it
 * does not serve as the program made the call. For CGVIEW_RECORDER_NUMBER,
 * which no kernel has, it answers without a system call: where the call came
 * from (the return address) when the six arguments arrived as the probe sends
 * them (0x1111 ... 0x6666), else -2. Every other number goes on to libc. */
#include "later_syscall_preload.h"

SYSCALL_PRELOAD_ENTRY long syscall(long number, ...) {
  READ_SYSCALL_ARGUMENTS(number, a);
  if (number == CGVIEW_RECORDER_NUMBER) {
    for (int i = 0; i < 6; ++i)
      if (a[i] != 0x1111L * (i + 1)) return -2;
    return (long)__builtin_extract_return_addr(__builtin_return_address(0));
  }
  return next_syscall_after_this(number, a);
}
