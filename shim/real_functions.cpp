#include "real_functions.hpp"

#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <initializer_list>

#include "next_symbol.hpp"

// Weak (real_functions.hpp): null under a libc that is not glibc.
#pragma weak gnu_get_libc_version
#pragma weak __sysconf
extern "C" FILE* _IO_fopen(const char* path, const char* mode) __attribute__((weak));

namespace cgview::shim {

namespace {
constinit std::atomic<int> g_libc{0};  // 0 not yet asked, 1 glibc, 2 another libc
}  // namespace

// Asked of the loaded objects (next_symbol: no allocation, no lock) on first
// use, not by testing the weak symbols' addresses: an address taken makes
// ld.so look the three names up at every program's start (2,000 instructions
// more under callgrind), where a call through the PLT binds lazily.
bool running_on_glibc() {
  int known = g_libc.load(std::memory_order_relaxed);
  if (known == 0) {
    known = loaded_symbol("gnu_get_libc_version") != nullptr ? 1 : 2;
    g_libc.store(known, std::memory_order_relaxed);
  }
  return known == 1;
}

long glibc_sysconf(int name) {
  if (running_on_glibc()) return __sysconf(name);
  errno = EINVAL;
  return -1;
}

FILE* glibc_fopen(const char* path, const char* mode) {
  if (running_on_glibc()) return _IO_fopen(path, mode);
  errno = ENOSYS;
  return nullptr;
}

namespace {

enum State : int { kUnresolved, kResolving, kResolved };

constinit RealFunctions g_real{};
std::atomic<int> g_state{kUnresolved};
std::atomic<pid_t> g_resolver{0};      // thread resolving
std::atomic<pid_t> g_resolver_pid{0};  // its process: a fork child inherits a stale kResolving

// dlsym and dlvsym themselves are found as the functions after ours are, not named
// in the library: glibc 2.34 moved them into libc under a new symbol version, and a
// library that asks for it stops every program of an older image from starting
// ("version `GLIBC_2.34' not found (required by libcgview.so)"); before 2.34 they
// live in libdl, which a program that does not link it never loads. Where a process
// has none, next_symbol answers what dlsym(RTLD_NEXT) would have.
//
// The first resolution must not allocate: it can run inside an allocator's own
// initialisation (jemalloc asks for the affinity and reads a /proc file there, holding
// its lock), which a malloc from inside would wait for for ever. Before 2.34, dlsym
// allocates its error state (calloc) on its first use in each thread, found or not;
// in every glibc a lookup that fails builds its message with malloc. So dlsym is used
// only from 2.34 on (gnu_get_libc_version: a symbol version would not tell, as an
// object without versions answers any), and asked only for versions next_symbol has
// seen; before 2.34 next_symbol answers alone, as it does without libdl.
bool dlsym_allocates_nothing() {
  if (!running_on_glibc()) return false;  // next_symbol alone, as without libdl
  const char* v = gnu_get_libc_version();  // "2.36": a static string
  unsigned major = 0, minor = 0;
  for (; *v >= '0' && *v <= '9'; ++v) major = major * 10 + unsigned(*v - '0');
  if (*v == '.') ++v;
  for (; *v >= '0' && *v <= '9' && minor < 1000; ++v) minor = minor * 10 + unsigned(*v - '0');
  return major > 2 || (major == 2 && minor >= 34);
}

class Lookup {
 public:
  Lookup() {
    if (!dlsym_allocates_nothing()) return;
    dlsym_ = reinterpret_cast<decltype(dlsym_)>(next_symbol("dlsym", nullptr));
    dlvsym_ = reinterpret_cast<decltype(dlvsym_)>(next_symbol("dlvsym", nullptr));
  }

  template <typename F>
  void find(F& slot, const char* name, const char* version = nullptr) const {
    slot = reinterpret_cast<F>(address_of(name, version));
  }

  // The first of these versions this glibc has, else the default version.
  template <typename F>
  void find_current(F& slot, const char* name, const char* newer, const char* older = nullptr) const {
    for (const char* version : {newer, older}) {
      if (slot == nullptr && version != nullptr && next_symbol(name, version) != nullptr) find(slot, name, version);
    }
    // By name only where the name is there: a failed dlsym builds its message with malloc.
    if (slot == nullptr && next_symbol(name, nullptr) != nullptr) find(slot, name);
  }

 private:
  // Out of line: resolve_all asks 30-odd names, and the library's size has a budget.
  [[gnu::noinline]] void* address_of(const char* name, const char* version) const {
    return dlsym_ == nullptr || dlvsym_ == nullptr ? next_symbol(name, version)
           : version != nullptr                    ? dlvsym_(RTLD_NEXT, name, version)
                                                   : dlsym_(RTLD_NEXT, name);
  }

