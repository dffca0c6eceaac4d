// pthread_attr_setaffinity_np and pthread_attr_getaffinity_np: the affinity a
// new thread starts with. A program that gives its threads the mask it was
// shown (a pool that copies the creating thread's mask into the attributes)
// must not start them narrowed to V: glibc applies the attributes' mask in
// the new thread by a system call of its own, past every hook, so the
// translation is made where the mask is stored (affinity_decision.hpp's rule,
// with the creating thread's real mask). Reading the attributes back gives
// the shown mask again: a stored mask equal to the caller's real mask, or to
// A, reads as the view, which is also what pthread_getaffinity_np says of a
// thread running on it, so the attributes pthread_getattr_np fills with a
// thread's real mask (glibc reads it past our getter) read as that thread's
// view. Other masks pass both ways unchanged, and so does the "no mask set"
// answer (every bit set).
//
// No heap, no locks: masks are fixed buffers on the stack (1 KiB each).
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "affinity_decision.hpp"
#include "export.hpp"
#include "kernel_call.h"
#include "real_functions.hpp"
#include "user_pointer.hpp"
#include "view_cache.hpp"

using namespace cgview;
using namespace cgview::shim;

namespace {

bool calling_thread_mask(CpuSet& real) {
  return cgview_kernel_affinity_call(SYS_sched_getaffinity, 0, CpuSet::kBytes, real.words()) > 0;
}

// The caller's size where `set` fits in it (what it reads back is then what
// it would have stored), else the whole set.
size_t size_holding(const CpuSet& set, size_t wanted) {
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(set.words());
  for (size_t i = wanted; i < CpuSet::kBytes; ++i)
    if (bytes[i] != 0) return CpuSet::kBytes;
  return wanted;
}

}  // namespace

CGVIEW_EXPORT int cgview_pthread_attr_setaffinity_np(pthread_attr_t* attr, size_t size, const cpu_set_t* mask) {
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->pthread_attr_setaffinity_np == nullptr) return ENOSYS;
  AffinityRule rule;
  if (mask != nullptr && size != 0 && !surely_refused_pointer(mask) && narrowing(rule)) {
    CpuSet real, stands_for;
    Decision decision = Decision::PassThrough;
    {
      ErrnoKeeper keep_errno;  // a failed look-up is not the program's error
      if (calling_thread_mask(real)) decision = decide(rule, mask, size, real, stands_for);
    }
    if (decision == Decision::KeepReal) stands_for = real;
    if (decision != Decision::PassThrough)
      return r->pthread_attr_setaffinity_np(attr, size_holding(stands_for, size),
                                            reinterpret_cast<const cpu_set_t*>(stands_for.words()));
  }
  return r->pthread_attr_setaffinity_np(attr, size, mask);
}

CGVIEW_EXPORT int cgview_pthread_attr_getaffinity_np(const pthread_attr_t* attr, size_t size, cpu_set_t* mask) {
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->pthread_attr_getaffinity_np == nullptr) return ENOSYS;
  int result = r->pthread_attr_getaffinity_np(attr, size, mask);
  AffinityRule rule;
  if (result != 0 || !narrowing(rule)) return result;
  ErrnoKeeper keep_errno;
  CpuSet real, shown;
  if (!calling_thread_mask(real)) return result;
  if (same_mask(mask, size, real)) {
    if (shown_mask_of(rule, real, shown)) write_mask(shown, size, mask);
    return result;
  }
  LimitsBuffer buffer;
  Limits& limits = buffer.limits();
  if (current_limits(limits) && same_mask(mask, size, limits.cpu.affinity)) write_mask(limits.cpu.visible, size, mask);
  return result;
}

// Under glibc's version names where the port has two ABIs, unversioned where it
// has one (cmake/GlibcVersions.cmake says why).
#if CGVIEW_OLD_AFFINITY_ABI
// The GLIBC_2.3.3 versions took no size: the mask was a 128-byte cpu_set_t.
CGVIEW_EXPORT int cgview_pthread_attr_setaffinity_np_old(pthread_attr_t* attr, const cpu_set_t* mask) {
  return cgview_pthread_attr_setaffinity_np(attr, sizeof(cpu_set_t), mask);
}
CGVIEW_EXPORT int cgview_pthread_attr_getaffinity_np_old(const pthread_attr_t* attr, cpu_set_t* mask) {
  return cgview_pthread_attr_getaffinity_np(attr, sizeof(cpu_set_t), mask);
}
// GLIBC_2.3.4 (libpthread's, before 2.32 and 2.34) takes the same arguments as the current ones.
CGVIEW_EXPORT int cgview_pthread_attr_setaffinity_np_2_3_4(pthread_attr_t* attr, size_t size, const cpu_set_t* mask) {
  return cgview_pthread_attr_setaffinity_np(attr, size, mask);
}
CGVIEW_EXPORT int cgview_pthread_attr_getaffinity_np_2_3_4(const pthread_attr_t* attr, size_t size, cpu_set_t* mask) {
  return cgview_pthread_attr_getaffinity_np(attr, size, mask);
}

__asm__(".symver cgview_pthread_attr_setaffinity_np,pthread_attr_setaffinity_np@@GLIBC_2.32");
__asm__(".symver cgview_pthread_attr_setaffinity_np_2_3_4,pthread_attr_setaffinity_np@GLIBC_2.3.4");
__asm__(".symver cgview_pthread_attr_setaffinity_np_old,pthread_attr_setaffinity_np@GLIBC_2.3.3");
__asm__(".symver cgview_pthread_attr_getaffinity_np,pthread_attr_getaffinity_np@@GLIBC_2.34");
__asm__(".symver cgview_pthread_attr_getaffinity_np_2_3_4,pthread_attr_getaffinity_np@GLIBC_2.3.4");
__asm__(".symver cgview_pthread_attr_getaffinity_np_old,pthread_attr_getaffinity_np@GLIBC_2.3.3");
#else
CGVIEW_EXPORT int pthread_attr_setaffinity_np(pthread_attr_t* attr, size_t size, const cpu_set_t* mask) {
  return cgview_pthread_attr_setaffinity_np(attr, size, mask);
}
CGVIEW_EXPORT int pthread_attr_getaffinity_np(const pthread_attr_t* attr, size_t size, cpu_set_t* mask) {
  return cgview_pthread_attr_getaffinity_np(attr, size, mask);
}
#endif
