// The real implementations behind our interposers, found with dlsym(RTLD_NEXT)
// so other preloads after us stay in the chain (docs/design.md rule 5).
//
// Resolution is lazy and lock-free. dlsym may allocate, and an allocator that
// initialises itself may call sched_getaffinity or open, re-entering us: while
// resolution is under way, callers get nullptr and use a raw syscall instead.
#pragma once

#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/types.h>

namespace cgview::shim {

struct RealFunctions {
  long (*sysconf)(int);
  int (*get_nprocs)();
  int (*get_nprocs_conf)();
  long (*get_phys_pages)();
  long (*get_avphys_pages)();
  int (*sched_getaffinity)(pid_t, size_t, cpu_set_t*);
  int (*pthread_getaffinity_np)(pthread_t, size_t, cpu_set_t*);
  int (*sched_setaffinity)(pid_t, size_t, const cpu_set_t*);
  int (*pthread_setaffinity_np)(pthread_t, size_t, const cpu_set_t*);
  int (*pthread_attr_setaffinity_np)(pthread_attr_t*, size_t, const cpu_set_t*);
  int (*pthread_attr_getaffinity_np)(const pthread_attr_t*, size_t, cpu_set_t*);
  int (*sysinfo)(struct sysinfo*);
  int (*open)(const char*, int, ...);
  int (*open64)(const char*, int, ...);
  int (*openat)(int, const char*, int, ...);
  int (*openat64)(int, const char*, int, ...);
  int (*open_2)(const char*, int);
  int (*open64_2)(const char*, int);
  int (*openat_2)(int, const char*, int);
  int (*openat64_2)(int, const char*, int);
  FILE* (*fopen)(const char*, const char*);
  FILE* (*fopen64)(const char*, const char*);
  FILE* (*freopen)(const char*, const char*, FILE*);
  FILE* (*freopen64)(const char*, const char*, FILE*);
  off_t (*lseek)(int, off_t, int);
  off64_t (*lseek64)(int, off64_t, int);
  void (*rewind)(FILE*);
  int (*fseek)(FILE*, long, int);
  int (*fseeko)(FILE*, off_t, int);
  int (*fseeko64)(FILE*, off64_t, int);
  int (*fsetpos)(FILE*, const fpos_t*);
  int (*fsetpos64)(FILE*, const fpos64_t*);
  int (*fstat)(int, struct stat*);
  int (*fstat64)(int, struct stat64*);
  int (*fxstat)(int, int, struct stat*);  // before glibc 2.33 what fstat called; a compat symbol since
  int (*fxstat64)(int, int, struct stat64*);
  int (*statx)(int, const char*, int, unsigned, struct statx*);
  pid_t (*fork)();
};

// glibc's own entry points, which the shim names itself (the rest it finds
// at run time). Weak references: musl's loader (an Alpine image that sets
// LD_PRELOAD) lacks them, and a strong reference would stop every program
// there from starting; under it they are null, and the shim passes through.
bool running_on_glibc();
long glibc_sysconf(int name);                          // __sysconf; -1, EINVAL, where there is none
FILE* glibc_fopen(const char* path, const char* mode);  // _IO_fopen; null, ENOSYS, where there is none

// The table, or nullptr while it is being resolved (by this thread, re-entered,
// or by another one): callers with a raw-syscall fallback use that.
const RealFunctions* real_now();

// As real_now(), but waits for another thread's resolution to finish. Only a
// re-entered call from inside the resolution itself gets nullptr.
const RealFunctions* real_wait();

// In a fork child: a lookup another thread of the parent had under way is
// not going on here (that thread is not in the child); the next call looks
// the functions up itself.
void forget_parents_resolution();

}  // namespace cgview::shim
