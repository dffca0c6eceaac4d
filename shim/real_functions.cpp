#include "real_functions.hpp"

#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "next_symbol.hpp"

// dlsym and dlvsym moved from libdl into libc in glibc 2.34 under a new version,
// GLIBC_2.34: a library that asks for that version stops every program from starting
// on an older glibc ("version `GLIBC_2.34' not found (required by libcgview.so)"), and
// legacy images are where older glibcs are. So the shim names the functions' first
// version on this port (GLIBC_2.2.5 on x86-64, GLIBC_2.17 on aarch64; CMake finds it),
// which glibc 2.34 and later keep in libc as an alias and earlier ones have in libdl;
// and weakly, since before 2.34 a program that does not link libdl has no dlsym at all
// (then next_symbol finds what it would have).
extern "C" void* cgview_first_dlsym(void* handle, const char* name) __attribute__((weak));
extern "C" void* cgview_first_dlvsym(void* handle, const char* name, const char* version) __attribute__((weak));
__asm__(".symver cgview_first_dlsym,dlsym@" CGVIEW_GLIBC_FIRST_VERSION);
__asm__(".symver cgview_first_dlvsym,dlvsym@" CGVIEW_GLIBC_FIRST_VERSION);

namespace cgview::shim {

namespace {

enum State : int { kUnresolved, kResolving, kResolved };

constinit RealFunctions g_real{};
std::atomic<int> g_state{kUnresolved};
std::atomic<pid_t> g_resolver{0};      // thread resolving
std::atomic<pid_t> g_resolver_pid{0};  // its process: a fork child inherits a stale kResolving

void* next_definition(const char* name, const char* version) {
  if (cgview_first_dlsym == nullptr || cgview_first_dlvsym == nullptr) return next_symbol(name, version);
  return version != nullptr ? cgview_first_dlvsym(RTLD_NEXT, name, version) : cgview_first_dlsym(RTLD_NEXT, name);
}

template <typename F>
void find(F& slot, const char* name, const char* version = nullptr) {
  slot = reinterpret_cast<F>(next_definition(name, version));
}

// The first of these versions this glibc has, else the default version.
template <typename F>
void find_current(F& slot, const char* name, const char* newer, const char* older = nullptr) {
  find(slot, name, newer);
  if (slot == nullptr && older != nullptr) find(slot, name, older);
  if (slot == nullptr) find(slot, name);
}

void resolve_all() {
  RealFunctions& r = g_real;
  find(r.sysconf, "sysconf");
  find(r.get_nprocs, "get_nprocs");
  find(r.get_nprocs_conf, "get_nprocs_conf");
  find(r.get_phys_pages, "get_phys_pages");
  find(r.get_avphys_pages, "get_avphys_pages");
  // The affinity calls' current ABI (with a size) by name where a port also has the
  // first one (GLIBC_2.3.3, no size); ports born later have one version, the default.
  find_current(r.sched_getaffinity, "sched_getaffinity", "GLIBC_2.3.4");
  find_current(r.pthread_getaffinity_np, "pthread_getaffinity_np", "GLIBC_2.32", "GLIBC_2.3.4");
  find_current(r.sched_setaffinity, "sched_setaffinity", "GLIBC_2.3.4");
  find_current(r.pthread_setaffinity_np, "pthread_setaffinity_np", "GLIBC_2.34", "GLIBC_2.3.4");
  find(r.sysinfo, "sysinfo");
  find(r.open, "open");
  find(r.open64, "open64");
  find(r.openat, "openat");
  find(r.openat64, "openat64");
  find(r.open_2, "__open_2");
  find(r.open64_2, "__open64_2");
  find(r.openat_2, "__openat_2");
  find(r.openat64_2, "__openat64_2");
  find(r.fopen, "fopen");
  find(r.fopen64, "fopen64");
  find(r.freopen, "freopen");
  find(r.freopen64, "freopen64");
  find(r.lseek, "lseek");
  find(r.lseek64, "lseek64");
  find(r.rewind, "rewind");
  find(r.fseek, "fseek");
  find(r.fseeko, "fseeko");
  find(r.fseeko64, "fseeko64");
  find(r.fsetpos, "fsetpos");
  find(r.fsetpos64, "fsetpos64");
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
