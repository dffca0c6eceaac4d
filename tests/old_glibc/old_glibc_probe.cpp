// Preloaded after libcgview.so into a program of the Debian 11 root (glibc 2.31) by
// old_glibc.py. Its constructor
//   - calls the entry points whose real function the shim cannot replace with a system
//     call (pthread_getaffinity_np, the pthread_attr_*affinity_np pair; rewind, fseek,
//     fsetpos and freopen of a served file)
//     and prints what they gave: with libdl absent they reach libc through the shim's own
//     lookup (shim/next_symbol.cpp), which the other programs' checks could not tell from
//     the shim's system-call fallbacks;
//   - with CGVIEW_PROBE_COMPARE=1 (libdl preloaded too) compares that lookup, from here,
//     with dlsym and dlvsym(RTLD_NEXT) for every name and version the shim looks up.
// Built here on glibc 2.36, loaded there: every function it names is bound to a version
// 2.31 has (x86-64's names: the suite's root is amd64), and it links no C++ runtime.
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../shim/next_symbol.hpp"

extern "C" {
int old_pthread_getaffinity_np(pthread_t thread, size_t size, cpu_set_t* mask);
__asm__(".symver old_pthread_getaffinity_np,pthread_getaffinity_np@GLIBC_2.3.4");
int old_pthread_attr_setaffinity_np(pthread_attr_t* attr, size_t size, const cpu_set_t* mask);
__asm__(".symver old_pthread_attr_setaffinity_np,pthread_attr_setaffinity_np@GLIBC_2.3.4");
int old_pthread_attr_getaffinity_np(const pthread_attr_t* attr, size_t size, cpu_set_t* mask);
__asm__(".symver old_pthread_attr_getaffinity_np,pthread_attr_getaffinity_np@GLIBC_2.3.4");
// Weak: absent (null) where libdl is not loaded.
void* old_dlsym(void* handle, const char* name) __attribute__((weak));
void* old_dlvsym(void* handle, const char* name, const char* version) __attribute__((weak));
__asm__(".symver old_dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver old_dlvsym,dlvsym@GLIBC_2.2.5");
}

namespace {

// The first line of the file as the stream reads it now, blanks squeezed.
void print_first_line(const char* key, FILE* f) {
  char line[256] = "";
  if (f == nullptr || fgets(line, sizeof line, f) == nullptr) {
    printf("%s=(nothing)\n", key);
    return;
  }
  char squeezed[256];
  size_t n = 0;
  for (const char* p = line; *p != '\0' && *p != '\n' && n + 1 < sizeof squeezed; ++p)
    if (*p != ' ' || (n > 0 && squeezed[n - 1] != ' ')) squeezed[n++] = *p;
  squeezed[n] = '\0';
  printf("%s=%s\n", key, squeezed);
}

void call_entry_points() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int rc = old_pthread_getaffinity_np(pthread_self(), sizeof set, &set);
  printf("pthread_getaffinity_rc=%d\npthread_getaffinity_count=%d\n", rc, CPU_COUNT(&set));
  // The shown mask into thread attributes and back: the view again.
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  printf("attr_set_rc=%d\n", old_pthread_attr_setaffinity_np(&attr, sizeof set, &set));
  CPU_ZERO(&set);
  rc = old_pthread_attr_getaffinity_np(&attr, sizeof set, &set);
  printf("attr_get_rc=%d\nattr_get_count=%d\n", rc, CPU_COUNT(&set));
  pthread_attr_destroy(&attr);
  FILE* f = fopen("/proc/meminfo", "r");
  print_first_line("fopen", f);
  if (f == nullptr) return;
  rewind(f);
  print_first_line("rewind", f);
  printf("fseek_rc=%d\n", fseek(f, 0, SEEK_SET));
  print_first_line("fseek", f);
  fpos_t start;
  rewind(f);
  fgetpos(f, &start);
  print_first_line("before_fsetpos", f);
  printf("fsetpos_rc=%d\n", fsetpos(f, &start));
  print_first_line("fsetpos", f);
  f = freopen("/proc/meminfo", "r", f);
  print_first_line("freopen", f);
  if (f != nullptr) fclose(f);
}

