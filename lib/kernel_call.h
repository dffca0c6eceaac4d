/* The kernel's own affinity masks, asked with the port's system-call
 * instruction. libcgview.so interposes libc's syscall() for the affinity
 * numbers (shim/syscall_entry.S), so a program asking the kernel through it
 * is shown the view; the core and the shim's hooks need the real mask, in the
 * library and in a cgview command that runs under it (a dynamically linked
 * build under LD_PRELOAD), without re-entering the view while forming it.
 *
 * C as well as C++: the shim tests' probes read the kernel's masks with it.
 * On ports without the instruction here the shim leaves syscall() alone, and
 * libc's syscall() asks. */
#ifndef CGVIEW_KERNEL_CALL_H
#define CGVIEW_KERNEL_CALL_H

/* The ports where libcgview.so interposes syscall() (shim/syscall_entry.S, which
 * includes this for it) and where the instruction below is used. */
#if (defined(__x86_64__) && !defined(__ILP32__)) || defined(__i386__) || defined(__aarch64__) || defined(__s390x__) || \
    (defined(__powerpc64__) && _CALL_ELF == 2)
#define CGVIEW_INTERPOSES_SYSCALL 1
#else
#define CGVIEW_INTERPOSES_SYSCALL 0
#endif

#ifndef __ASSEMBLER__
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A system-call number as the kernel reads it from its register: the low 32
 * bits (16 on s390x; on ppc64 all 64, so a number past an int's range is -1,
 * no call's), whatever the rest holds. */
static inline int cgview_kernel_number(long number) {
#if defined(__s390x__)
  return (int)(number & 0xffff);
#elif defined(__powerpc64__)
  return number == (int)number ? (int)number : -1;
#else
  return (int)number;
#endif
}

/* SYS_sched_getaffinity or SYS_sched_setaffinity: the bytes written (or 0 for
 * a set), or -errno, as the kernel answers; errno is left alone. */
static inline long cgview_kernel_affinity_call(long number, long pid, unsigned long size, const void* mask) {
#if defined(__x86_64__) && !defined(__ILP32__)
  long result;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(number), "D"(pid), "S"(size), "d"(mask)
                   : "rcx", "r11", "memory");
  return result;
#elif defined(__i386__)
  long result;
  __asm__ volatile("int $0x80" : "=a"(result) : "a"(number), "b"(pid), "c"(size), "d"(mask) : "memory");
  return result;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = number;
  register long x0 __asm__("x0") = pid;
  register unsigned long x1 __asm__("x1") = size;
  register const void* x2 __asm__("x2") = mask;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
#elif defined(__s390x__)
  /* svc 0: the number in r1 (svc's own 8-bit operand would be a constant). */
  register long r1 __asm__("r1") = number;
  register long r2 __asm__("r2") = pid;
  register unsigned long r3 __asm__("r3") = size;
  register const void* r4 __asm__("r4") = mask;
  __asm__ volatile("svc 0" : "+r"(r2) : "r"(r1), "r"(r3), "r"(r4) : "memory");
  return r2;
#elif defined(__powerpc64__) && _CALL_ELF == 2
  /* sc: the number in r0; an error sets cr0's summary-overflow bit with the
   * positive errno in r3. The kernel may change r0 and r4-r12, CTR, XER and cr0. */
  register long r0 __asm__("r0") = number;
  register long r3 __asm__("r3") = pid;
  register unsigned long r4 __asm__("r4") = size;
  register const void* r5 __asm__("r5") = mask;
  __asm__ volatile("sc\n\tbns+ 1f\n\tneg %1, %1\n1:"
                   : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5)
                   :
                   : "memory", "cr0", "ctr", "xer", "r6", "r7", "r8", "r9", "r10", "r11", "r12");
  return r3;
#else
  int saved = errno;
  long result = syscall(number, pid, size, mask);
  if (result < 0) result = -errno;
  errno = saved;
  return result;
#endif
}
#endif /* __ASSEMBLER__ */

#endif
