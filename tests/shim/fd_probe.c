/* cgview_fd_probe: does any fd of the shim's outlive a call? fd_test.cpp runs
 * it with libcgview.so preloaded inside a real cgroup (so every answer reads
 * the cgroup's files and the served files are rendered) and checks its
 * "key=value" lines.
 *
 * It lists /proc/self/fd (number and target of each fd) before any call, then
 *   1. calls every entry point once, alone, listing again after each call
 *      (first_changed= names the first call after which the set differed);
 *   2. runs THREADS threads of ROUNDS rounds of every entry point, while a
 *      timer signal calls them from handlers, the main thread forks children
 *      (each lists its own fds before and after its calls: children_same=)
 *      and vfork children make calls before they _exit;
 * and lists once more when all is done (same=1: the very set it began with).
 * The differences are printed as extra= and missing= ("fd:target,...").
 *
 * usage: cgview_fd_probe THREADS ROUNDS CHILDREN */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel_affinity.h"
#include "probe_io.h"

/* The fortified entry points a -D_FORTIFY_SOURCE build binds to. */
int __open_2(const char* path, int flags);
int __open64_2(const char* path, int flags);
int __openat_2(int dirfd, const char* path, int flags);
int __openat64_2(int dirfd, const char* path, int flags);

/* --- listing fds ------------------------------------------------------------ */

#define MAX_FDS 512
struct fd_entry {
  int fd;
  char target[120];
};
struct fd_set_list {
  int count;
  int overflow;
  struct fd_entry e[MAX_FDS];
};

static int by_fd(const void* a, const void* b) {
  return ((const struct fd_entry*)a)->fd - ((const struct fd_entry*)b)->fd;
}

/* Raw getdents64 into a stack buffer: no heap, so fork children of a
 * threaded process can list too. The directory's own fd is left out. */
static int list_fds(struct fd_set_list* out) {
  out->count = 0;
  out->overflow = 0;
  int dir = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  char buf[8192];
  long n;
  while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
    for (long at = 0; at < n;) {
      unsigned short reclen = *(unsigned short*)(buf + at + 16);
      const char* name = buf + at + 19;
      at += reclen;
      if (name[0] < '0' || name[0] > '9') continue;
      int fd = atoi(name);
      if (fd == dir) continue;
      if (out->count == MAX_FDS) {
        out->overflow = 1;
        continue;
      }
      struct fd_entry* e = &out->e[out->count++];
      e->fd = fd;
      char link[64];
      snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
      ssize_t len = readlink(link, e->target, sizeof e->target - 1);
      e->target[len > 0 ? len : 0] = '\0';
    }
  }
  close(dir);
  qsort(out->e, (size_t)out->count, sizeof out->e[0], by_fd);
  return n < 0 ? -1 : 0;
}

static int same_set(const struct fd_set_list* a, const struct fd_set_list* b) {
  if (a->count != b->count || a->overflow || b->overflow) return 0;
  for (int i = 0; i < a->count; ++i)
    if (a->e[i].fd != b->e[i].fd || strcmp(a->e[i].target, b->e[i].target) != 0) return 0;
  return 1;
}

/* "fd:target,..." of the entries of `a` that `b` lacks. */
static void print_difference(const char* key, const struct fd_set_list* a, const struct fd_set_list* b) {
  printf("%s=", key);
  int first = 1;
  for (int i = 0; i < a->count; ++i) {
    int found = 0;
    for (int j = 0; j < b->count && !found; ++j)
      found = a->e[i].fd == b->e[j].fd && strcmp(a->e[i].target, b->e[j].target) == 0;
    if (found) continue;
    printf("%s%d:%s", first ? "" : ",", a->e[i].fd, a->e[i].target);
    first = 0;
  }
  printf("\n");
}

/* --- every entry point --------------------------------------------------------- */

/* The files the shim serves, and neighbours it may serve in other builds
 * (each passes through where it is not served). */
static const char* const kPaths[] = {
    "/proc/meminfo",        "/proc/stat",          "/proc/cpuinfo",
    "/sys/devices/system/cpu/online", "/sys/devices/system/cpu/possible",
    "/sys/devices/system/cpu/cpu0/topology/core_id", "/proc/self/status",
    "/proc/swaps",          "/proc/diskstats",     "/proc/pressure/cpu",
    "/proc/pressure/memory", "/proc/uptime",       "/proc/loadavg",
    "/sys/devices/system/node/node0/cpulist", "/sys/devices/system/node/node0/meminfo",
    "/sys/devices/system/node/has_cpu",
};
#define NPATHS (sizeof kPaths / sizeof kPaths[0])

