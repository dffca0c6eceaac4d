// sysconf, get_nprocs, sched_getaffinity, pthread_getaffinity_np: every CPU
// count a program can ask for agrees on N and V (docs/design.md, CPUs).
// _SC_NPROCESSORS_CONF and get_nprocs_conf stay real: programs size per-CPU
// arrays by them and index them with sched_getcpu().
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "affinity_decision.hpp"
#include "export.hpp"
#include "kernel_call.h"
#include "memory_answers.hpp"
#include "own_task.hpp"
#include "real_functions.hpp"
#include "view_cache.hpp"

using namespace cgview;
using namespace cgview::shim;

namespace {

int real_sched_getaffinity(pid_t pid, size_t size, cpu_set_t* mask) {
  if (const RealFunctions* r = real_now(); r != nullptr && r->sched_getaffinity != nullptr)
    return r->sched_getaffinity(pid, size, mask);
  // The system call with glibc's conventions: 0 on success, the tail zeroed.
  long n = cgview_kernel_affinity_call(SYS_sched_getaffinity, pid, size, mask);
  if (n < 0) {
    errno = int(-n);
    return -1;
  }
  if (size_t(n) < size) std::memset(reinterpret_cast<char*>(mask) + n, 0, size - size_t(n));
  return 0;
}

long real_sysconf(int name) {
  if (const RealFunctions* r = real_now(); r != nullptr && r->sysconf != nullptr) return r->sysconf(name);
  return glibc_sysconf(name);
}

}  // namespace

CGVIEW_EXPORT int cgview_sched_getaffinity(pid_t pid, size_t size, cpu_set_t* mask) {
  int result = real_sched_getaffinity(pid, size, mask);
  if (result == 0 && own_task(pid)) narrow_to_view(size, mask);
  return result;
}

CGVIEW_EXPORT int cgview_pthread_getaffinity_np(pthread_t thread, size_t size, cpu_set_t* mask) {
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->pthread_getaffinity_np == nullptr) return ENOSYS;
  int result = r->pthread_getaffinity_np(thread, size, mask);
  if (result == 0) narrow_to_view(size, mask);  // a pthread_t is always one of ours
  return result;
}

// Under glibc's version names where the port has two ABIs, unversioned where it
// has one (cmake/GlibcVersions.cmake says why).
#if CGVIEW_OLD_AFFINITY_ABI
// The GLIBC_2.3.3 versions took no size: the mask was a 128-byte cpu_set_t.
CGVIEW_EXPORT int cgview_sched_getaffinity_old(pid_t pid, cpu_set_t* mask) {
  return cgview_sched_getaffinity(pid, sizeof(cpu_set_t), mask);
}
CGVIEW_EXPORT int cgview_pthread_getaffinity_np_old(pthread_t thread, cpu_set_t* mask) {
  return cgview_pthread_getaffinity_np(thread, sizeof(cpu_set_t), mask);
}
// GLIBC_2.3.4 (libpthread's, before 2.32) takes the same arguments as GLIBC_2.32.
CGVIEW_EXPORT int cgview_pthread_getaffinity_np_2_3_4(pthread_t thread, size_t size, cpu_set_t* mask) {
  return cgview_pthread_getaffinity_np(thread, size, mask);
}

__asm__(".symver cgview_sched_getaffinity,sched_getaffinity@@GLIBC_2.3.4");
__asm__(".symver cgview_sched_getaffinity_old,sched_getaffinity@GLIBC_2.3.3");
__asm__(".symver cgview_pthread_getaffinity_np,pthread_getaffinity_np@@GLIBC_2.32");
__asm__(".symver cgview_pthread_getaffinity_np_2_3_4,pthread_getaffinity_np@GLIBC_2.3.4");
__asm__(".symver cgview_pthread_getaffinity_np_old,pthread_getaffinity_np@GLIBC_2.3.3");
#else
CGVIEW_EXPORT int sched_getaffinity(pid_t pid, size_t size, cpu_set_t* mask) {
  return cgview_sched_getaffinity(pid, size, mask);
}
CGVIEW_EXPORT int pthread_getaffinity_np(pthread_t thread, size_t size, cpu_set_t* mask) {
  return cgview_pthread_getaffinity_np(thread, size, mask);
}
#endif

CGVIEW_EXPORT long sysconf(int name) {
  switch (name) {
    case _SC_NPROCESSORS_ONLN: {
      unsigned n = 0;
      if (current_cpu_count(n)) return long(n);
      break;
    }
    case _SC_PHYS_PAGES:
    case _SC_AVPHYS_PAGES: {
      long pages = 0;
      if (memory_pages(name == _SC_PHYS_PAGES ? MemoryPages::Total : MemoryPages::Free, pages)) return pages;
      break;
    }
    default: break;
  }
  return real_sysconf(name);
}

CGVIEW_EXPORT int get_nprocs() {
  unsigned n = 0;
  if (current_cpu_count(n)) return int(n);
  if (const RealFunctions* r = real_now(); r != nullptr && r->get_nprocs != nullptr) return r->get_nprocs();
  return int(glibc_sysconf(_SC_NPROCESSORS_ONLN));
}

CGVIEW_EXPORT int get_nprocs_conf() {
  if (const RealFunctions* r = real_now(); r != nullptr && r->get_nprocs_conf != nullptr) return r->get_nprocs_conf();
  return int(glibc_sysconf(_SC_NPROCESSORS_CONF));
}
