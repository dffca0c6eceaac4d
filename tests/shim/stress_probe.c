/* cgview_stress_probe: the faults, load and security probe. reliability_test.cpp
 * runs it with libcgview.so preloaded (directly, inside real cgroups, mount
 * namespaces, under seccomp filters, setuid, under strace) and checks its
 * "key=value" lines against values written there by hand.
 *
 * usage: cgview_stress_probe COMMAND [ARGS...]
 *   view                      every CPU and memory answer (masks up to 8192 CPUs)
 *   view-twice MS             view; "ready=1"; waits for a line on stdin; sleeps MS;
 *                             view again with keys prefixed "after_" (and a rewound fd)
 *   one-slot PATH [FILTER]    RLIMIT_NOFILE leaves exactly one free fd; opens PATH
 *   refused [FILTER]          reads the served files under FILTER (default both)
 *   load THREADS CALLS EVERY  THREADS threads x CALLS mixed calls, 1 in EVERY an open
 *   quick CPUS KB             exit 0 iff sysconf/affinity/meminfo say CPUS and KB
 *   fork-storm TOTAL WAVE     forks TOTAL children in waves while 4 threads ask
 *   readonly PATH [FILTER]    every way of writing to a served fd
 *   touch-nothing             every entry point once, for strace; writes only stdout
 *   ids                       real/effective ids, AT_SECURE, whether the shim is mapped
 *   lowest-fd-high PATH       with fds 3-199 taken and 150 closed again, open() of PATH:
 *                             which fd (above the shim's held-fd floor of 128)
 *   lowest-fd PATH            with fd 0 closed, open()/openat()/fopen() of PATH: which fd,
 *                             flags, and the flags after a rewind
 *   stdio-rewinds FILE V1 V2 V3  fgets from /proc/meminfo; writes Vn to FILE before each of
 *                             rewind, fseek and fsetpos; prints MemFree after each
 *   fsize BYTES               RLIMIT_FSIZE = BYTES, then /proc/meminfo's MemTotal
 *   pinned-first              a thread pinned to one CPU asks first; then the main thread
 *   quiet-debug               errno after each successful call, stderr a pipe nobody reads
 *   fork-mid-config           forks while another thread is inside the shim's first
 *                             secure_getenv (held there by this probe's own secure_getenv)
 *   abandoned-config          the first configuration read is left by siglongjmp from a
 *                             signal handler; then another thread and the main thread ask
 *   trapped-opens             a seccomp filter traps every openat (SIGSYS), whose handler
 *                             answers EPERM; then the first sysconf (a refresh of the view)
 *   vfork-child-moves PROCS...  after the view expired, a vfork child writes its pid to
 *                             each cgroup.procs file and asks before it leaves; then the
 *                             parent asks (child_kb, parent_before_kb, parent_after_kb)
 *   abandoned-refresh FILE BYTES  for 2 s a 100 us timer's handler jumps out of whatever
 *                             sysconf(_SC_PHYS_PAGES) is doing (refreshes of the view
 *                             among it); then writes BYTES to FILE (a memory limit) and
 *                             waits up to 3 s for the answer to follow
 *   held-inputs HOST_KB       reads /proc/meminfo and /proc/stat while closing every fd
 *                             above 2, dup2'ing its own file over fds 128-255, forking,
 *                             and 1,000 times: are the answers, its fds and the count right
 *
 * FILTER (seccomp, installed before the open): none | no-memfd (memfd_create
 * -> EPERM) | no-anon (memfd_create -> EPERM and O_TMPFILE opens -> EOPNOTSUPP)
 * | no-seal (fcntl F_ADD_SEALS -> EPERM). */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "kernel_affinity.h"
#include "probe_io.h"
#include "refuse_seals.h"

#define MASK_CPUS 8192

/* --- reading files -------------------------------------------------------- */

/* Counts the lines of fd starting with prefix (followed by a digit when
 * digit_after), streaming: /proc/cpuinfo of 4096 CPUs is several MiB. */
static long count_lines_fd(int fd, const char* prefix, int digit_after) {
  char buf[65536];
  char head[32];  /* the start of the current line */
  size_t head_len = 0, plen = strlen(prefix);
  int at_start = 1;
  long n = 0;
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < r; ++i) {
      char c = buf[i];
      if (at_start) head_len = 0;
      at_start = c == '\n';
      if (c == '\n') continue;
      if (head_len < sizeof head) head[head_len++] = c;
      if (head_len == plen + (digit_after ? 1 : 0) && memcmp(head, prefix, plen) == 0 &&
          (!digit_after || (head[plen] >= '0' && head[plen] <= '9')))
        ++n;
    }
  }
  return r < 0 ? -1 : n;
}

static long count_lines_path(const char* path, const char* prefix, int digit_after) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  long n = count_lines_fd(fd, prefix, digit_after);
  close(fd);
  return n;
}

static char big[1 << 16];

static long meminfo_total_path(void) {
  int fd = open("/proc/meminfo", O_RDONLY);
  if (fd < 0) return -1;
  read_fd_all(fd, big, sizeof big);
  close(fd);
  return meminfo_kb(big, "MemTotal");
}

static void read_online(char* out, size_t cap) {
  int fd = open("/sys/devices/system/cpu/online", O_RDONLY);
  out[0] = '\0';
  if (fd < 0) {
    snprintf(out, cap, "open-failed-%d", errno);
    return;
  }
  read_fd_all(fd, out, cap);
  close(fd);
  out[strcspn(out, "\n")] = '\0';
}

static int count_fds(void) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n - 1; /* the directory's own fd */
}

static long vm_rss_kb(void) {
  int fd = open("/proc/self/status", O_RDONLY);
  if (fd < 0) return -1;
  char buf[8192];
  read_fd_all(fd, buf, sizeof buf);
  close(fd);
  const char* p = strstr(buf, "VmRSS:");
  return p ? atol(p + 6) : -1;
}

/* --- the view ---------------------------------------------------------- */