  void* (*dlsym_)(void*, const char*) = nullptr;
  void* (*dlvsym_)(void*, const char*, const char*) = nullptr;
};

// The version of __fxstat and __fxstat64 in this port's glibc: its first,
// and for __fxstat64 on the ports born before 2.2 the 2.2 one (its default;
// i386's 2.1 is an alias of it). Asked by version, as a compat symbol without
// a default would not be found by name. Ports born after 2.33 (loongarch64)
// never had them: nothing is found, and nothing calls them there.
#if defined(__x86_64__) && defined(__ILP32__)
#define CGVIEW_FXSTAT_VERSION "GLIBC_2.16"
#elif defined(__x86_64__)
#define CGVIEW_FXSTAT_VERSION "GLIBC_2.2.5"
#elif defined(__aarch64__) || (defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
#define CGVIEW_FXSTAT_VERSION "GLIBC_2.17"
#elif defined(__powerpc64__)
#define CGVIEW_FXSTAT_VERSION "GLIBC_2.3"
#elif defined(__arm__)
#define CGVIEW_FXSTAT_VERSION "GLIBC_2.4"
#elif defined(__s390x__)
#define CGVIEW_FXSTAT_VERSION "GLIBC_2.2"
#elif defined(__riscv)
#define CGVIEW_FXSTAT_VERSION "GLIBC_2.27"
#else  // i386, mips, 32-bit powerpc
#define CGVIEW_FXSTAT_VERSION "GLIBC_2.0"
#define CGVIEW_FXSTAT64_VERSION "GLIBC_2.2"
#endif
#ifndef CGVIEW_FXSTAT64_VERSION
#define CGVIEW_FXSTAT64_VERSION CGVIEW_FXSTAT_VERSION
#endif

void resolve_all() {
  const Lookup lookup;
  RealFunctions& r = g_real;
  lookup.find(r.sysconf, "sysconf");
  lookup.find(r.get_nprocs, "get_nprocs");
  lookup.find(r.get_nprocs_conf, "get_nprocs_conf");
  lookup.find(r.get_phys_pages, "get_phys_pages");
  lookup.find(r.get_avphys_pages, "get_avphys_pages");
  // The affinity calls' current ABI (with a size) by name where a port also has the
  // first one (GLIBC_2.3.3, no size); ports born later have one version, the default.
  lookup.find_current(r.sched_getaffinity, "sched_getaffinity", "GLIBC_2.3.4");
  lookup.find_current(r.pthread_getaffinity_np, "pthread_getaffinity_np", "GLIBC_2.32", "GLIBC_2.3.4");
  lookup.find_current(r.sched_setaffinity, "sched_setaffinity", "GLIBC_2.3.4");
  lookup.find_current(r.pthread_setaffinity_np, "pthread_setaffinity_np", "GLIBC_2.34", "GLIBC_2.3.4");
  lookup.find_current(r.pthread_attr_setaffinity_np, "pthread_attr_setaffinity_np", "GLIBC_2.32", "GLIBC_2.3.4");
  lookup.find_current(r.pthread_attr_getaffinity_np, "pthread_attr_getaffinity_np", "GLIBC_2.34", "GLIBC_2.3.4");
  lookup.find(r.sysinfo, "sysinfo");
  lookup.find(r.open, "open");
  lookup.find(r.open64, "open64");
  lookup.find(r.openat, "openat");
  lookup.find(r.openat64, "openat64");
  lookup.find(r.open_2, "__open_2");
  lookup.find(r.open64_2, "__open64_2");
  lookup.find(r.openat_2, "__openat_2");
  lookup.find(r.openat64_2, "__openat64_2");
  lookup.find(r.fopen, "fopen");
  lookup.find(r.fopen64, "fopen64");
  lookup.find(r.freopen, "freopen");
  lookup.find(r.freopen64, "freopen64");
  lookup.find(r.lseek, "lseek");
  lookup.find(r.lseek64, "lseek64");
  lookup.find(r.rewind, "rewind");
  lookup.find(r.fseek, "fseek");
  lookup.find(r.fseeko, "fseeko");
  lookup.find(r.fseeko64, "fseeko64");
  lookup.find(r.fsetpos, "fsetpos");
  lookup.find(r.fsetpos64, "fsetpos64");
  lookup.find(r.fstat, "fstat");
  lookup.find(r.fstat64, "fstat64");
  lookup.find_current(r.fxstat, "__fxstat", CGVIEW_FXSTAT_VERSION);
  lookup.find_current(r.fxstat64, "__fxstat64", CGVIEW_FXSTAT64_VERSION);
  lookup.find(r.statx, "statx");
  lookup.find(r.fork, "fork");
}

pid_t thread_id() { return pid_t(syscall(SYS_gettid)); }

}  // namespace

const RealFunctions* real_now() {
  int state = g_state.load(std::memory_order_acquire);
  if (state == kResolved) return &g_real;
  if (state == kResolving) return nullptr;
  int expected = kUnresolved;
  if (!g_state.compare_exchange_strong(expected, kResolving, std::memory_order_acq_rel)) return nullptr;
  g_resolver.store(thread_id(), std::memory_order_relaxed);
  g_resolver_pid.store(pid_t(syscall(SYS_getpid)), std::memory_order_relaxed);
  resolve_all();
  g_state.store(kResolved, std::memory_order_release);
  return &g_real;
}

void forget_parents_resolution() {
  if (g_state.load(std::memory_order_acquire) != kResolving) return;
  if (g_resolver_pid.load(std::memory_order_relaxed) == pid_t(syscall(SYS_getpid))) return;  // this thread's own
  int resolving = kResolving;
  g_state.compare_exchange_strong(resolving, kUnresolved, std::memory_order_acq_rel);
}

const RealFunctions* real_wait() {
  for (;;) {
    const RealFunctions* r = real_now();
    if (r != nullptr) return r;
    if (g_resolver.load(std::memory_order_relaxed) == thread_id()) return nullptr;  // re-entered
    if (g_resolver_pid.load(std::memory_order_relaxed) != pid_t(syscall(SYS_getpid))) {
      // Forked while another thread was resolving: that thread does not exist here.
      int resolving = kResolving;
      g_state.compare_exchange_strong(resolving, kUnresolved, std::memory_order_acq_rel);
      continue;
    }
    sched_yield();
  }
}

}  // namespace cgview::shim
