/* A malloc in the manner of jemalloc: preloaded before libcgview.so, it asks for
 * the CPU affinity and reads /proc/sys/vm/overcommit_memory while it initialises
 * (to size its arenas, to choose how to return memory), and cannot be re-entered
 * meanwhile (jemalloc holds a lock there: a malloc from inside waits for ever).
 * The shim's first resolution runs inside one of those calls, so it must not
 * allocate: a dlsym/dlvsym that fails builds its error message with malloc. Here
 * a re-entry aborts with a message rather than hang.
 * Built against nothing newer than GLIBC_2.3.4 (it also runs in the Debian 11
 * root of tests/old_glibc). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);

static __thread int initialising;
static volatile int initialised;

static void initialise(void) {
  if (initialised) return;
  if (initialising) {
    static const char message[] = "init_malloc_preload: the allocator re-entered while it initialised\n";
    (void)!write(2, message, sizeof message - 1);
    abort();
  }
  initialising = 1;
  int fd = open("/proc/sys/vm/overcommit_memory", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) close(fd);
  cpu_set_t cpus;
  sched_getaffinity(0, sizeof cpus, &cpus);
  initialising = 0;
  initialised = 1;
}

void* malloc(size_t n) {
  initialise();
  return __libc_malloc(n);
}

void* calloc(size_t n, size_t size) {
  initialise();
  return __libc_calloc(n, size);
}

void* realloc(void* p, size_t n) {
  initialise();
  return __libc_realloc(p, n);
}

void* memalign(size_t alignment, size_t n) {
  initialise();
  return __libc_memalign(alignment, n);
}

void* aligned_alloc(size_t alignment, size_t n) { return memalign(alignment, n); }

int posix_memalign(void** out, size_t alignment, size_t n) {
  void* p = memalign(alignment, n);
  if (p == NULL) return 12; /* ENOMEM */
  *out = p;
  return 0;
}