struct Name {
  const char* name;
  const char* version;
};

// shim/real_functions.cpp's lookups, by name and by each version it asks for.
const Name kNames[] = {
    {"dlsym", nullptr}, {"dlvsym", nullptr}, {"sysconf", nullptr}, {"get_nprocs", nullptr},
    {"get_nprocs_conf", nullptr}, {"get_phys_pages", nullptr}, {"get_avphys_pages", nullptr},
    {"sched_getaffinity", nullptr}, {"sched_getaffinity", "GLIBC_2.3.4"}, {"sched_getaffinity", "GLIBC_2.3.3"},
    {"sched_setaffinity", nullptr}, {"sched_setaffinity", "GLIBC_2.3.4"}, {"sched_setaffinity", "GLIBC_2.3.3"},
    {"pthread_getaffinity_np", nullptr}, {"pthread_getaffinity_np", "GLIBC_2.32"},
    {"pthread_getaffinity_np", "GLIBC_2.3.4"}, {"pthread_getaffinity_np", "GLIBC_2.3.3"},
    {"pthread_setaffinity_np", nullptr}, {"pthread_setaffinity_np", "GLIBC_2.34"},
    {"pthread_setaffinity_np", "GLIBC_2.3.4"}, {"pthread_setaffinity_np", "GLIBC_2.3.3"},
    {"pthread_attr_setaffinity_np", nullptr}, {"pthread_attr_setaffinity_np", "GLIBC_2.32"},
    {"pthread_attr_setaffinity_np", "GLIBC_2.3.4"}, {"pthread_attr_getaffinity_np", nullptr},
    {"pthread_attr_getaffinity_np", "GLIBC_2.34"}, {"pthread_attr_getaffinity_np", "GLIBC_2.3.4"},
    {"sysinfo", nullptr}, {"open", nullptr}, {"open64", nullptr}, {"openat", nullptr}, {"openat64", nullptr},
    {"__open_2", nullptr}, {"__open64_2", nullptr}, {"__openat_2", nullptr}, {"__openat64_2", nullptr},
    {"fopen", nullptr}, {"fopen64", nullptr}, {"freopen", nullptr}, {"freopen64", nullptr}, {"lseek", nullptr},
    {"lseek64", nullptr}, {"rewind", nullptr}, {"fseek", nullptr}, {"fseeko", nullptr}, {"fseeko64", nullptr},
    {"fsetpos", nullptr}, {"fsetpos64", nullptr}, {"fstat", nullptr}, {"fstat64", nullptr}, {"__fxstat", nullptr},
    {"__fxstat", "GLIBC_2.2.5"}, {"__fxstat64", nullptr}, {"__fxstat64", "GLIBC_2.2.5"}, {"statx", nullptr}};

void compare_with_dlsym() {
  if (old_dlsym == nullptr || old_dlvsym == nullptr) {
    printf("compared=0 (no libdl in the process)\n");
    return;
  }
  int compared = 0, differ = 0, found = 0;
  for (const Name& n : kNames) {
    void* ours = cgview::shim::next_symbol(n.name, n.version);
    void* theirs = n.version != nullptr ? old_dlvsym(RTLD_NEXT, n.name, n.version) : old_dlsym(RTLD_NEXT, n.name);
    __asm__ volatile("" : : "r"(theirs) : "memory");  // no tail call: RTLD_NEXT counts from here
    ++compared;
    if (theirs != nullptr) ++found;
    if (ours != theirs) {
      ++differ;
      printf("differs=%s@%s next_symbol %p dlsym %p\n", n.name, n.version ? n.version : "default", ours, theirs);
    }
  }
  printf("compared=%d\nfound=%d\ndiffer=%d\n", compared, found, differ);
}

__attribute__((constructor)) void run() {
  call_entry_points();
  const char* compare = getenv("CGVIEW_PROBE_COMPARE");
  if (compare != nullptr && strcmp(compare, "1") == 0) compare_with_dlsym();
  fflush(stdout);
}

}  // namespace