static int affinity_count(size_t cpus) {
  cpu_set_t* set = CPU_ALLOC(cpus);
  size_t size = CPU_ALLOC_SIZE(cpus);
  int n = sched_getaffinity(0, size, set) == 0 ? CPU_COUNT_S(size, set) : -errno;
  CPU_FREE(set);
  return n;
}

static void print_view(const char* p) {
  printf("%ssysconf_onln=%ld\n", p, sysconf(_SC_NPROCESSORS_ONLN));
  printf("%sget_nprocs=%d\n", p, get_nprocs());
  printf("%saffinity_count=%d\n", p, affinity_count(MASK_CPUS));
  char online[65536];
  read_online(online, sizeof online);
  printf("%sonline=%s\n", p, online);
  printf("%scpuinfo_blocks=%ld\n", p, count_lines_path("/proc/cpuinfo", "processor", 0));
  printf("%sstat_cpu_lines=%ld\n", p, count_lines_path("/proc/stat", "cpu", 1));
  printf("%smeminfo_total_kb=%ld\n", p, meminfo_total_path());
  struct sysinfo info;
  if (sysinfo(&info) == 0)
    printf("%ssysinfo_totalram_kb=%llu\n", p, (unsigned long long)info.totalram * info.mem_unit / 1024);
  else
    printf("%ssysinfo_totalram_kb=error-%d\n", p, errno);
  printf("%sphys_pages_kb=%ld\n", p, sysconf(_SC_PHYS_PAGES) * (sysconf(_SC_PAGESIZE) / 1024));
}

static int cmd_view(void) {
  print_view("");
  return 0;
}

/* The cgroup-removal test: the parent moves us out and removes our cgroup
 * between the two views. The fd kept open across shows the rewind path. */
static int cmd_view_twice(int argc, char** argv) {
  if (argc < 3) return fail("usage: view-twice MS");
  int kept = open("/proc/meminfo", O_RDONLY);
  if (kept < 0) return fail("open");
  read_fd_all(kept, big, sizeof big);
  printf("kept_total_kb=%ld\n", meminfo_kb(big, "MemTotal"));
  print_view("");
  printf("ready=1\n");
  fflush(stdout);
  char line[16];
  if (!fgets(line, sizeof line, stdin)) return fail("stdin");
  usleep((useconds_t)atoi(argv[2]) * 1000);
  print_view("after_");
  if (lseek(kept, 0, SEEK_SET) != 0) return fail("lseek");
  read_fd_all(kept, big, sizeof big);
  printf("after_kept_total_kb=%ld\n", meminfo_kb(big, "MemTotal"));
  close(kept);
  return 0;
}

/* --- seccomp --------------------------------------------------------------- */

/* The kernel's O_TMPFILE bit alone: glibc's __O_TMPFILE includes O_DIRECTORY,
 * so testing it would refuse every opendir. */
#define TMPFILE_BIT 020000000
#ifdef SYS_open
#define PROBE_SYS_OPEN SYS_open
#else
#define PROBE_SYS_OPEN 0xffffffffu /* no open(2) on this architecture */
#endif

static int install_filter(const char* which) {
  if (which == NULL || strcmp(which, "none") == 0) return 0;
  if (strcmp(which, "no-seal") == 0) return refuse_seals();  /* memfds that cannot be sealed */
  int block_tmpfile = strcmp(which, "no-anon") == 0;
  if (!block_tmpfile && strcmp(which, "no-memfd") != 0) {
    errno = EINVAL;
    return -1;
  }
  /* memfd_create -> EPERM; with no-anon also openat(dirfd, path, flags)
   * (flags = args[2]) and open(path, flags) (args[1]) with the O_TMPFILE
   * bit -> EOPNOTSUPP. The low 32 bits of an argument hold the flags. */
  struct sock_filter filter[] = {
      /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_memfd_create, 0, 1),
      /* 2 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 2),
      /* 4 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
      /* 5 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, TMPFILE_BIT, 3, 4),
      /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROBE_SYS_OPEN, 0, 3),
      /* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
      /* 8 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, TMPFILE_BIT, 0, 1),
      /* 9 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EOPNOTSUPP & SECCOMP_RET_DATA)),
      /* 10 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  if (!block_tmpfile) filter[3] = filter[10]; /* allow everything else */
  struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* Whether the filter does what it says, tried with raw syscalls. */
static void print_filter_effect(void) {
  errno = 0;
  long fd = syscall(SYS_memfd_create, "x", 0);
  printf("memfd_refused=%d\n", fd < 0 && errno == EPERM);
  if (fd >= 0) close((int)fd);
  errno = 0;
  fd = syscall(SYS_openat, AT_FDCWD, "/tmp", O_TMPFILE | O_RDWR, 0600);
  printf("tmpfile_refused=%d\n", fd < 0 && errno == EOPNOTSUPP);
  if (fd >= 0) close((int)fd);
}

/* memfd_create and O_TMPFILE refused: every served path must give the real file. */
static int cmd_refused(int argc, char** argv) {
  if (install_filter(argc > 2 ? argv[2] : "no-anon") != 0) return fail("seccomp");
  print_filter_effect();
  int before = count_fds();
  print_view("");
  FILE* f = fopen("/proc/meminfo", "r");
  size_t n = f ? fread(big, 1, sizeof big - 1, f) : 0;
  big[n] = '\0';
  if (f) fclose(f);
  printf("fopen_total_kb=%ld\n", meminfo_kb(big, "MemTotal"));
  int fd = open("/proc/meminfo", O_RDONLY);
  read_fd_all(fd, big, sizeof big);
  lseek(fd, 0, SEEK_SET);
  read_fd_all(fd, big, sizeof big);
  close(fd);
  printf("rewound_total_kb=%ld\n", meminfo_kb(big, "MemTotal"));
  for (int i = 0; i < 200; ++i) {
    fd = open(i % 2 ? "/proc/meminfo" : "/proc/stat", O_RDONLY);
    if (fd < 0) return fail("open");
    close(fd);
  }
  printf("fd_delta=%d\n", count_fds() - before);
  return 0;
}

/* --- the fd limit ---------------------------------------------------------- */

/* Lowers RLIMIT_NOFILE and fills the table so that exactly one fd is free;
 * returns the number of fds opened to fill it (to close afterwards). */
static int free_slots(void) {
  int fds[64], n = 0;
  while (n < 64 && (fds[n] = open("/dev/null", O_RDONLY)) >= 0) ++n;
  for (int i = 0; i < n; ++i) close(fds[i]);
  return n;
}

static int cmd_one_slot(int argc, char** argv) {
  if (argc < 3) return fail("usage: one-slot PATH [FILTER]");
  const char* path = argv[2];
  if (install_filter(argc > 3 ? argv[3] : "none") != 0) return fail("seccomp");
  print_filter_effect();
  /* Fill the table, then set the limit to the count + 1. */
  int highest = -1;
  DIR* d = opendir("/proc/self/fd");
  if (!d) return fail("opendir");
  int dir_fd = dirfd(d);
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] != '.' && fd != dir_fd && fd > highest) highest = fd;
  }
  closedir(d);
  /* Make 0..highest contiguous so that "count + 1" leaves exactly one slot. */
  for (int fd = 0; fd < highest; ++fd)
    if (fcntl(fd, F_GETFD) < 0) dup2(highest, fd);
  struct rlimit lim = {(rlim_t)highest + 2, (rlim_t)highest + 2};
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) return fail("setrlimit");
  printf("free_before=%d\n", free_slots());

  errno = 12345;
  int fd = open(path, O_RDONLY);
  int saved = errno;
  printf("open_ok=%d\n", fd >= 0);
  printf("errno_kept=%d\n", fd >= 0 ? saved == 12345 : 0);
  printf("open_errno=%d\n", fd >= 0 ? 0 : saved);
  if (fd >= 0) {
    int fl = fcntl(fd, F_GETFL);
    printf("access=%s\n", (fl & O_ACCMODE) == O_RDONLY ? "rdonly" : (fl & O_ACCMODE) == O_RDWR ? "rdwr" : "wronly");
    printf("cloexec=%d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    read_fd_all(fd, big, sizeof big);
    if (strstr(path, "meminfo")) printf("content=%ld\n", meminfo_kb(big, "MemTotal"));
    else printf("content=%.*s\n", (int)strcspn(big, "\n"), big);
    errno = 0;
    ssize_t w = write(fd, "x", 1);
    printf("write=%zd errno=%d\n", w, w < 0 ? errno : 0);
    /* Rewinding at the limit: the re-render must not break or leak the fd. */
    lseek(fd, 0, SEEK_SET);
    read_fd_all(fd, big, sizeof big);
    if (strstr(path, "meminfo")) printf("rewound=%ld\n", meminfo_kb(big, "MemTotal"));
    else printf("rewound=%.*s\n", (int)strcspn(big, "\n"), big);
    close(fd);
  }
  printf("free_after=%d\n", free_slots());
  return 0;
}

