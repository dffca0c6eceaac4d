// syscall(SYS_sched_getaffinity) and syscall(SYS_sched_setaffinity): the C half
// of the syscall() interposer (syscall_entry.S has the entry, which sends every
// other number on to libc untouched, and says who asks this way).
//
// The answers follow the system call's conventions, not libc's functions': a
// getter returns the bytes the kernel wrote and leaves the rest of the buffer
// as it was, and narrows those bytes exactly as sched_getaffinity does; a setter
// follows sched_setaffinity's rule (affinity_decision.hpp). Both make the real
// call through the next syscall() (libc's, or a later preload's), so errno and
// the return value are what the program would have had.
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "affinity_decision.hpp"
#include "cpu_set.hpp"
#include "host_files.hpp"
#include "kernel_call.h"
#include "next_symbol.hpp"
#include "own_task.hpp"

using namespace cgview;
using namespace cgview::shim;

extern "C" {
#if !(defined(__powerpc64__) && _CALL_ELF == 2)
// syscall_entry.S: straight on to the next syscall() (on ppc64el: below).
[[gnu::visibility("hidden")]] long cgview_forward_syscall(long number, ...);
#endif
// Defined below.
[[gnu::visibility("hidden")]] extern void* cgview_next_syscall;
[[gnu::visibility("hidden")]] void* cgview_find_next_syscall();
[[gnu::visibility("hidden")]] long cgview_syscall_missing();
}

namespace {

#if defined(__powerpc64__) && _CALL_ELF == 2
// The next syscall(), called through a pointer: a jump into libc's would come
// back with r2 (the TOC pointer) set to libc's, where a caller in this library
// expects its own kept; the compiler's indirect call saves and restores it.
long call_next_syscall(long number, long a, long b, long c, long d, long e, long f) {
  void* next = __atomic_load_n(&cgview_next_syscall, __ATOMIC_RELAXED);
  if (next == nullptr) next = cgview_find_next_syscall();
  if (next == nullptr) return cgview_syscall_missing();
  return reinterpret_cast<long (*)(long, ...)>(next)(number, a, b, c, d, e, f);
}
#endif

// The real affinity call, through the next syscall().
long next_syscall(long number, long pid, size_t size, const cpu_set_t* mask) {
#if defined(__powerpc64__) && _CALL_ELF == 2
  return call_next_syscall(number, pid, long(size), reinterpret_cast<long>(mask), 0, 0, 0);
#else
  return cgview_forward_syscall(number, pid, size, mask);
#endif
}

// Whether the kernel has no call for `get_number`, a sched_getaffinity number
// with bits above the ones it may read; errno is left alone.
bool refuses_number(long get_number) {
  ErrnoKeeper keep_errno;
  CpuSet scratch;
  return next_syscall(get_number, 0, CpuSet::kBytes, reinterpret_cast<cpu_set_t*>(scratch.words())) < 0 &&
         errno == ENOSYS;
}

int set_by_system_call(pid_t pid, size_t size, const cpu_set_t* mask) {
  return int(next_syscall(SYS_sched_setaffinity, long(pid), size, mask));
}

}  // namespace

// Hidden: reached from syscall_entry.S alone.
extern "C" {

// The next syscall() after ours (libc's), found on the first call; racing
// first calls find the same address.
[[gnu::visibility("hidden")]] constinit void* cgview_next_syscall = nullptr;

// No allocation, no lock, no system call through syscall(): next_symbol.hpp.
// Where the library was dlopen'ed (no object after ours defines it), any
// other object's: the definition the program's own calls bind to.
[[gnu::visibility("hidden")]] void* cgview_find_next_syscall() {
  void* next = next_symbol("syscall", nullptr);
  if (next == nullptr) next = loaded_symbol("syscall");
  if (next != nullptr) __atomic_store_n(&cgview_next_syscall, next, __ATOMIC_RELAXED);
  return next;
}

// Where no other object defines syscall() (none has been seen to lack it).
[[gnu::visibility("hidden")]] long cgview_syscall_missing() {
  errno = ENOSYS;
  return -1;
}

// The kernel reads the number (cgview_kernel_number), the pid and the size as
// 32-bit ints (the size unsigned), whatever the upper halves of the registers
// hold, and copies at most its own mask's bytes: so does this. A number with
// bits set above the ones read is the same call on today's kernels, but x86-64
// kernels before 5.14 read all 64 bits and refuse it (ENOSYS): the kernel is
// asked with the number as given, a set first with a get of the same bits, so
// that it takes or refuses the call as it would without the shim.
[[gnu::visibility("hidden")]] long cgview_affinity_syscall(long number, long pid, unsigned long size, cpu_set_t* mask) {
  pid_t task = pid_t(pid);
  size_t bytes = unsigned(size);
  const int call = cgview_kernel_number(number);
  const long high_bits = number - call;
  if (call == SYS_sched_setaffinity) {
    if (high_bits != 0 && refuses_number(high_bits + SYS_sched_getaffinity)) {
      errno = ENOSYS;
      return -1;
    }
    return set_task_affinity(task, bytes, mask, set_by_system_call);
  }
  long written = next_syscall(number, long(task), bytes, mask);
  if (written > 0 && own_task(task)) {
    ErrnoKeeper keep_errno;  // a success leaves errno as it was
    narrow_to_view(size_t(written), mask);
  }
  return written;
}

#if defined(__powerpc64__) && _CALL_ELF == 2
// syscall_entry.S's local entry, for every other number: the library's own calls
// of syscall() where they bind to its definition (-Bsymbolic-functions). Every
// argument register is passed on (the number and six).
[[gnu::visibility("hidden")]] long cgview_syscall_from_this_library(long number, long a, long b, long c, long d,
                                                                      long e, long f) {
  return call_next_syscall(number, a, b, c, d, e, f);
}
#endif

}  // extern "C"
