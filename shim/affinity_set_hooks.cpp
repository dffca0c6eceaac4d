// sched_setaffinity and pthread_setaffinity_np: a program that puts back the
// mask it was shown must not narrow itself to V. `taskset -p`, psutil's
// reset, and libraries that pin a thread to each CPU in turn and then restore
// the saved mask all set exactly what sched_getaffinity returned. So a mask
// equal to what this task was shown (its narrowed real mask) keeps the real
// mask it has; a mask equal to the process's V gives the task A, the mask V
// stands for (a thread pinned to one CPU and then "reset" to the process's
// mask gets the process's real mask back). Any other mask passes through
// unchanged: ids are real, so pinning to a CPU of V pins there. Set on
// another process, a shown mask gives it the caller's real mask (or A).
// The rule itself is affinity_decision.hpp's.
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
#include "own_task.hpp"
#include "real_functions.hpp"
#include "user_pointer.hpp"
#include "view_cache.hpp"

using namespace cgview;
using namespace cgview::shim;

namespace {

int real_sched_setaffinity(pid_t pid, size_t size, const cpu_set_t* mask) {
  if (const RealFunctions* r = real_now(); r != nullptr && r->sched_setaffinity != nullptr)
    return r->sched_setaffinity(pid, size, mask);
  long result = cgview_kernel_affinity_call(SYS_sched_setaffinity, pid, size, mask);
  if (result == 0) return 0;
  errno = int(-result);
  return -1;
}

}  // namespace

int cgview::shim::set_task_affinity(pid_t pid, size_t size, const cpu_set_t* mask, RealSetter set_real) {
  CpuSet real, process_mask;
  Decision decision = Decision::PassThrough;
  AffinityRule rule;
  const bool narrowed = !surely_refused_pointer(mask) && narrowing(rule);
  if (narrowed) {
    ErrnoKeeper keep_errno;  // a failed look-up is not the program's error
    // Another process (a pool's worker given its parent's mask): the mask
    // in hand is what this thread was shown, and stands for its real mask,
    // which is what the program would set without the shim.
    bool own = own_task(pid);
    if (cgview_kernel_affinity_call(SYS_sched_getaffinity, own ? pid : 0, CpuSet::kBytes, real.words()) > 0)
      decision = decide(rule, mask, size, real, process_mask);
    if (!own && decision == Decision::KeepReal) {
      process_mask = real;
      decision = Decision::SetAffinity;
    }
  }
  if (decision == Decision::KeepReal) return 0;
  if (narrowed) remember_view_before_first_set();
  if (decision == Decision::SetAffinity)
    return set_real(pid, CpuSet::kBytes, reinterpret_cast<const cpu_set_t*>(process_mask.words()));
  return set_real(pid, size, mask);
}

CGVIEW_EXPORT int cgview_sched_setaffinity(pid_t pid, size_t size, const cpu_set_t* mask) {
  return set_task_affinity(pid, size, mask, real_sched_setaffinity);
}

CGVIEW_EXPORT int cgview_pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t* mask) {
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->pthread_setaffinity_np == nullptr) return ENOSYS;
  AffinityRule rule;
  if (!surely_refused_pointer(mask) && r->pthread_getaffinity_np != nullptr && narrowing(rule)) {
    CpuSet real, process_mask;
    Decision decision = Decision::PassThrough;
    {
      ErrnoKeeper keep_errno;
      // The real getter: the thread's unnarrowed mask (a pthread_t is always one of ours).
      if (r->pthread_getaffinity_np(thread, CpuSet::kBytes, reinterpret_cast<cpu_set_t*>(real.words())) == 0)
        decision = decide(rule, mask, size, real, process_mask);
    }
    if (decision == Decision::KeepReal) return 0;
    remember_view_before_first_set();
    if (decision == Decision::SetAffinity)
      return r->pthread_setaffinity_np(thread, CpuSet::kBytes, reinterpret_cast<const cpu_set_t*>(process_mask.words()));
  }
  return r->pthread_setaffinity_np(thread, size, mask);
}

// Under glibc's version names where the port has two ABIs, unversioned where it
// has one (cmake/GlibcVersions.cmake says why).
#if CGVIEW_OLD_AFFINITY_ABI
// The GLIBC_2.3.3 versions took no size: the mask was a 128-byte cpu_set_t.
CGVIEW_EXPORT int cgview_sched_setaffinity_old(pid_t pid, const cpu_set_t* mask) {
  return cgview_sched_setaffinity(pid, sizeof(cpu_set_t), mask);
}
CGVIEW_EXPORT int cgview_pthread_setaffinity_np_old(pthread_t thread, const cpu_set_t* mask) {
  return cgview_pthread_setaffinity_np(thread, sizeof(cpu_set_t), mask);
}
// GLIBC_2.3.4 (libpthread's, before 2.34) takes the same arguments as GLIBC_2.34.
CGVIEW_EXPORT int cgview_pthread_setaffinity_np_2_3_4(pthread_t thread, size_t size, const cpu_set_t* mask) {
  return cgview_pthread_setaffinity_np(thread, size, mask);
}

__asm__(".symver cgview_sched_setaffinity,sched_setaffinity@@GLIBC_2.3.4");
__asm__(".symver cgview_sched_setaffinity_old,sched_setaffinity@GLIBC_2.3.3");
__asm__(".symver cgview_pthread_setaffinity_np,pthread_setaffinity_np@@GLIBC_2.34");
__asm__(".symver cgview_pthread_setaffinity_np_2_3_4,pthread_setaffinity_np@GLIBC_2.3.4");
__asm__(".symver cgview_pthread_setaffinity_np_old,pthread_setaffinity_np@GLIBC_2.3.3");
#else
CGVIEW_EXPORT int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t* mask) {
  return cgview_sched_setaffinity(pid, size, mask);
}
CGVIEW_EXPORT int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t* mask) {
  return cgview_pthread_setaffinity_np(thread, size, mask);
}
#endif