/* --- load ------------------------------------------------------------------ */

struct expected {
  long cpus;
  long total_kb;
  long phys_pages;
  char online[256];
};
static struct expected g_expect;
static long g_calls, g_every;

static int check_file(int which, char* buf, size_t cap) {
  static const char* const paths[] = {"/proc/meminfo", "/sys/devices/system/cpu/online", "/proc/stat",
                                      "/proc/cpuinfo"};
  int fd = open(paths[which], O_RDONLY);
  if (fd < 0) return 0;
  int ok;
  if (which >= 2) {
    ok = count_lines_fd(fd, which == 2 ? "cpu" : "processor", which == 2) == g_expect.cpus;
  } else {
    read_fd_all(fd, buf, cap);
    if (which == 0) ok = meminfo_kb(buf, "MemTotal") == g_expect.total_kb;
    else ok = strncmp(buf, g_expect.online, strlen(g_expect.online)) == 0;
  }
  close(fd);
  return ok;
}

static void* load_thread(void* arg) {
  long seed = (long)(intptr_t)arg;
  long bad = 0;
  char buf[8192];
  size_t mask_size = CPU_ALLOC_SIZE(MASK_CPUS);
  cpu_set_t* mask = CPU_ALLOC(MASK_CPUS);
  for (long i = 0; i < g_calls; ++i) {
    long k = (i * 7 + seed) % 100;
    int ok;
    if (i % g_every == g_every - 1) {
      ok = check_file((int)((i / g_every + seed) % 4), buf, sizeof buf);
    } else if (k < 38) {
      ok = sysconf(_SC_NPROCESSORS_ONLN) == g_expect.cpus;
    } else if (k < 60) {
      ok = get_nprocs() == g_expect.cpus;
    } else if (k < 96) {
      ok = sched_getaffinity(0, mask_size, mask) == 0 && CPU_COUNT_S(mask_size, mask) == g_expect.cpus;
    } else if (k < 98) {
      /* The memory answers read usage fresh on every call (~20 us): kept rarer. */
      struct sysinfo info;
      ok = sysinfo(&info) == 0 && (long)((unsigned long long)info.totalram * info.mem_unit / 1024) == g_expect.total_kb;
    } else if (k < 99) {
      ok = sysconf(_SC_PHYS_PAGES) == g_expect.phys_pages;
    } else {
      ok = get_phys_pages() == g_expect.phys_pages;
    }
    bad += !ok;
  }
  CPU_FREE(mask);
  return (void*)(intptr_t)bad;
}