static void drain(int fd) {
  char buf[4096];
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

/* Open, read to the end, rewind with lseek and read again, pread at 0. */
static void use_fd(int fd) {
  if (fd < 0) return;
  char buf[512];
  drain(fd);
  lseek(fd, 0, SEEK_SET);
  drain(fd);
  lseek64(fd, 0, SEEK_SET);
  if (pread(fd, buf, sizeof buf, 0) < 0) buf[0] = 0;
  close(fd);
}

static void use_stream(FILE* f) {
  if (f == NULL) return;
  char buf[512];
  fpos_t start;
  int have_pos = fgetpos(f, &start) == 0;
  while (fgets(buf, sizeof buf, f)) {
  }
  rewind(f);
  while (fread(buf, 1, sizeof buf, f) > 0) {
  }
  fseek(f, 0, SEEK_SET);
  fseeko(f, 0, SEEK_SET);
  fseeko64(f, 0, SEEK_SET);
  if (have_pos) fsetpos(f, &start);
  fpos64_t start64;
  if (fgetpos64(f, &start64) == 0) fsetpos64(f, &start64);
  fclose(f);
}

/* sched_getaffinity's old ABI (GLIBC_2.3.3: pid and a 128-byte mask), which
 * programs built against old glibc bind to; resolved in main, before any
 * thread or handler runs. */
static int (*g_getaffinity_old)(pid_t, cpu_set_t*);

/* The answers that read no file a program could see: sysconf and friends. */
static void numbers(void) {
  volatile long sink = 0;
  sink += sysconf(_SC_NPROCESSORS_ONLN);
  sink += sysconf(_SC_NPROCESSORS_CONF);
  sink += sysconf(_SC_PHYS_PAGES);
  sink += sysconf(_SC_AVPHYS_PAGES);
  sink += get_nprocs() + get_nprocs_conf();
  sink += get_phys_pages() + get_avphys_pages();
  cpu_set_t mask;
  sink += sched_getaffinity(0, sizeof mask, &mask);
  sink += pthread_getaffinity_np(pthread_self(), sizeof mask, &mask);
  if (g_getaffinity_old) sink += g_getaffinity_old(0, &mask);
  /* Setting the real mask again (the kernel's: the shim's is the view's) keeps
   * the affinity as it is, whatever the shim does with the call. */
  if (kernel_getaffinity(0, sizeof mask, &mask) > 0) {
    sink += sched_setaffinity(0, sizeof mask, &mask);
    sink += pthread_setaffinity_np(pthread_self(), sizeof mask, &mask);
    sink += syscall(SYS_sched_setaffinity, 0, sizeof mask, &mask);
  }
  sink += syscall(SYS_sched_getaffinity, 0, sizeof mask, &mask);
  struct sysinfo info;
  sink += sysinfo(&info);
  (void)sink;
}

/* Each way of opening one served path. Returns after everything is closed. */
static void open_every_way(const char* path, int proc_dir) {
  use_fd(open(path, O_RDONLY));
  use_fd(open64(path, O_RDONLY | O_CLOEXEC));
  use_fd(openat(AT_FDCWD, path, O_RDONLY));
  use_fd(openat64(AT_FDCWD, path, O_RDONLY));
  use_fd(__open_2(path, O_RDONLY));
  use_fd(__open64_2(path, O_RDONLY));
  use_fd(__openat_2(AT_FDCWD, path, O_RDONLY));
  use_fd(__openat64_2(AT_FDCWD, path, O_RDONLY));
  if (proc_dir >= 0 && strncmp(path, "/proc/", 6) == 0) use_fd(openat(proc_dir, path + 6, O_RDONLY));
  use_stream(fopen(path, "r"));
  use_stream(fopen64(path, "re"));
  FILE* f = fopen("/dev/null", "r");
  if (f) use_stream(freopen(path, "r", f));
  f = fopen("/dev/null", "r");
  if (f) use_stream(freopen64(path, "r", f));
}

/* Everything once. Only open/read/close and the numbers: safe in handlers. */
static void light_round(void) {
  numbers();
  for (size_t i = 0; i < 4; ++i) use_fd(open(kPaths[i], O_RDONLY));
}

static void full_round(int proc_dir) {
  numbers();
  for (size_t i = 0; i < NPATHS; ++i) open_every_way(kPaths[i], proc_dir);
}

/* --- phase 1: one call at a time ---------------------------------------------- */

static const char* g_first_changed = NULL;
static struct fd_set_list g_before, g_now;

static void check_after(const char* what) {
  if (g_first_changed != NULL) return;
  if (list_fds(&g_now) != 0 || !same_set(&g_before, &g_now)) g_first_changed = what;
}

static void one_call_at_a_time(int proc_dir) {
  char buf[512];
  cpu_set_t mask;
  struct sysinfo info;
  sysconf(_SC_NPROCESSORS_ONLN);
  check_after("sysconf(_SC_NPROCESSORS_ONLN)");
  sysconf(_SC_PHYS_PAGES);
  check_after("sysconf(_SC_PHYS_PAGES)");
  sysconf(_SC_AVPHYS_PAGES);
  check_after("sysconf(_SC_AVPHYS_PAGES)");
  get_nprocs();
  check_after("get_nprocs");
  get_phys_pages();
  check_after("get_phys_pages");
  sched_getaffinity(0, sizeof mask, &mask);
  check_after("sched_getaffinity");
  pthread_getaffinity_np(pthread_self(), sizeof mask, &mask);
  check_after("pthread_getaffinity_np");
  sysinfo(&info);
  check_after("sysinfo");
  for (size_t i = 0; i < NPATHS; ++i) {
    int fd = open(kPaths[i], O_RDONLY);
    if (fd >= 0) {
      drain(fd);
      lseek(fd, 0, SEEK_SET); /* a rewind renders again: nothing may stay behind */
      drain(fd);
      if (pread(fd, buf, sizeof buf, 0) < 0) buf[0] = 0;
      close(fd);
    }
    check_after(kPaths[i]);
    open_every_way(kPaths[i], proc_dir);
    check_after(kPaths[i]);
  }
  numbers();
  check_after("numbers");
}

/* --- phase 2: threads, signal handlers, forks --------------------------------- */

static int g_rounds, g_proc_dir = -1;
static atomic_long g_calls, g_signals;

static void* worker(void* arg) {
  (void)arg;
  for (int r = 0; r < g_rounds; ++r) {
    if (r % 4 == 0) full_round(g_proc_dir);
    else light_round();
    atomic_fetch_add(&g_calls, 1);
  }
  return NULL;
}

static void on_timer(int sig) {
  (void)sig;
  int saved = errno;
  light_round();
  atomic_fetch_add(&g_signals, 1);
  errno = saved;
}

/* A fork child: its own fds before and after its calls. Exit 0 = the same. */
static void child_body(void) {
  static struct fd_set_list before, after;
  if (list_fds(&before) != 0) _exit(3);
  full_round(g_proc_dir);
  for (int i = 0; i < 20; ++i) light_round();
  if (list_fds(&after) != 0) _exit(3);
  _exit(same_set(&before, &after) ? 0 : 1);
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 4) return fail("usage: cgview_fd_probe THREADS ROUNDS CHILDREN");
  int threads = atoi(argv[1]), children = atoi(argv[3]);
  g_rounds = atoi(argv[2]);
  if (threads < 1 || threads > 256) return fail("threads");

  /* A directory fd of the program's own, for openat relative to it: opened
   * raw, as no call of the shim's may come before the first listing. */
  g_proc_dir = (int)syscall(SYS_openat, AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  /* Before any call: the shim has not even read its configuration yet. */
  if (list_fds(&g_before) != 0) return fail("list");
  g_getaffinity_old = (int (*)(pid_t, cpu_set_t*))dlvsym(RTLD_DEFAULT, "sched_getaffinity", "GLIBC_2.3.3");
  printf("fds_before=%d\nold_abi_getaffinity=%d\n", g_before.count, g_getaffinity_old != NULL);
  one_call_at_a_time(g_proc_dir);
  printf("single_same=%d\n", g_first_changed == NULL);
  printf("first_changed=%s\n", g_first_changed ? g_first_changed : "none");
  char text[65536];
  int fd = open("/proc/meminfo", O_RDONLY);
  read_fd_all(fd, text, sizeof text);
  close(fd);
  /* Whether the view was served (the test knows the cgroup's limits). */
  printf("cpus=%ld\nmeminfo_total_kb=%ld\n", sysconf(_SC_NPROCESSORS_ONLN), meminfo_kb(text, "MemTotal"));

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_timer;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval every_ms = {{0, 2000}, {0, 2000}};
  setitimer(ITIMER_REAL, &every_ms, NULL);

  pthread_t t[256];
  for (int i = 0; i < threads; ++i)
    if (pthread_create(&t[i], NULL, worker, NULL) != 0) return fail("pthread_create");
  int same_children = 0, vfork_ok = 0;
  for (int i = 0; i < children; ++i) {
    pid_t pid = fork();
    if (pid == 0) child_body();
    if (pid < 0) return fail("fork");
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    same_children += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    /* A vfork child shares this process's memory and fd table until _exit. */
    pid = vfork();
    if (pid == 0) {
      light_round();
      _exit(0);
    }
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    vfork_ok += pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  for (int i = 0; i < threads; ++i) pthread_join(t[i], NULL);
  struct itimerval stop = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &stop, NULL);
  signal(SIGALRM, SIG_IGN);

  if (list_fds(&g_now) != 0) return fail("list");
  int same = same_set(&g_before, &g_now);
  printf("rounds=%ld\nsignals=%ld\n", atomic_load(&g_calls), atomic_load(&g_signals));
  printf("children=%d\nchildren_same=%d\nvforks_ok=%d\n", children, same_children, vfork_ok);
  printf("same=%d\n", same);
  print_difference("extra", &g_now, &g_before);
  print_difference("missing", &g_before, &g_now);
  int lowest_extra = -1, extras = 0;
  for (int i = 0; i < g_now.count; ++i) {
    int found = 0;
    for (int j = 0; j < g_before.count && !found; ++j) found = g_now.e[i].fd == g_before.e[j].fd;
    if (found) continue;
    ++extras;
    if (lowest_extra < 0) lowest_extra = g_now.e[i].fd;
  }
  printf("extra_count=%d\nlowest_extra_fd=%d\n", extras, lowest_extra);
  close(g_proc_dir);
  return 0;
}
