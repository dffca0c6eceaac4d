/* What the tests' preloads that define syscall() after libcgview.so share:
 * reading the six arguments libc's syscall() takes, and passing a call on
 * to the next definition (libc's). Their syscall() is marked
 * SYSCALL_PRELOAD_ENTRY: the sixth argument is read whatever the call
 * passed, as libc's syscall() reads it (from the caller's stack), and under
 * AddressSanitizer that read of the caller's frame would be reported. */
#ifndef CGVIEW_LATER_SYSCALL_PRELOAD_H
#define CGVIEW_LATER_SYSCALL_PRELOAD_H

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>

#define SYSCALL_PRELOAD_ENTRY __attribute__((no_sanitize("address")))

/* Declares long a[6] holding the arguments after `number`. */
#define READ_SYSCALL_ARGUMENTS(number, a)                            \
  long a[6];                                                         \
  do {                                                               \
    va_list arguments_;                                              \
    va_start(arguments_, number);                                    \
    for (int i_ = 0; i_ < 6; ++i_) a[i_] = va_arg(arguments_, long); \
    va_end(arguments_);                                              \
  } while (0)

/* The call made through the next syscall() after this library's. */
static inline long next_syscall_after_this(long number, const long a[6]) {
  static long (*next)(long, ...);
  if (next == 0) next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  return next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

#endif