static long run_threads(int threads) {
  pthread_t t[256];
  long bad = 0;
  for (int i = 0; i < threads; ++i)
    if (pthread_create(&t[i], NULL, load_thread, (void*)(intptr_t)i) != 0) return -1;
  for (int i = 0; i < threads; ++i) {
    void* r;
    pthread_join(t[i], &r);
    bad += (long)(intptr_t)r;
  }
  return bad;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_load(int argc, char** argv) {
  if (argc < 5) return fail("usage: load THREADS CALLS EVERY");
  int threads = atoi(argv[2]);
  if (threads < 1 || threads > 256) return fail("threads");
  g_calls = atol(argv[3]);
  g_every = atol(argv[4]);
  if (g_every < 1) g_every = 1;
  g_expect.cpus = sysconf(_SC_NPROCESSORS_ONLN);
  g_expect.total_kb = meminfo_total_path();
  g_expect.phys_pages = sysconf(_SC_PHYS_PAGES);
  read_online(g_expect.online, sizeof g_expect.online);
  printf("expect_cpus=%ld\nexpect_total_kb=%ld\nexpect_online=%s\n", g_expect.cpus, g_expect.total_kb, g_expect.online);
  /* A warm-up round: thread stacks and the allocator's arenas reach their
   * steady size before the measurement. */
  long saved_calls = g_calls;
  g_calls = 2000;
  long warm_bad = run_threads(threads);
  g_calls = saved_calls;
  int fds_before = count_fds();
  long rss_before = vm_rss_kb();
  double start = now_s();
  long bad = run_threads(threads);
  double elapsed = now_s() - start;
  printf("bad=%ld\n", bad + warm_bad);
  printf("fds_before=%d\nfds_after=%d\n", fds_before, count_fds());
  printf("rss_before_kb=%ld\nrss_after_kb=%ld\n", rss_before, vm_rss_kb());
  printf("elapsed_ms=%ld\n", (long)(elapsed * 1000));
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  long user_ms = (long)usage.ru_utime.tv_sec * 1000 + (long)usage.ru_utime.tv_usec / 1000;
  long sys_ms = (long)usage.ru_stime.tv_sec * 1000 + (long)usage.ru_stime.tv_usec / 1000;
  printf("cpu_ms=%ld\nuser_ms=%ld\nsys_ms=%ld\n", user_ms + sys_ms, user_ms, sys_ms);
  printf("voluntary_switches=%ld\ninvoluntary_switches=%ld\n", usage.ru_nvcsw, usage.ru_nivcsw);
  return 0;
}

/* The 1,000-process test's child: its exit code says whether every answer was right. */
static int cmd_quick(int argc, char** argv) {
  if (argc < 4) return 2;
  long cpus = atol(argv[2]), kb = atol(argv[3]);
  if (sysconf(_SC_NPROCESSORS_ONLN) != cpus) return 3;
  if (affinity_count(1024) != cpus) return 4;
  if (meminfo_total_path() != kb) return 5;
  return 0;
}

/* Forks from a process whose threads keep asking (and refreshing the cache),
 * so children start with the cache in any state; each child asks at once. */
static volatile int g_stop;
static void* asker(void* arg) {
  (void)arg;
  char buf[8192];
  long bad = 0;
  while (!g_stop) {
    bad += sysconf(_SC_NPROCESSORS_ONLN) != g_expect.cpus;
    bad += !check_file(0, buf, sizeof buf);
    bad += !check_file(1, buf, sizeof buf);
  }
  return (void*)(intptr_t)bad;
}

static int cmd_fork_storm(int argc, char** argv) {
  if (argc < 4) return fail("usage: fork-storm TOTAL WAVE");
  int total = atoi(argv[2]), wave = atoi(argv[3]);
  g_expect.cpus = sysconf(_SC_NPROCESSORS_ONLN);
  g_expect.total_kb = meminfo_total_path();
  read_online(g_expect.online, sizeof g_expect.online);
  pthread_t t[4];
  for (int i = 0; i < 4; ++i) pthread_create(&t[i], NULL, asker, NULL);
  int failed = 0, started = 0;
  pid_t pids[1024];
  while (started < total) {
    int n = 0;
    for (; n < wave && started < total && n < 1024; ++n, ++started) {
      pid_t pid = fork();
      if (pid == 0) {
        char buf[8192];
        int ok = sysconf(_SC_NPROCESSORS_ONLN) == g_expect.cpus && affinity_count(1024) == g_expect.cpus &&
                 check_file(0, buf, sizeof buf) && check_file(1, buf, sizeof buf);
        _exit(ok ? 0 : 1);
      }
      if (pid < 0) return fail("fork");
      pids[n] = pid;
    }
    for (int i = 0; i < n; ++i) {
      int status = 0;
      waitpid(pids[i], &status, 0);
      failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
  }
  g_stop = 1;
  long bad = 0;
  for (int i = 0; i < 4; ++i) {
    void* r;
    pthread_join(t[i], &r);
    bad += (long)(intptr_t)r;
  }
  printf("children=%d\nchildren_failed=%d\nparent_bad=%ld\n", started, failed, bad);
  return 0;
}

/* --- security -------------------------------------------------------------- */

static int cmd_readonly(int argc, char** argv) {
  if (argc < 3) return fail("usage: readonly PATH [FILTER]");
  const char* filter = argc > 3 ? argv[3] : "none";
  if (install_filter(filter) != 0) return fail("seccomp");
  printf("filter=%s\n", filter);
  int fd = open(argv[2], O_RDONLY);
  if (fd < 0) return fail("open");
  int fl = fcntl(fd, F_GETFL);
  printf("access=%s\n", (fl & O_ACCMODE) == O_RDONLY ? "rdonly" : "writable");
  /* Each result and its errno, taken before printf can change errno. */
  errno = 0;
  ssize_t r = write(fd, "x", 1);
  printf("write=%zd errno=%d\n", r, r < 0 ? errno : 0);
  errno = 0;
  r = pwrite(fd, "x", 1, 0);
  printf("pwrite=%zd errno=%d\n", r, r < 0 ? errno : 0);
  errno = 0;
  int t = ftruncate(fd, 0);
  printf("ftruncate=%d errno=%d\n", t, t < 0 ? errno : 0);
  errno = 0;
  void* p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  printf("mmap_shared_write=%s\n", p == MAP_FAILED ? "failed" : "mapped");
  if (p != MAP_FAILED) munmap(p, 4096);
  /* A read-only shared mapping must not be upgradable to writable. */
  p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  if (p != MAP_FAILED) {
    printf("mprotect_write=%s\n", mprotect(p, 4096, PROT_READ | PROT_WRITE) == 0 ? "allowed" : "refused");
    munmap(p, 4096);
  } else {
    printf("mprotect_write=refused\n");
  }
  printf("fallocate=%s\n", fallocate(fd, 0, 0, 4096) == 0 ? "allowed" : "refused");
  /* Reopening through /proc/self/fd for writing, as a program could. */
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  int rw = open(link, O_RDWR);
  ssize_t w = rw >= 0 ? write(rw, "x", 1) : -1;
  printf("reopen_rw_write=%s\n", w == 1 ? "written" : "refused");
  if (rw >= 0) close(rw);
  /* The content is intact either way. */
  lseek(fd, 0, SEEK_SET);
  read_fd_all(fd, big, sizeof big);
  printf("first_byte=%c\n", big[0] ? big[0] : '?');
  close(fd);
  return 0;
}

/* Every entry point once; the only writes of the program itself go to stdout. */
static int cmd_touch_nothing(int argc, char** argv) {
  if (install_filter(argc > 2 ? argv[2] : "none") != 0) return fail("seccomp");
  char buf[8192];
  long bad = 0;
  long expected_cpus = sysconf(_SC_NPROCESSORS_ONLN);
  bad += count_lines_path("/proc/stat", "cpu", 1) != expected_cpus;
  bad += count_lines_path("/proc/cpuinfo", "processor", 0) != expected_cpus;
  int fd = open("/proc/meminfo", O_RDONLY);
  read_fd_all(fd, buf, sizeof buf);
  lseek(fd, 0, SEEK_SET);
  read_fd_all(fd, buf, sizeof buf);
  close(fd);
  FILE* f = fopen("/proc/stat", "r");
  if (f) {
    bad += fread(buf, 1, sizeof buf, f) == 0;
    rewind(f);
    bad += fread(buf, 1, sizeof buf, f) == 0;
    fclose(f);
  }
  int proc = open("/proc", O_RDONLY | O_DIRECTORY);
  fd = openat(proc, "cpuinfo", O_RDONLY);
  if (fd >= 0) close(fd);
  close(proc);
  struct sysinfo info;
  sysinfo(&info);
  affinity_count(1024);
  get_nprocs();
  sysconf(_SC_PHYS_PAGES);
  read_online(buf, sizeof buf);
  printf("online=%s\nbad=%ld\n", buf, bad);
  return 0;
}

static int cmd_ids(void) {
  printf("uid=%d\neuid=%d\nat_secure=%lu\n", (int)getuid(), (int)geteuid(), getauxval(AT_SECURE));
  FILE* maps = fopen("/proc/self/maps", "r");
  int loaded = 0;
  char line[4096];
  while (maps && fgets(line, sizeof line, maps))
    if (strstr(line, "libcgview.so")) loaded = 1;
  if (maps) fclose(maps);
  printf("shim_loaded=%d\n", loaded);
  return 0;
}

/* --- POSIX promises the shim must keep ---------------------------------- */

/* open() returns the lowest free fd: close(0) + open is how programs
 * redirect stdin. And the fd's flags are what the open asked for. */
static int cmd_lowest_fd(int argc, char** argv) {
  if (argc < 3) return fail("usage: lowest-fd PATH");
  const char* path = argv[2];
  close(0);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  printf("open_fd=%d\n", fd);
  if (fd < 0) return fail("open");
  printf("open_cloexec=%d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? 1 : 0);
  printf("open_processor_lines=%ld\n", count_lines_fd(fd, "processor", 0));
  /* A rewind re-renders onto the same fd: its flags must survive. */
  lseek(fd, 0, SEEK_SET);
  printf("rewound_fd_cloexec=%d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? 1 : 0);
  close(fd);
  printf("open_meminfo_total_kb=%ld\n", meminfo_total_path());
  fd = openat(AT_FDCWD, path, O_RDONLY | O_NONBLOCK);
  printf("openat_fd=%d\n", fd);
  printf("openat_cloexec=%d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? 1 : 0);
  printf("openat_nonblock=%d\n", (fcntl(fd, F_GETFL) & O_NONBLOCK) ? 1 : 0);
  lseek(fd, 0, SEEK_SET);
  printf("rewound_openat_cloexec=%d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? 1 : 0);
  printf("rewound_openat_nonblock=%d\n", (fcntl(fd, F_GETFL) & O_NONBLOCK) ? 1 : 0);
  close(fd);
  FILE* f = fopen(path, "r");
  printf("fopen_fd=%d\n", f ? fileno(f) : -1);
  if (f) fclose(f);
  return 0;
}

/* The same with many fds open: the lowest free one is above 128. */
static int cmd_lowest_fd_high(int argc, char** argv) {
  if (argc < 3) return fail("usage: lowest-fd-high PATH");
  int fd;
  while ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd < 199) {
  }
  if (fd != 199) return fail("cannot take fds 3-199");
  close(150);
  fd = open(argv[2], O_RDONLY);
  printf("open_fd=%d\n", fd);
  return fd >= 0 ? 0 : fail("open");
}

static long free_after_fgets(FILE* f) {
  char line[256];
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "MemFree:", 8) == 0) return atol(line + 8);
  return -1;
}

static int write_value(const char* path, const char* value) {
  int out = open(path, O_WRONLY | O_TRUNC);
  if (out < 0) return -1;
  ssize_t w = write(out, value, strlen(value));
  close(out);
  return w < 0 ? -1 : 0;
}

/* Every stdio rewind of one stream re-renders, not only the first: glibc
 * answers a seek inside its buffer from the buffer unless told otherwise.
 * Reads with fgets (small reads through the buffer), as programs do. */
static int cmd_stdio_rewinds(int argc, char** argv) {
  if (argc < 6) return fail("usage: stdio-rewinds FILE V1 V2 V3");
  FILE* f = fopen("/proc/meminfo", "r");
  if (!f) return fail("fopen");
  fpos_t start;
  if (fgetpos(f, &start) != 0) return fail("fgetpos");
  printf("first_free=%ld\n", free_after_fgets(f));
  if (write_value(argv[2], argv[3]) != 0) return fail("write");
  rewind(f);
  printf("rewind_free=%ld\n", free_after_fgets(f));
  if (write_value(argv[2], argv[4]) != 0) return fail("write");
  fseek(f, 0, SEEK_SET);
  printf("fseek_free=%ld\n", free_after_fgets(f));
  if (write_value(argv[2], argv[5]) != 0) return fail("write");
  fsetpos(f, &start);
  printf("fsetpos_free=%ld\n", free_after_fgets(f));
  fclose(f);
  return 0;
}

/* Writing past RLIMIT_FSIZE raises SIGXFSZ, which kills by default: the
 * shim must not write its copy past the limit. */
static int cmd_fsize(int argc, char** argv) {
  if (argc < 3) return fail("usage: fsize BYTES");
  struct rlimit limit = {(rlim_t)atoll(argv[2]), (rlim_t)atoll(argv[2])};
  if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return fail("setrlimit");
  printf("meminfo_total_kb=%ld\n", meminfo_total_path());
  printf("sysconf_onln=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
  return 0;
}

static void* pinned_asker(void* out) {
  cpu_set_t mask;
  /* The kernel's mask, past the shim: the shim must first be asked after the pin. */
  CPU_ZERO(&mask);
  if (kernel_getaffinity(0, sizeof mask, &mask) <= 0) return NULL;
  int last = -1;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &mask)) last = cpu;
  CPU_ZERO(&mask);
  CPU_SET(last, &mask);
  if (sched_setaffinity(0, sizeof mask, &mask) != 0) return NULL;
  *(long*)out = sysconf(_SC_NPROCESSORS_ONLN);
  return NULL;
}

/* The process's view must not depend on which thread asked first. */
static int cmd_pinned_first(void) {
  pthread_t t;
  long thread_answer = -1;
  if (pthread_create(&t, NULL, pinned_asker, &thread_answer) != 0) return fail("pthread_create");
  pthread_join(t, NULL);
  printf("pinned_thread_sysconf=%ld\n", thread_answer);
  print_view("");
  return 0;
}

/* errno is untouched by answers that succeed, even when CGVIEW_DEBUG's line
 * cannot be written; and a stderr pipe whose reader has gone must not kill
 * the program with SIGPIPE. */
static int cmd_quiet_debug(void) {
  int p[2];
  if (pipe(p) != 0) return fail("pipe");
  close(p[0]);
  dup2(p[1], 2);
  close(p[1]);
  errno = 4242;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  printf("sysconf=%ld\nerrno_after_sysconf=%d\n", n, errno);
  errno = 4242;
  cpu_set_t mask;
  int r = sched_getaffinity(0, sizeof mask, &mask);
  printf("affinity=%d\nerrno_after_affinity=%d\n", r, errno);
  errno = 4242;
  struct sysinfo info;
  r = sysinfo(&info);
  printf("sysinfo=%d\nerrno_after_sysinfo=%d\n", r, errno);
  errno = 4242;
  n = sysconf(_SC_PHYS_PAGES);
  printf("errno_after_phys_pages=%d\n", errno);
  errno = 4242;
  int fd = open("/proc/meminfo", O_RDONLY);
  printf("open_ok=%d\nerrno_after_open=%d\n", fd >= 0, errno);
  if (fd >= 0) close(fd);
  printf("alive=1\n");
  return 0;
}

/* read-files N PATH...: opens, reads to the end and closes each path, N times
 * over, in this one process (a monitor polling the same files). */
static int cmd_read_files(int argc, char** argv) {
  int rounds = argc > 2 ? atoi(argv[2]) : 0;
  long reads = 0;
  for (int round = 0; round < rounds; ++round) {
    for (int i = 3; i < argc; ++i) {
      int fd = open(argv[i], O_RDONLY);
      if (fd < 0) return fail(argv[i]);
      char buf[4096];
      while (read(fd, buf, sizeof buf) > 0) {
      }
      close(fd);
      ++reads;
    }
  }
  printf("reads=%ld\n", reads);
  return 0;
}

/* The probe's own secure_getenv, exported so libcgview.so binds to it: when
 * CGVIEW_TEST_HOLD_FDS="IN OUT" is set, the first lookup of a CGVIEW_
 * variable says so on OUT and waits for a byte on IN. */
char* secure_getenv(const char* name) {
  static char* (*real)(const char*);
  static int held, abandoned;
  if (!real) real = (char* (*)(const char*))dlsym(RTLD_NEXT, "secure_getenv");
  if (getenv("CGVIEW_TEST_ABANDON") && !abandoned && strncmp(name, "CGVIEW_", 7) == 0) {
    abandoned = 1;
    raise(SIGUSR1); /* its handler jumps out of the shim's read (cmd_abandoned_config) */
  }
  const char* fds = getenv("CGVIEW_TEST_HOLD_FDS");
  int in = -1, out = -1;
  if (fds && !held && strncmp(name, "CGVIEW_", 7) == 0 && sscanf(fds, "%d %d", &in, &out) == 2) {
    held = 1;
    char byte = 'h';
    if (write(out, &byte, 1) != 1 || read(in, &byte, 1) != 1) abort();
  }
  return real ? real(name) : NULL;
}

/* A thread whose only call is sysconf: its answer goes to `out`. */
static void* ask_cpus(void* out) {
  *(long*)out = sysconf(_SC_NPROCESSORS_ONLN);
  return NULL;
}

/* A fork while another thread reads the shim's configuration: the child must
 * still get the view (it used to wait for ever for a reader it does not have). */
static int cmd_fork_mid_config(void) {
  int held[2], release[2];
  if (pipe(held) != 0 || pipe(release) != 0) return fail("pipe");
  char fds[32];
  snprintf(fds, sizeof fds, "%d %d", release[0], held[1]);
  setenv("CGVIEW_TEST_HOLD_FDS", fds, 1);
  pthread_t t;
  long thread_answer = -1;
  if (pthread_create(&t, NULL, ask_cpus, &thread_answer) != 0) return fail("pthread_create");
  char byte;
  if (read(held[0], &byte, 1) != 1) return fail("read");  /* the thread is inside the read */
  pid_t child = fork();
  if (child == 0) {
    long a = sysconf(_SC_NPROCESSORS_ONLN);
    long b = get_nprocs();
    printf("child_sysconf=%ld\nchild_get_nprocs=%d\nchild_meminfo_total_kb=%ld\n", a, (int)b, meminfo_total_path());
    fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (write(release[1], "r", 1) != 1) return fail("write");
  pthread_join(t, NULL);
  printf("child_exit=%d\nthread_sysconf=%ld\nparent_sysconf=%ld\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
         thread_answer, sysconf(_SC_NPROCESSORS_ONLN));
  return 0;
}

static sigjmp_buf jump_back;
static void jump_out(int sig) {
  (void)sig;
  siglongjmp(jump_back, 1);
}

/* A configuration read that never finishes (its thread jumped out of a signal
 * handler) must not leave the process waiting, nor on real answers, for ever. */
/* --- held input files -------------------------------------------------------- */

/* Fds at or above 128 (where the shim keeps its input files). */
static int count_high_fds(void) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0, own = dirfd(d);
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    int fd = atoi(e->d_name);
    n += e->d_name[0] != '.' && fd >= 128 && fd != own;
  }
  closedir(d);
  return n;
}

/* 1 when /proc/meminfo is served (MemTotal below the host's) and /proc/stat
 * shows `cpus` CPU lines. */
static int served(long host_kb, long cpus) {
  long kb = meminfo_total_path();
  return kb > 0 && kb < host_kb && count_lines_path("/proc/stat", "cpu", 1) == cpus;
}

static int cmd_held_inputs(long host_kb) {
  for (int fd = 3; fd < 1024; ++fd) close(fd); /* whatever the test runner passed down */
  int baseline = count_high_fds();
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  printf("first=%d\n", served(host_kb, cpus));
  printf("held=%d\n", count_high_fds() - baseline);

  /* A daemon closing everything it did not open itself. */
  for (int fd = 3; fd < 1024; ++fd) close(fd);
  printf("after_close=%d\n", served(host_kb, cpus));
  printf("held_after_close=%d\n", count_high_fds() - baseline);

  /* The program's own file over the shim's fds: never read, moved or closed. */
  char path[] = "/tmp/cgview-held-XXXXXX";
  int own = mkstemp(path);
  if (own < 0) return fail("mkstemp");
  unlink(path);
  if (write(own, "own\n", 4) != 4) return fail("write");
  for (int fd = 128; fd < 256; ++fd) dup2(own, fd);
  lseek(own, 1, SEEK_SET); /* one offset shared by all the dups */
  printf("under_own=%d\n", served(host_kb, cpus));
  int intact = 1;
  for (int fd = 128; fd < 256; ++fd) {
    struct stat a, b;
    intact &= fstat(fd, &a) == 0 && fstat(own, &b) == 0 && a.st_ino == b.st_ino && lseek(fd, 0, SEEK_CUR) == 1;
  }
  printf("own_fds_intact=%d\n", intact);
  for (int fd = 128; fd < 256; ++fd) close(fd);
  close(own);

  /* A child inherits the held fds: it reads through them, opening none. */
  served(host_kb, cpus);
  int before_fork = count_high_fds();
  pid_t child = fork();
  if (child == 0) {
    int ok = 1;
    for (int i = 0; i < 100; ++i) ok &= served(host_kb, cpus);
    _exit(ok && count_high_fds() == before_fork ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("child_ok=%d\n", WIFEXITED(status) && WEXITSTATUS(status) == 0);

  int ok = 1;
  for (int i = 0; i < 1000; ++i) ok &= served(host_kb, cpus);
  printf("repeated=%d\n", ok);
  printf("held_after_repeats=%d\n", count_high_fds() - baseline);
  return 0;
}

static int cmd_abandoned_config(void) {
  signal(SIGUSR1, jump_out);
  setenv("CGVIEW_TEST_ABANDON", "1", 1);
  if (sigsetjmp(jump_back, 1) == 0) {
    sysconf(_SC_NPROCESSORS_ONLN);
    printf("jumped_out=0\n");
  } else {
    printf("jumped_out=1\n");
  }
  pthread_t t;
  long thread_answer = -1;
  if (pthread_create(&t, NULL, ask_cpus, &thread_answer) != 0) return fail("pthread_create");
  pthread_join(t, NULL);
  printf("thread_sysconf=%ld\nmain_sysconf=%ld\n", thread_answer, sysconf(_SC_NPROCESSORS_ONLN));
  return 0;
}

/* Refreshes of the cached view left by siglongjmp must not stop the view from
 * ever being refreshed again. */
static int cmd_abandoned_refresh(int argc, char** argv) {
  if (argc < 4) return fail("usage: abandoned-refresh FILE BYTES");
  long page_kb = sysconf(_SC_PAGESIZE) / 1024;
  printf("before_kb=%ld\n", sysconf(_SC_PHYS_PAGES) * page_kb);
  signal(SIGALRM, jump_out);
  struct itimerval every = {{0, 100}, {0, 100}}, stop = {{0, 0}, {0, 0}};
  volatile long jumps = 0;
  volatile int fds_before = count_fds();
  double end = now_s() + 2.0;
  if (sigsetjmp(jump_back, 1) != 0) ++jumps;
  if (jumps == 0) setitimer(ITIMER_REAL, &every, NULL);
  struct sysinfo info;
  while (now_s() < end) {  /* both read the cgroup's memory files at each call */
    sysconf(_SC_PHYS_PAGES);
    sysinfo(&info);
  }
  setitimer(ITIMER_REAL, &stop, NULL);
  signal(SIGALRM, SIG_IGN);
  printf("jumps=%ld\n", jumps);
  printf("fds_added=%d\n", count_fds() - fds_before);  /* none: the real calls open no file */
  FILE* limit = fopen(argv[2], "w");
  if (limit == NULL || fputs(argv[3], limit) < 0 || fclose(limit) != 0) return fail("writing the limit");
  long want_kb = atol(argv[3]) / 1024, got_kb = 0;
  double deadline = now_s() + 3.0;
  while ((got_kb = sysconf(_SC_PHYS_PAGES) * page_kb) != want_kb && now_s() < deadline) usleep(10000);
  printf("after_kb=%ld\n", got_kb);
  return 0;
}

/* A program that traps system calls with seccomp (SECCOMP_RET_TRAP) and
 * answers them in its SIGSYS handler, as browsers' sandboxes do for openat:
 * the view's refresh, which opens cgroup files, must let that handler run,
 * not hold SIGSYS off (the kernel would then kill the process). */
static volatile long trapped;
static void answer_eperm(int sig, siginfo_t* info, void* context) {
  (void)sig;
  (void)info;
  ucontext_t* uc = (ucontext_t*)context;
  ++trapped;
#if defined(__x86_64__)
  uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#elif defined(__i386__)
  uc->uc_mcontext.gregs[REG_EAX] = -EPERM;
#elif defined(__aarch64__)
  uc->uc_mcontext.regs[0] = (unsigned long long)-EPERM;
#else
  (void)uc;
#endif
}

static int cmd_trapped_opens(void) {
#if !defined(__x86_64__) && !defined(__i386__) && !defined(__aarch64__)
  printf("supported=0\n");
  return 0;
#else
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = answer_eperm;
  action.sa_flags = SA_SIGINFO;
  if (sigaction(SIGSYS, &action, NULL) != 0) return fail("sigaction");
  struct sock_filter trap_openat[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof trap_openat / sizeof trap_openat[0], trap_openat};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
    return fail("seccomp");
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  printf("supported=1\nalive=1\nsysconf=%ld\ntrapped=%ld\n", cpus, trapped);
  return 0;
#endif
}

/* A vfork child shares its parent's memory, the cached view included: its
 * own view, of the cgroup it moved to, must not become the parent's. */
static volatile long vfork_child_kb = -1;
static int cmd_vfork_child_moves(int argc, char** argv) {
  long page_kb = sysconf(_SC_PAGESIZE) / 1024;
  printf("parent_before_kb=%ld\n", sysconf(_SC_PHYS_PAGES) * page_kb);
  usleep(700 * 1000); /* the view expires: the child's call refreshes it */
  pid_t child = vfork();
  if (child == 0) {
    /* On the parent's stack: system calls, plain code and the call under test only. */
    char digits[24], pid[24];
    int n = 0;
    for (long rest = syscall(SYS_getpid); n == 0 || rest > 0; rest /= 10) digits[n++] = (char)('0' + rest % 10);
    for (int i = 0; i < n; ++i) pid[i] = digits[n - 1 - i];
    int moved = 1;
    for (int i = 2; i < argc; ++i) {
      int fd = open(argv[i], O_WRONLY);
      moved = moved && fd >= 0 && write(fd, pid, (size_t)n) == n;
      if (fd >= 0) close(fd);
    }
    vfork_child_kb = moved ? sysconf(_SC_PHYS_PAGES) * page_kb : -2;
    _exit(0);
  }
  if (child < 0) return fail("vfork");
  waitpid(child, NULL, 0);
  printf("child_kb=%ld\nparent_after_kb=%ld\n", vfork_child_kb, sysconf(_SC_PHYS_PAGES) * page_kb);
#ifdef SYS_kcmp
  printf("kcmp_answers=%d\n", syscall(SYS_kcmp, getpid(), getpid(), 1 /* KCMP_VM */, 0, 0) == 0);
#else
  printf("kcmp_answers=0\n");
#endif
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char* cmd = argc > 1 ? argv[1] : "view";
  if (strcmp(cmd, "view") == 0) return cmd_view();
  if (strcmp(cmd, "view-twice") == 0) return cmd_view_twice(argc, argv);
  if (strcmp(cmd, "one-slot") == 0) return cmd_one_slot(argc, argv);
  if (strcmp(cmd, "refused") == 0) return cmd_refused(argc, argv);
  if (strcmp(cmd, "load") == 0) return cmd_load(argc, argv);
  if (strcmp(cmd, "quick") == 0) return cmd_quick(argc, argv);
  if (strcmp(cmd, "fork-storm") == 0) return cmd_fork_storm(argc, argv);
  if (strcmp(cmd, "readonly") == 0) return cmd_readonly(argc, argv);
  if (strcmp(cmd, "touch-nothing") == 0) return cmd_touch_nothing(argc, argv);
  if (strcmp(cmd, "lowest-fd") == 0) return cmd_lowest_fd(argc, argv);
  if (strcmp(cmd, "lowest-fd-high") == 0) return cmd_lowest_fd_high(argc, argv);
  if (strcmp(cmd, "stdio-rewinds") == 0) return cmd_stdio_rewinds(argc, argv);
  if (strcmp(cmd, "fsize") == 0) return cmd_fsize(argc, argv);
  if (strcmp(cmd, "pinned-first") == 0) return cmd_pinned_first();
  if (strcmp(cmd, "quiet-debug") == 0) return cmd_quiet_debug();
  if (strcmp(cmd, "read-files") == 0) return cmd_read_files(argc, argv);
  if (strcmp(cmd, "fork-mid-config") == 0) return cmd_fork_mid_config();
  if (strcmp(cmd, "abandoned-config") == 0) return cmd_abandoned_config();
  if (strcmp(cmd, "abandoned-refresh") == 0) return cmd_abandoned_refresh(argc, argv);
  if (strcmp(cmd, "vfork-child-moves") == 0) return cmd_vfork_child_moves(argc, argv);
  if (strcmp(cmd, "trapped-opens") == 0) return cmd_trapped_opens();
  if (strcmp(cmd, "held-inputs") == 0) return cmd_held_inputs(argc > 2 ? atol(argv[2]) : 0);
  if (strcmp(cmd, "ids") == 0) {
    int r = cmd_ids();
    return r ? r : cmd_view();
  }
  fprintf(stderr, "unknown command %s\n", cmd);
  return 2;
}
