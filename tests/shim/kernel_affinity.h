/* The kernel's own affinity mask, for the probes: the system call made here
 * with the port's instruction, past libc's syscall(), which libcgview.so
 * interposes for the affinity numbers (shim/syscall_entry.S) and so answers
 * with the view. Returns what the system call does: the bytes written (or 0
 * for a set), or -errno. On ports where the shim leaves syscall() alone, it is
 * libc's syscall() (-1 and errno). */
#ifndef CGVIEW_KERNEL_AFFINITY_H
#define CGVIEW_KERNEL_AFFINITY_H

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static inline long kernel_affinity_call(long number, pid_t pid, size_t size, const void* mask) {
#if defined(__x86_64__) && !defined(__ILP32__)
  long result;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(number), "D"((long)pid), "S"(size), "d"(mask)
                   : "rcx", "r11", "memory");
  return result;
#elif defined(__i386__)
  long result;
  __asm__ volatile("int $0x80" : "=a"(result) : "a"(number), "b"(pid), "c"(size), "d"(mask) : "memory");
  return result;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = number;
  register long x0 __asm__("x0") = pid;
  register long x1 __asm__("x1") = (long)size;
  register long x2 __asm__("x2") = (long)mask;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
#else
  return syscall(number, pid, size, mask);
#endif
}

static inline long kernel_getaffinity(pid_t pid, size_t size, void* mask) {
  return kernel_affinity_call(SYS_sched_getaffinity, pid, size, mask);
}

static inline long kernel_setaffinity(pid_t pid, size_t size, const void* mask) {
  return kernel_affinity_call(SYS_sched_setaffinity, pid, size, mask);
}

#endif
