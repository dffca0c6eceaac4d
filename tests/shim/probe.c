/* cgview_probe: a small C program that asks for CPUs and memory through every
 * entry point libcgview.so interposes and prints what it was told, one
 * "key=value" line each. shim_test.cpp runs it with the shim preloaded over
 * fixture sysroots and real cgroups. Built twice: plain, and with
 * -O2 -D_FORTIFY_SOURCE=2 -D_FILE_OFFSET_BITS=64 (which binds __open_2,
 * open64, fopen64, lseek64...).
 *
 * usage: cgview_probe COMMAND [ARGS]   (see main() for the commands; threads
 *        and processes take the expected CPUS and MEMTOTAL_KB) */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/sysinfo.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel_affinity.h"
#include "probe_io.h"
#include "refuse_seals.h"

#if CGVIEW_OLD_AFFINITY_ABI
/* The GLIBC_2.3.3 ABI, on the ports that have it: no size argument, a 128-byte mask. */
int sched_getaffinity_old(pid_t pid, cpu_set_t* mask);
__asm__(".symver sched_getaffinity_old,sched_getaffinity@GLIBC_2.3.3");
int pthread_getaffinity_np_old(pthread_t thread, cpu_set_t* mask);
__asm__(".symver pthread_getaffinity_np_old,pthread_getaffinity_np@GLIBC_2.3.3");
#endif

static size_t read_path(const char* path, char* buf, size_t cap) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    buf[0] = '\0';
    return 0;
  }
  size_t n = read_fd_all(fd, buf, cap);
  close(fd);
  return n;
}

static int count_prefix_lines(const char* text, const char* prefix, int digit_after) {
  int n = 0;
  size_t plen = strlen(prefix);
  for (const char* line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, prefix, plen) != 0) continue;
    if (digit_after && !(line[plen] >= '0' && line[plen] <= '9')) continue;
    ++n;
  }
  return n;
}

static char big[1 << 20];

static void print_mask(const char* key, const cpu_set_t* set, size_t size) {
  printf("%s=", key);
  int first = 1;
  for (int cpu = 0; cpu < (int)(size * 8); ++cpu) {
    if (!CPU_ISSET_S(cpu, size, set)) continue;
    printf(first ? "%d" : ",%d", cpu);
    first = 0;
  }
  printf("\n");
}

/* Every entry point's answer. */
static int cmd_view(void) {
  printf("sysconf_onln=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
  printf("sysconf_conf=%ld\n", sysconf(_SC_NPROCESSORS_CONF));
  printf("get_nprocs=%d\n", get_nprocs());
  printf("get_nprocs_conf=%d\n", get_nprocs_conf());
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return fail("sched_getaffinity");
  printf("affinity_count=%d\n", CPU_COUNT(&set));
  print_mask("affinity", &set, sizeof set);
  if (sched_getaffinity(getpid(), sizeof set, &set) != 0) return fail("sched_getaffinity(getpid)");
  printf("affinity_getpid_count=%d\n", CPU_COUNT(&set));
#if CGVIEW_OLD_AFFINITY_ABI && !defined(CGVIEW_SANITIZED)
  /* Sanitizer runtimes intercept the affinity calls with the new ABI only, and
     the executable's interceptor takes these calls before the shim sees them. */
  if (sched_getaffinity_old(0, &set) != 0) return fail("sched_getaffinity@GLIBC_2.3.3");
  printf("affinity_old_count=%d\n", CPU_COUNT(&set));
  if (pthread_getaffinity_np_old(pthread_self(), &set) != 0) return fail("pthread_getaffinity_np@GLIBC_2.3.3");
  printf("pthread_affinity_old_count=%d\n", CPU_COUNT(&set));
#endif
  if (pthread_getaffinity_np(pthread_self(), sizeof set, &set) != 0) return fail("pthread_getaffinity_np");
  printf("pthread_affinity_count=%d\n", CPU_COUNT(&set));
  /* A mask larger than cpu_set_t, as CPython and the JDK use. */
  size_t big_size = CPU_ALLOC_SIZE(4096);
  cpu_set_t* big_set = CPU_ALLOC(4096);
  if (sched_getaffinity(0, big_size, big_set) != 0) return fail("sched_getaffinity(4096)");
  printf("affinity_big_count=%d\n", CPU_COUNT_S(big_size, big_set));
  CPU_FREE(big_set);
  /* Through libc's syscall(), as LLVM's OpenMP runtime and libnuma ask. */
  long written = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
  if (written <= 0) return fail("syscall(SYS_sched_getaffinity)");
  print_mask("syscall_affinity", &set, (size_t)written);

  read_path("/sys/devices/system/cpu/online", big, sizeof big);
  big[strcspn(big, "\n")] = '\0';
  printf("online=%s\n", big);
  read_path("/proc/cpuinfo", big, sizeof big);
  printf("cpuinfo_blocks=%d\n", count_prefix_lines(big, "processor", 0));
  read_path("/proc/stat", big, sizeof big);
  printf("stat_cpu_lines=%d\n", count_prefix_lines(big, "cpu", 1));

  read_path("/proc/meminfo", big, sizeof big);
  long total_kb = meminfo_kb(big, "MemTotal");
  printf("meminfo_total_kb=%ld\n", total_kb);
  printf("meminfo_free_kb=%ld\n", meminfo_kb(big, "MemFree"));
  printf("meminfo_swap_total_kb=%ld\n", meminfo_kb(big, "SwapTotal"));
  printf("meminfo_swap_free_kb=%ld\n", meminfo_kb(big, "SwapFree"));
  printf("meminfo_buffers_kb=%ld\n", meminfo_kb(big, "Buffers"));
  printf("meminfo_shmem_kb=%ld\n", meminfo_kb(big, "Shmem"));
  printf("meminfo_high_total_kb=%ld\n", meminfo_kb(big, "HighTotal"));
  printf("meminfo_high_free_kb=%ld\n", meminfo_kb(big, "HighFree"));
  struct sysinfo info;
  if (sysinfo(&info) != 0) return fail("sysinfo");
  printf("sysinfo_totalram_kb=%llu\n", (unsigned long long)info.totalram * info.mem_unit / 1024);
  printf("sysinfo_freeram_kb=%llu\n", (unsigned long long)info.freeram * info.mem_unit / 1024);
  printf("sysinfo_totalswap_kb=%llu\n", (unsigned long long)info.totalswap * info.mem_unit / 1024);
  printf("sysinfo_freeswap_kb=%llu\n", (unsigned long long)info.freeswap * info.mem_unit / 1024);
  printf("sysinfo_bufferram_kb=%llu\n", (unsigned long long)info.bufferram * info.mem_unit / 1024);
  printf("sysinfo_sharedram_kb=%llu\n", (unsigned long long)info.sharedram * info.mem_unit / 1024);
  printf("sysinfo_mem_unit=%u\n", info.mem_unit);
  printf("sysinfo_totalhigh_kb=%llu\n", (unsigned long long)info.totalhigh * info.mem_unit / 1024);
  printf("sysinfo_freehigh_kb=%llu\n", (unsigned long long)info.freehigh * info.mem_unit / 1024);
  long page = sysconf(_SC_PAGESIZE);
  printf("phys_pages_kb=%ld\n", sysconf(_SC_PHYS_PAGES) * (page / 1024));
  printf("get_phys_pages_kb=%ld\n", get_phys_pages() * (page / 1024));
  printf("avphys_pages_kb=%ld\n", sysconf(_SC_AVPHYS_PAGES) * (page / 1024));
  printf("get_avphys_pages_kb=%ld\n", get_avphys_pages() * (page / 1024));
  return 0;
}

/* MemTotal as read through every way of naming and opening the file. */
static long total_from_fd(int fd) {
  if (fd < 0) return -1;
  read_fd_all(fd, big, sizeof big);
  close(fd);
  return meminfo_kb(big, "MemTotal");
}

static long total_from_file(FILE* f) {
  if (!f) return -1;
  size_t n = fread(big, 1, sizeof big - 1, f);
  big[n] = '\0';
  fclose(f);
  return meminfo_kb(big, "MemTotal");
}

static int cmd_paths(void) {
  printf("absolute=%ld\n", total_from_fd(open("/proc/meminfo", O_RDONLY)));
  printf("double_slash=%ld\n", total_from_fd(open("//proc//meminfo", O_RDONLY)));
  printf("dot=%ld\n", total_from_fd(open("/proc/./meminfo", O_RDONLY)));
  printf("dotdot=%ld\n", total_from_fd(open("/sys/../proc/meminfo", O_RDONLY)));
  printf("cloexec=%ld\n", total_from_fd(open("/proc/meminfo", O_RDONLY | O_CLOEXEC)));
  int proc = open("/proc", O_RDONLY | O_DIRECTORY);
  printf("openat_dirfd=%ld\n", total_from_fd(openat(proc, "meminfo", O_RDONLY)));
  printf("openat_dirfd_dotdot=%ld\n", total_from_fd(openat(proc, "../proc/meminfo", O_RDONLY)));
  close(proc);
  printf("openat_cwd_absolute=%ld\n", total_from_fd(openat(AT_FDCWD, "/proc/meminfo", O_RDONLY)));
  if (chdir("/proc") != 0) return fail("chdir");
  printf("relative=%ld\n", total_from_fd(open("meminfo", O_RDONLY)));
  printf("relative_dot=%ld\n", total_from_fd(open("./meminfo", O_RDONLY)));
  if (chdir("/sys") != 0) return fail("chdir");
  printf("relative_dotdot=%ld\n", total_from_fd(open("../proc/meminfo", O_RDONLY)));
  printf("fopen=%ld\n", total_from_file(fopen("/proc/meminfo", "r")));
  printf("fopen_re=%ld\n", total_from_file(fopen("/proc/meminfo", "re")));
  FILE* f = fopen("/etc/hostname", "r");
  printf("freopen=%ld\n", total_from_file(freopen("/proc/meminfo", "r", f)));
  /* Non-constant flags make fortified builds call __open_2. */
  volatile int flags = O_RDONLY;
  printf("variable_flags=%ld\n", total_from_fd(open("/proc/meminfo", flags)));
  return 0;
}

/* Opens `path` and reads it to its end, as cat does (its bytes are not
   printed): what the shim says of that open under CGVIEW_DEBUG. */
static int cmd_open_and_read(const char* path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return fail("open");
  char buffer[4096];
  ssize_t n;
  long total = 0;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) total += n;
  close(fd);
  printf("bytes=%ld\n", total);
  return n < 0 ? fail("read") : 0;
}

/* Opens that must pass through: their result and errno equal the real call's. */
static int cmd_passthrough(void) {
  errno = 0;
  int fd = open("/proc/meminfo-none", O_RDONLY);
  printf("missing_fd=%d errno=%d\n", fd, errno);
  errno = 0;
  fd = open("/nonexistent/meminfo", O_RDONLY);
  printf("missing_dir_fd=%d errno=%d\n", fd, errno);
  errno = 0;
  fd = open("/proc/meminfo", O_RDONLY | O_DIRECTORY);
  printf("directory_fd=%d errno=%d\n", fd, errno);
  errno = 0;
  FILE* f = fopen("/proc/meminfo", "w");
  printf("fopen_w=%s errno=%d\n", f ? "ok" : "null", f ? 0 : errno);
  if (f) fclose(f);
  errno = 0;
  fd = open("/proc/meminfo", O_WRONLY);
  printf("wronly_fd_ok=%d errno=%d\n", fd >= 0, fd >= 0 ? 0 : errno);
  if (fd >= 0) close(fd);
  /* ".." after a missing directory, or after a file, fails in the kernel's walk. */
  errno = 0;
  fd = open("/nonexistent/../proc/meminfo", O_RDONLY);
  printf("climb_from_missing_fd=%d errno=%d\n", fd, errno);
  errno = 0;
  fd = open("/proc/mounts/../meminfo", O_RDONLY);
  printf("climb_from_file_fd=%d errno=%d\n", fd, errno);
  errno = 0;
  fd = open("/proc/meminfo", O_RDONLY | O_DIRECT);
  printf("direct_fd=%d errno=%d\n", fd, fd >= 0 ? 0 : errno);
  if (fd >= 0) close(fd);
  errno = 12345;
  fd = open("/etc/hostname", O_RDONLY);
  printf("hostname_ok=%d errno_kept=%d\n", fd >= 0, errno == 12345);
  if (fd >= 0) close(fd);
  errno = 12345;
  fd = open("/proc/meminfo", O_RDONLY);
  printf("served_errno_kept=%d\n", errno == 12345);
  /* A write to a served fd fails as on the real file (opened read-only). */
  errno = 0;
  ssize_t w = write(fd, "x", 1);
  printf("write_result=%zd errno=%d\n", w, errno);
  close(fd);
  return 0;
}

/* fstat of an open served file against stat of its path: the real file's
 * identity (GNU cp compares them), while read() gets the served text.
 * "same", or what differs. */
#if defined(__x86_64__) && defined(__LP64__)
#define PROBE_FXSTAT_VERSION "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define PROBE_FXSTAT_VERSION "GLIBC_2.17"
#elif defined(__i386__)
#define PROBE_FXSTAT_VERSION "GLIBC_2.2"
#endif
#ifdef PROBE_FXSTAT_VERSION
/* What programs built against glibc before 2.33 call: a compat symbol since. */
int fxstat64_compat(int version, int fd, struct stat64* buf);
__asm__(".symver fxstat64_compat,__fxstat64@" PROBE_FXSTAT_VERSION);
#endif

/* The file's identity: device, inode, mode, and the block size stdio sizes
 * its buffer by. */
static void print_identity(const char* key, const struct stat64* path_st, int ok, dev_t dev, ino64_t ino,
                           mode_t mode, long blksize) {
  if (!ok) printf("%s=failed errno=%d\n", key, errno);
  else if (dev == path_st->st_dev && ino == path_st->st_ino && mode == path_st->st_mode &&
           blksize == (long)path_st->st_blksize)
    printf("%s=same\n", key);
  else
    printf("%s=differs %llx:%llu %o blksize %ld, path %llx:%llu %o blksize %ld\n", key, (unsigned long long)dev,
           (unsigned long long)ino, (unsigned)mode, blksize, (unsigned long long)path_st->st_dev,
           (unsigned long long)path_st->st_ino, (unsigned)path_st->st_mode, (long)path_st->st_blksize);
}

static void check_identity(const char* label, const char* path) {
  char key[96];
  struct stat64 path_st;
  if (stat64(path, &path_st) != 0) {
    printf("fstat_%s=absent\n", label);
    return;
  }
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("fstat_%s=open failed errno=%d\n", label, errno);
    return;
  }
  struct stat st;
  errno = 12345;
  int ok = fstat(fd, &st) == 0;
  snprintf(key, sizeof key, "fstat_%s", label);
  print_identity(key, &path_st, ok, st.st_dev, st.st_ino, st.st_mode, (long)st.st_blksize);
  printf("errno_kept_after_fstat_%s=%d\n", label, errno == 12345);
  struct stat64 st64;
  ok = fstat64(fd, &st64) == 0;
  snprintf(key, sizeof key, "fstat64_%s", label);
  print_identity(key, &path_st, ok, st64.st_dev, st64.st_ino, st64.st_mode, (long)st64.st_blksize);
#ifdef PROBE_FXSTAT_VERSION
#if defined(__i386__)
  const int stat_version = 3; /* _STAT_VER_LINUX */
#elif defined(__x86_64__)
  const int stat_version = 1;
#else
  const int stat_version = 0;
#endif
  ok = fxstat64_compat(stat_version, fd, &st64) == 0;
  snprintf(key, sizeof key, "fxstat64_%s", label);
  print_identity(key, &path_st, ok, st64.st_dev, st64.st_ino, st64.st_mode, (long)st64.st_blksize);
#endif
  struct statx sx;
  ok = statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0;
  snprintf(key, sizeof key, "statx_%s", label);
  print_identity(key, &path_st, ok, makedev(sx.stx_dev_major, sx.stx_dev_minor), sx.stx_ino, sx.stx_mode,
                 (long)sx.stx_blksize);
  /* The same fd still reads what it served; what that is, the test knows. The
   * size fstat gave is the fd's content's (what lseek and SEEK_HOLE agree with). */
  ssize_t n = read_fd_all(fd, big, sizeof big - 1);
  big[n > 0 ? n : 0] = '\0';
  printf("size_%s=%lld statx %llu read %zd\n", label, (long long)st.st_size, (unsigned long long)sx.stx_size, n);
  if (strcmp(label, "meminfo") == 0) printf("read_after_fstat=%ld\n", meminfo_kb(big, "MemTotal"));
  close(fd);
}

static void* thread_identity(void* arg) {
  (void)arg;
  check_identity("thread_status", "/proc/thread-self/status");
  /* Its /proc/<tid> directory's: the thread's file too. */
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/status", (long)syscall(SYS_gettid));
  check_identity("tid_dir_status", path);
  return NULL;
}

/* A thread's status file by each of its names: /proc/self/task/<tid>,
 * /proc/<tid> (read by the thread itself and by the main thread), all the
 * thread's view. */
static pthread_barrier_t g_status_barrier;
static long g_status_tid;

static void print_cpus_allowed(const char* key, const char* path) {
  size_t n = read_path(path, big, sizeof big - 1);
  big[n] = '\0';
  const char* line = strstr(big, "\nCpus_allowed_list:\t");
  printf("%s=%.*s\n", key, line == NULL ? 6 : (int)strcspn(line + 20, "\n"), line == NULL ? "absent" : line + 20);
}

static void* status_thread(void* arg) {
  (void)arg;
  g_status_tid = syscall(SYS_gettid);
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/status", g_status_tid);
  print_cpus_allowed("own_tid_dir", path);
  pthread_barrier_wait(&g_status_barrier);
  pthread_barrier_wait(&g_status_barrier);  /* alive while the main thread reads */
  return NULL;
}

static int cmd_thread_status(void) {
  pthread_t t;
  pthread_barrier_init(&g_status_barrier, NULL, 2);
  if (pthread_create(&t, NULL, status_thread, NULL) != 0) return fail("pthread_create");
  pthread_barrier_wait(&g_status_barrier);
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%ld/status", g_status_tid);
  print_cpus_allowed("task", path);
  snprintf(path, sizeof path, "/proc/%ld/status", g_status_tid);
  print_cpus_allowed("tid_dir", path);
  print_cpus_allowed("parent", "/proc/self/status");
  pthread_barrier_wait(&g_status_barrier);
  pthread_join(t, NULL);
  return 0;
}

static int cmd_identity(void) {
  check_identity("meminfo", "/proc/meminfo");
  check_identity("cpuinfo", "/proc/cpuinfo");
  check_identity("stat", "/proc/stat");
  check_identity("online", "/sys/devices/system/cpu/online");
  check_identity("cpu1_online", "/sys/devices/system/cpu/cpu1/online");
  check_identity("node0_cpulist", "/sys/devices/system/node/node0/cpulist");
  check_identity("self_status", "/proc/self/status");
  check_identity("main_thread_status", "/proc/thread-self/status");
  check_identity("block_stat", "/sys/block/loop0/stat");
  pthread_t t;
  if (pthread_create(&t, NULL, thread_identity, NULL) == 0) pthread_join(t, NULL);
  /* A file that is not served: untouched. */
  check_identity("hostname", "/etc/hostname");
  return 0;
}

/* Save the shown mask, pin to a CPU outside it, let the view refresh (its A
 * is now that CPU), restore the saved mask: the real mask must be the one the
 * process started with, as without the shim. */
static int cmd_restore_after_refresh(void) {
  unsigned char start[1024], after[1024];
  memset(start, 0, sizeof start);
  long bytes = kernel_getaffinity(0, sizeof start, start);
  cpu_set_t saved, one;
  if (bytes <= 0 || sched_getaffinity(0, sizeof saved, &saved) != 0) return fail("sched_getaffinity");
  int other = -1;
  for (int cpu = 0; cpu < CPU_SETSIZE && cpu < bytes * 8; ++cpu)
    if (CPU_ISSET_S(cpu, (size_t)bytes, (cpu_set_t*)start) && !CPU_ISSET(cpu, &saved)) other = cpu;
  print_mask("start", (cpu_set_t*)start, (size_t)bytes);
  print_mask("shown", &saved, sizeof saved);
  if (other < 0) return 0;
  CPU_ZERO(&one);
  CPU_SET(other, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0) return fail("sched_setaffinity");
  usleep(700 * 1000);
  printf("count_while_pinned=%ld\n", sysconf(_SC_NPROCESSORS_ONLN)); /* refreshes the view */
  if (sched_setaffinity(0, sizeof saved, &saved) != 0) return fail("sched_setaffinity");
  memset(after, 0, sizeof after);
  print_mask("after_restore", (cpu_set_t*)after, (size_t)kernel_getaffinity(0, sizeof after, after));
  return 0;
}

/* A process whose main thread has exited while another runs on (main called
 * pthread_exit): the kernel shows /proc/self without mounts or fds, and on
 * cgroup v1 in the root cgroups. The other thread asks, once the main thread
 * is a zombie, through every entry point and through the two ways of opening
 * that name an fd under /proc: a path relative to a directory fd, and a wide
 * stream (fopen with ",ccs="). */
static int main_thread_is_zombie(void) {
  char stat[512];
  read_path("/proc/self/stat", stat, sizeof stat);
  const char* after_name = strrchr(stat, ')');
  return after_name != NULL && after_name[1] == ' ' && after_name[2] == 'Z';
}

static void* view_after_main_exits(void* arg) {
  (void)arg;
  for (int tries = 0; !main_thread_is_zombie(); ++tries) {
    if (tries == 5000) exit(fail("the main thread never became a zombie"));
    usleep(1000);
  }
  int status = cmd_view();
  int proc = open("/proc", O_RDONLY | O_DIRECTORY);
  int fd = proc < 0 ? -1 : openat(proc, "meminfo", O_RDONLY);
  size_t n = fd < 0 ? 0 : read_fd_all(fd, big, sizeof big - 1);
  big[n] = '\0';
  printf("dirfd_meminfo_total_kb=%ld\n", meminfo_kb(big, "MemTotal"));
  if (fd >= 0) close(fd);
  if (proc >= 0) close(proc);
  FILE* wide = fopen("/proc/meminfo", "r,ccs=UTF-8");
  wchar_t line[128] = L"";
  if (wide != NULL && fgetws(line, 128, wide) == NULL) line[0] = L'\0';
  if (wide != NULL) fclose(wide);
  printf("wide_first_line=%ls", line);
  fflush(stdout);
  exit(status);
}

static int cmd_view_after_main_exits(void) {
  pthread_t other;
  if (pthread_create(&other, NULL, view_after_main_exits, NULL) != 0) return fail("pthread_create");
  pthread_exit(NULL);
}

/* A thread with an fd table of its own (unshare(CLONE_FILES)): the main
 * thread's table, which /proc/self/fd shows, has other files under the same
 * numbers (a directory fd of /proc, decoys). The thread's directory fd of an
 * empty directory, a wide stream, a freopen and, with sealing refused, a
 * plain open must each name its own table's fds. */
static const char* g_empty_dir;
static int g_refuse_seals;

static long first_line_total(FILE* stream) {
  char line[256] = "";
  if (stream == NULL || fgets(line, sizeof line, stream) == NULL) return -1;
  return strncmp(line, "MemTotal:", 9) == 0 ? strtol(line + 9, NULL, 10) : -2;  /* -2: another file */
}

static void* with_own_fd_table(void* arg) {
  (void)arg;
  if (unshare(CLONE_FILES) != 0) exit(fail("unshare(CLONE_FILES)"));
  for (int fd = 3; fd < 16; ++fd) close(fd);  /* in this table only */
  int dir = open(g_empty_dir, O_RDONLY | O_DIRECTORY);  /* the main table's /proc has this number */
  errno = 0;
  int fd = openat(dir, "meminfo", O_RDONLY);
  printf("dirfd_errno=%d\n", fd < 0 ? errno : 0);
  if (fd >= 0) close(fd);
  close(dir);
  FILE* wide = fopen("/proc/meminfo", "r,ccs=UTF-8");
  wchar_t line[128] = L"";
  if (wide == NULL || fgetws(line, 128, wide) == NULL) line[0] = L'\0';
  if (wide != NULL) fclose(wide);
  printf("wide_first_line=%ls", line);
  FILE* stream = fopen("/dev/null", "r");
  stream = stream == NULL ? NULL : freopen("/proc/meminfo", "r", stream);
  printf("freopen_total_kb=%ld\n", first_line_total(stream));
  if (stream != NULL) fclose(stream);
  /* Sealing refused (a seccomp filter, which qemu-user does not take): the
   * anonymous file is reopened read-only by its name. */
  if (g_refuse_seals) {
    if (refuse_seals() != 0) exit(fail("seccomp"));
    stream = fopen("/proc/meminfo", "r");
    printf("unsealed_total_kb=%ld\n", first_line_total(stream));
    if (stream != NULL) fclose(stream);
  }
  fflush(stdout);
  return NULL;
}

static int cmd_own_fd_table(int argc, char** argv) {
  if (argc < 4) return fail("own-fd-table EMPTY_DIR DECOY_FILE [unsealed]");
  g_empty_dir = argv[2];
  g_refuse_seals = argc > 4 && strcmp(argv[4], "unsealed") == 0;
  int proc = open("/proc", O_RDONLY | O_DIRECTORY), decoy = open(argv[3], O_RDONLY);
  if (proc < 0 || decoy < 0 || dup2(proc, 3) != 3) return fail("/proc or the decoy");
  for (int fd = 4; fd < 16; ++fd)
    if (dup2(decoy, fd) != fd) return fail("dup2 of the decoy");
  pthread_t t;
  if (pthread_create(&t, NULL, with_own_fd_table, NULL) != 0 || pthread_join(t, NULL) != 0) return fail("thread");
  /* _exit: glibc keeps the ",ccs=" stream's conversion steps for the
   * process's life, which LeakSanitizer would report at exit (natively too). */
  fflush(stdout);
  _exit(0);
}

static volatile int g_stop_fstat;
static int g_fstat_fd;

static void* fstat_until_stopped(void* arg) {
  (void)arg;
  struct stat st;
  while (!g_stop_fstat) fstat(g_fstat_fd, &st);
  return NULL;
}

static long g_rewinds;

static void* rewind_and_read(void* arg) {
  (void)arg;
  char text[256];
  for (long i = 0; i < g_rewinds; ++i) {
    lseek(g_fstat_fd, 0, SEEK_SET);
    if (read(g_fstat_fd, text, sizeof text) <= 0) return (void*)1;
  }
  return NULL;
}

/* Two threads rewind a served fd ROUNDS times each (every rewind re-renders
 * it into a new file) while a third fstats it without pause: the fd must
 * stay the shim's (its fstat the real file's identity, as a tracked fd's is). */
static int cmd_rewind_beside_fstat(int argc, char** argv) {
  if (argc < 3) return fail("usage: rewind-beside-fstat ROUNDS");
  g_rewinds = atol(argv[2]);
  g_fstat_fd = open("/proc/meminfo", O_RDONLY);
  pthread_t fstats, rewinds;
  if (g_fstat_fd < 0 || pthread_create(&fstats, NULL, fstat_until_stopped, NULL) != 0 ||
      pthread_create(&rewinds, NULL, rewind_and_read, NULL) != 0)
    return fail("setup");
  void* failed_here = rewind_and_read(NULL);
  void* failed_there = NULL;
  pthread_join(rewinds, &failed_there);
  g_stop_fstat = 1;
  pthread_join(fstats, NULL);
  if (failed_here || failed_there) return fail("read");
  struct stat fd_st, path_st;
  int same = fstat(g_fstat_fd, &fd_st) == 0 && stat("/proc/meminfo", &path_st) == 0 &&
             fd_st.st_dev == path_st.st_dev && fd_st.st_ino == path_st.st_ino;
  printf("identity_after=%s\n", same ? "same" : "differs");
  return 0;
}

/* A cgroup file of the sysroot is a FIFO that the shim reads once per render
 * of /proc/meminfo (memory.swap.current): each read waits in open() for a
 * writer. These give it CONTENT. */
static const char* g_fifo;
static char g_fifo_content[4096];
static size_t g_fifo_length;

/* (The shim reads its inputs with pread, which a FIFO refuses: the content
 * may go unread, and the write then fails, SIGPIPE ignored.) */
static void write_fifo_content(int w) {
  ssize_t ignored = write(w, g_fifo_content, g_fifo_length);
  (void)ignored;
  close(w);
}

static void* serve_fifo_once(void* arg) {
  (void)arg;
  int w = open(g_fifo, O_WRONLY | O_CLOEXEC);  /* waits for the reader */
  if (w >= 0) write_fifo_content(w);
  return NULL;
}

/* A writer's non-blocking open succeeds only once a reader has the FIFO
 * open, or waits in open() for a writer: -1 until then. */
static int fifo_writer_when_read(int wait_ms) {
  for (int waited = 0; waited <= wait_ms; ++waited) {
    int w = open(g_fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (w >= 0) return w;
    if (errno != ENXIO) return -1;
    usleep(1000);
  }
  return -1;
}

static int g_rewound_fd;

static void* rewind_once(void* arg) {
  (void)arg;
  lseek(g_rewound_fd, 0, SEEK_SET);
  return NULL;
}

/* A rewind of a served fd re-renders it into a new file and puts that in the
 * fd's place. Here the re-render waits (in its open of the FIFO) while the
 * main thread closes the fd and then, in the first round, puts /dev/null at
 * that number. Once the rewind returned, the number must hold what the main
 * thread left there: /dev/null, or nothing. Prints each round's. */
static int cmd_rewind_while_reused(int argc, char** argv) {
  if (argc < 4) return fail("usage: rewind-while-reused FIFO CONTENT_FILE");
  alarm(60);  /* a render that read the FIFO more often than expected waits for ever */
  signal(SIGPIPE, SIG_IGN);
  g_fifo = argv[2];
  int c = open(argv[3], O_RDONLY);
  g_fifo_length = c < 0 ? 0 : read_fd_all(c, g_fifo_content, sizeof g_fifo_content);
  if (g_fifo_length == 0) return fail("content");
  close(c);
  struct stat null_st;
  int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd < 0 || fstat(null_fd, &null_st) != 0) return fail("/dev/null");
  for (int reuse = 1; reuse >= 0; --reuse) {
    /* The served fd above free numbers: the re-render's own new file takes
     * one of those, not the served fd's number once it is closed. */
    int below[8];
    for (int i = 0; i < 8; ++i) below[i] = open("/dev/null", O_RDONLY);
    pthread_t server, rewinder;
    if (pthread_create(&server, NULL, serve_fifo_once, NULL) != 0) return fail("thread");
    g_rewound_fd = open("/proc/meminfo", O_RDONLY);
    pthread_join(server, NULL);
    for (int i = 0; i < 8; ++i) close(below[i]);
    char head[64];
    if (g_rewound_fd < 0 || read(g_rewound_fd, head, sizeof head) <= 0) return fail("served open");
    if (pthread_create(&rewinder, NULL, rewind_once, NULL) != 0) return fail("thread");
    int w = fifo_writer_when_read(10000);  /* the re-render waits in the FIFO now */
    if (w < 0) return fail("the rewind never read the FIFO");
    close(g_rewound_fd);
    if (reuse && dup2(null_fd, g_rewound_fd) != g_rewound_fd) return fail("dup2");
    write_fifo_content(w);  /* the re-render goes on */
    pthread_join(rewinder, NULL);
    struct stat st;
    int open_now = fstat(g_rewound_fd, &st) == 0;
    const char* holds = !open_now ? "closed"
                        : S_ISCHR(st.st_mode) && st.st_rdev == null_st.st_rdev ? "devnull" : "other";
    printf("%s=%s\n", reuse ? "after_reuse" : "after_close", holds);
    if (open_now) close(g_rewound_fd);
  }
  close(null_fd);
  return 0;
}

/* Reads, rewrites FILE with CONTENT (a fixture's cgroup file), waits MS
 * milliseconds, rewinds each way and reads again. */
static int cmd_rewind(int argc, char** argv) {
  if (argc < 5) return fail("usage: rewind FILE CONTENT MS");
  int fd = open("/proc/meminfo", O_RDONLY);
  FILE* a = fopen("/proc/meminfo", "r");
  FILE* b = fopen("/proc/meminfo", "r");
  FILE* c = fopen("/proc/meminfo", "r");
  FILE* d = fopen("/proc/meminfo", "r");
  FILE* e = fopen("/proc/meminfo", "rm"); /* glibc maps a file it can ('m'): /proc it cannot */
  int fd2 = open("/proc/meminfo", O_RDONLY);
  if (fd < 0 || !a || !b || !c || !d || !e || fd2 < 0) return fail("open");
  fpos_t start; /* fsetpos64 in the fortified build (_FILE_OFFSET_BITS=64) */
  if (fgetpos(d, &start) != 0) return fail("fgetpos");
  if (fread(big, 1, sizeof big - 1, d) == 0) return fail("fread");
  if (fread(big, 1, sizeof big - 1, e) == 0) return fail("fread");
  int first = dup(fd);
  printf("before=%ld\n", total_from_fd(first));
  printf("before_free=%ld\n", meminfo_kb(big, "MemFree"));
  read_fd_all(fd, big, sizeof big);
  read_fd_all(fd2, big, sizeof big);
  int out = open(argv[2], O_WRONLY | O_TRUNC);
  if (out < 0 || write(out, argv[3], strlen(argv[3])) < 0) return fail("rewrite");
  close(out);
  usleep((useconds_t)atoi(argv[4]) * 1000);
  /* Without a rewind, nothing changes. */
  printf("no_rewind_eof=%zd\n", read(fd, big, sizeof big));
  lseek(fd, 0, SEEK_SET);
  printf("lseek=%ld\n", total_from_fd(dup(fd)));
  printf("lseek_free=%ld\n", meminfo_kb(big, "MemFree"));
  rewind(a);
  size_t n = fread(big, 1, sizeof big - 1, a);
  big[n] = '\0';
  printf("rewind=%ld\n", meminfo_kb(big, "MemTotal"));
  fseek(b, 0, SEEK_SET);
  n = fread(big, 1, sizeof big - 1, b);
  big[n] = '\0';
  printf("fseek=%ld\n", meminfo_kb(big, "MemTotal"));
  fseeko(c, 0, SEEK_SET);
  n = fread(big, 1, sizeof big - 1, c);
  big[n] = '\0';
  printf("fseeko=%ld\n", meminfo_kb(big, "MemTotal"));
  fsetpos(d, &start);
  n = fread(big, 1, sizeof big - 1, d);
  big[n] = '\0';
  printf("fsetpos=%ld\n", meminfo_kb(big, "MemTotal"));
  printf("fsetpos_free=%ld\n", meminfo_kb(big, "MemFree"));
  rewind(e);
  n = fread(big, 1, sizeof big - 1, e);
  big[n] = '\0';
  printf("rewind_mapped=%ld\n", meminfo_kb(big, "MemTotal"));
  /* The fd number reused by a real file after a raw close: not re-rendered. */
  syscall(SYS_close, fd2);
  int other = open("/etc/hostname", O_RDONLY);
  if (other != fd2) dup2(other, fd2);
  lseek(fd2, 0, SEEK_SET);
  char host[256];
  ssize_t hn = read(fd2, host, sizeof host - 1);
  host[hn > 0 ? hn : 0] = '\0';
  printf("reused_fd_is_hostname=%d\n", strstr(host, "MemTotal") == NULL && hn > 0);
  return 0;
}

/* Whether the served fd is the real /proc/meminfo to fstat. */
static int stats_as_meminfo(int fd) {
  struct stat fd_st, path_st;
  return fstat(fd, &fd_st) == 0 && stat("/proc/meminfo", &path_st) == 0 && fd_st.st_dev == path_st.st_dev &&
         fd_st.st_ino == path_st.st_ino;
}

/* A served fd far up the fd table (a server with thousands of connections
 * open): one /proc/meminfo fd low (its chunk of the shim's table is the first
 * mapped), then every number below FLOOR taken, so the second opens at FLOOR
 * (its chunk mapped apart). A rewind of either after FILE is rewritten must
 * show fresh numbers, and fstat the real file's identity. Prints
 * skip=REASON where the fd limit cannot be raised to FLOOR (no root). */
static int cmd_rewind_high_fd(int argc, char** argv) {
  if (argc < 5) return fail("usage: rewind-high-fd FILE CONTENT FLOOR");
  int floor_fd = atoi(argv[4]);
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return fail("getrlimit");
  if (limit.rlim_cur < (rlim_t)floor_fd + 16) {
    limit.rlim_cur = (rlim_t)floor_fd + 16;
    if (limit.rlim_max < limit.rlim_cur) limit.rlim_max = limit.rlim_cur; /* root may raise it */
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      printf("skip=RLIMIT_NOFILE cannot be raised to %d (%s)\n", floor_fd + 16, strerror(errno));
      return 0;
    }
  }
  int low = open("/proc/meminfo", O_RDONLY);
  int null_fd = open("/dev/null", O_RDONLY);
  if (low < 0 || null_fd < 0) return fail("open");
  for (int fd = 0; fd < floor_fd; ++fd)
    if (fcntl(fd, F_GETFD) < 0 && dup2(null_fd, fd) != fd) return fail("dup2");
  int high = open("/proc/meminfo", O_RDONLY);
  printf("high_fd=%d\n", high);
  if (high < 0) return fail("open");
  read_fd_all(low, big, sizeof big);
  read_fd_all(high, big, sizeof big);
  printf("before_free=%ld\n", meminfo_kb(big, "MemFree"));
  int out = open(argv[2], O_WRONLY | O_TRUNC);
  if (out < 0 || write(out, argv[3], strlen(argv[3])) < 0) return fail("rewrite");
  close(out);
  lseek(high, 0, SEEK_SET);
  read_fd_all(high, big, sizeof big);
  printf("lseek_free=%ld\n", meminfo_kb(big, "MemFree"));
  lseek(low, 0, SEEK_SET);
  read_fd_all(low, big, sizeof big);
  printf("low_lseek_free=%ld\n", meminfo_kb(big, "MemFree"));
  printf("identity=%s\n", stats_as_meminfo(high) ? "same" : "differs");
  printf("low_identity=%s\n", stats_as_meminfo(low) ? "same" : "differs");
  return 0;
}

/* The answers the caller expects (the fixture's N and MemTotal in kB), given on
 * the command line rather than taken from the process's own first call: a shim
 * that fell back to the real answers everywhere would agree with itself. */
static long expected_cpus, expected_kb;
static int parse_expected(int argc, char** argv) {
  if (argc < 4) return 0;
  expected_cpus = atol(argv[2]);
  expected_kb = atol(argv[3]);
  return expected_cpus > 0 && expected_kb > 0;
}

/* MemTotal in kB, reading /proc/meminfo into the caller's buf: threads, a
 * signal handler and a vfork child each need their own, not `big`. */
static long meminfo_total_into(char* buf, size_t cap) {
  int fd = open("/proc/meminfo", O_RDONLY);
  if (fd < 0) return -1;
  read_fd_all(fd, buf, cap);
  close(fd);
  return meminfo_kb(buf, "MemTotal");
}

/* 64 threads calling every entry point at once; any answer other than the
 * expected one is printed. */
static pthread_barrier_t start_line;

static void* hammer(void* arg) {
  (void)arg;
  char local[8192];
  pthread_barrier_wait(&start_line);
  for (int i = 0; i < 200; ++i) {
    cpu_set_t set;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    int g = get_nprocs();
    int a = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
    int p = pthread_getaffinity_np(pthread_self(), sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
    struct sysinfo info;
    sysinfo(&info);
    long s = (long)((unsigned long long)info.totalram * info.mem_unit / 1024);
    long m = meminfo_total_into(local, sizeof local);
    if (n != expected_cpus || g != expected_cpus || a != expected_cpus || p != expected_cpus || s != expected_kb ||
        m != expected_kb) {
      printf("mismatch n=%ld g=%d a=%d p=%d sysinfo=%ld meminfo=%ld\n", n, g, a, p, s, m);
      return (void*)1;
    }
  }
  return NULL;
}

static int cmd_threads(int argc, char** argv) {
  if (!parse_expected(argc, argv)) return fail("usage: threads CPUS MEMTOTAL_KB");
  /* Nothing has asked yet: the 64 threads make the process's first calls
   * together, past a barrier, racing the configuration read and the first
   * refresh; then the main thread asks too. */
  pthread_t threads[64];
  pthread_barrier_init(&start_line, NULL, 64);
  for (int i = 0; i < 64; ++i) pthread_create(&threads[i], NULL, hammer, NULL);
  int bad = 0;
  for (int i = 0; i < 64; ++i) {
    void* r;
    pthread_join(threads[i], &r);
    bad += r != NULL;
  }
  bad += sysconf(_SC_NPROCESSORS_ONLN) != expected_cpus;
  printf("threads_bad=%d\n", bad);
  return 0;
}

/* fork, vfork, and a signal handler each ask for CPUs and MemTotal; each
 * answer must be the expected one (not merely the parent's). */
static volatile long handler_cpus = -1, handler_kb = -1;
static void on_signal(int sig) {
  (void)sig;
  static char buf[8192];
  handler_cpus = sysconf(_SC_NPROCESSORS_ONLN);
  handler_kb = meminfo_total_into(buf, sizeof buf);
}

/* Run in the children: exit status 0 only when every answer is the expected one. */
static int child_sees_expected(void) {
  char buf[8192];  /* the stack: a vfork child must not write the parent's statics */
  cpu_set_t set;
  return sysconf(_SC_NPROCESSORS_ONLN) == expected_cpus && get_nprocs() == expected_cpus &&
         sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == expected_cpus &&
         meminfo_total_into(buf, sizeof buf) == expected_kb;
}

static int cmd_processes(int argc, char** argv) {
  if (!parse_expected(argc, argv)) return fail("usage: processes CPUS MEMTOTAL_KB");
  printf("parent_cpus=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
  printf("parent_meminfo_kb=%ld\n", meminfo_total_into(big, sizeof big));
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(child_sees_expected() ? 0 : 1);
  int status = 0;
  waitpid(pid, &status, 0);
  printf("fork_sees_view=%d\n", WIFEXITED(status) && WEXITSTATUS(status) == 0);
  pid = vfork();
  if (pid == 0) _exit(child_sees_expected() ? 0 : 1);
  waitpid(pid, &status, 0);
  printf("vfork_sees_view=%d\n", WIFEXITED(status) && WEXITSTATUS(status) == 0);
  signal(SIGUSR1, on_signal);
  raise(SIGUSR1);
  printf("handler_cpus=%ld\n", handler_cpus);
  printf("handler_meminfo_kb=%ld\n", handler_kb);
  return 0;
}

static int count_fds(void) {
  DIR* d = opendir("/proc/self/fd");
  int n = 0;
  while (readdir(d)) ++n;
  closedir(d);
  return n;
}

static int cmd_fds(void) {
  int before = count_fds();
  for (int i = 0; i < 10000; ++i) {
    int fd = open(i % 2 ? "/proc/meminfo" : "/proc/stat", O_RDONLY);
    if (fd < 0) return fail("open");
    if (i % 100 == 0) lseek(fd, 0, SEEK_SET);
    close(fd);
  }
  for (int i = 0; i < 1000; ++i) {
    FILE* f = fopen("/sys/devices/system/cpu/online", "r");
    if (!f) return fail("fopen");
    rewind(f);
    fclose(f);
  }
  printf("fd_delta=%d\n", count_fds() - before);
  return 0;
}

/* memfd_create refused (as by a seccomp profile): the O_TMPFILE fallback serves. */
static int cmd_no_memfd(void) {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_memfd_create, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail("no_new_privs");
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) return fail("seccomp");
  errno = 0;
  printf("memfd_refused=%d\n", syscall(SYS_memfd_create, "x", 0) < 0 && errno == EPERM);
  printf("meminfo_total_kb=%ld\n", total_from_fd(open("/proc/meminfo", O_RDONLY)));
  read_path("/sys/devices/system/cpu/online", big, sizeof big);
  big[strcspn(big, "\n")] = '\0';
  printf("online=%s\n", big);
  return 0;
}

/* Pointers the kernel refuses (EFAULT): the first page and the kernel's
 * half. Not run under valgrind, which reports each as the program's error. */
static int cmd_bad_pointers(void) {
  int fd;
  FILE* f;
  volatile uintptr_t first_page = 1, kernel_half = ~(uintptr_t)4095;
  errno = 0;
  fd = open((const char*)first_page, O_RDONLY);
  printf("first_page_path_fd=%d errno=%d\n", fd, errno);
  errno = 0;
  fd = openat(AT_FDCWD, (const char*)kernel_half, O_RDONLY);
  printf("kernel_half_path_fd=%d errno=%d\n", fd, errno);
  errno = 0;
  f = fopen((const char*)first_page, "r");
  printf("first_page_fopen=%s errno=%d\n", f ? "ok" : "null", errno);
  errno = 0;
  int rc = sched_setaffinity(0, sizeof(cpu_set_t), (const cpu_set_t*)first_page);
  printf("first_page_setaffinity=%d errno=%d\n", rc, errno);
  rc = pthread_setaffinity_np(pthread_self(), sizeof(cpu_set_t), (const cpu_set_t*)kernel_half);
  printf("kernel_half_pthread_setaffinity=%d\n", rc);
  return 0;
}

/* DIR/meminfo, a symlink to /proc/meminfo, named through "..": the kernel's
 * walk ends at the symlink, which O_NOFOLLOW refuses (ELOOP) and a plain
 * open follows. */
static int cmd_symlink_climb(int argc, char** argv) {
  if (argc < 3) return fail("usage: symlink-climb DIR");
  char link[4096], sub[4096], climb[4096];
  snprintf(link, sizeof link, "%s/meminfo", argv[2]);
  snprintf(sub, sizeof sub, "%s/d", argv[2]);
  snprintf(climb, sizeof climb, "%s/d/../meminfo", argv[2]);
  if (symlink("/proc/meminfo", link) != 0 || mkdir(sub, 0755) != 0) return fail("symlink/mkdir");
  errno = 0;
  int fd = open(climb, O_RDONLY | O_NOFOLLOW);
  printf("nofollow_fd=%d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
  if (fd >= 0) close(fd);
  printf("climb_total_kb=%ld\n", total_from_fd(open(climb, O_RDONLY)));
  printf("link_total_kb=%ld\n", total_from_fd(open(link, O_RDONLY)));
  return 0;
}

/* Address space the kernel counts now (VmSize), read past the shim: an
 * open of /proc/self/status would be served. */
static long vm_size_bytes(void) {
  int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY);
  if (fd < 0) return -1;
  char text[4096];
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return -1;
  text[n] = '\0';
  const char* line = strstr(text, "VmSize:");
  return line ? strtol(line + 7, NULL, 10) * 1024 : -1;
}

/* Kilobytes of anonymous mappings (no file, not the stack, heap or vdso),
 * read past the shim. */
/* The address range the preloaded library (LD_PRELOAD, one absolute path)
 * occupies: its segments, with their zeroed tails (p_memsz). */
struct address_range {
  uintptr_t start, end;
};

static int find_preload(struct dl_phdr_info* info, size_t size, void* data) {
  (void)size;
  const char* preload = getenv("LD_PRELOAD");
  struct address_range* range = data;
  if (!preload || strcmp(info->dlpi_name, preload) != 0) return 0;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)* segment = &info->dlpi_phdr[i];
    if (segment->p_type != PT_LOAD) continue;
    uintptr_t start = (info->dlpi_addr + segment->p_vaddr) & ~(page - 1);
    uintptr_t end = (info->dlpi_addr + segment->p_vaddr + segment->p_memsz + page - 1) & ~(page - 1);
    if (range->end == 0 || start < range->start) range->start = start;
    if (end > range->end) range->end = end;
  }
  return 1;
}

/* Anonymous kB (no file, no name) mapped: all of them, or only those inside
 * `within` (NULL: everywhere). */
static long anonymous_kb_in(const struct address_range* within) {
  static char maps[1 << 16];
  int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY);
  if (fd < 0) return -1;
  size_t n = read_fd_all(fd, maps, sizeof maps);
  close(fd);
  long kb = 0;
  for (char* line = maps; line < maps + n && *line;) {
    char* end = strchr(line, '\n');
    if (end) *end = '\0';
    unsigned long start = 0, stop = 0, inode = 1;
    int path_at = 0;
    if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %n", &start, &stop, &inode, &path_at) >= 3 && inode == 0 &&
        line[path_at] == '\0') {
      if (within) {
        start = start > within->start ? start : within->start;
        stop = stop < within->end ? stop : within->end;
      }
      if (stop > start) kb += (long)((stop - start) / 1024);
    }
    line = end ? end + 1 : maps + n;
  }
  return kb;
}

static long anonymous_kb(void) { return anonymous_kb_in(NULL); }

/* What a process maps for the shim: nothing until something is served (no
 * zeroed tail of its image mapped apart), then its tables once
 * (lib/lazy_zeroed.hpp). The process's total at start is not compared: what
 * ld.so allocates to track a library grows with the length of its path. */
static int cmd_mappings(void) {
  struct address_range image = {0, 0};
  dl_iterate_phdr(find_preload, &image);
  printf("preload_found=%d\n", image.end != 0);
  printf("image_anon_kb_at_start=%ld\n", anonymous_kb_in(&image));
  printf("anon_kb_at_start=%ld\n", anonymous_kb());
  long first = total_from_fd(open("/proc/meminfo", O_RDONLY));
  printf("anon_kb_after_first=%ld\n", anonymous_kb());
  long second = total_from_fd(open("/proc/meminfo", O_RDONLY));
  printf("anon_kb_after_second=%ld\n", anonymous_kb());
  printf("meminfo_total_kb=%ld %ld\n", first, second);
  return 0;
}

/* Grows the stack now: under the RLIMIT_AS below it could not grow later. */
static __attribute__((noinline)) void touch_stack(size_t bytes) {
  volatile char pad[256 * 1024];
  for (size_t i = 0; i < bytes && i < sizeof pad; i += 4096) pad[i] = 1;
}

/* No new mapping can be made (RLIMIT_AS at what is mapped): the shim's
 * tables (lib/lazy_zeroed.hpp) cannot be mapped on first use. Every answer
 * must still come, right, and nothing may crash. */
static int cmd_no_new_mappings(void) {
  touch_stack(256 * 1024);
  long anon_before = anonymous_kb();
  long mapped = vm_size_bytes();
  struct rlimit limit = {(rlim_t)mapped, (rlim_t)mapped};
  if (mapped <= 0 || setrlimit(RLIMIT_AS, &limit) != 0) return fail("setrlimit");
  void* p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mmap_refused=%d\n", p == MAP_FAILED);
  errno = 0;
  int fd = open("/proc/meminfo", O_RDONLY);
  printf("errno_kept=%d\n", errno == 0);
  printf("meminfo_total_kb=%ld\n", total_from_fd(fd));
  fd = open("/sys/devices/system/cpu/online", O_RDONLY);
  size_t n = fd < 0 ? 0 : read_fd_all(fd, big, sizeof big / 2);
  lseek(fd, 0, SEEK_SET);
  size_t again = fd < 0 ? 0 : read_fd_all(fd, big + n + 1, sizeof big / 2);
  close(fd);
  big[strcspn(big, "\n")] = '\0';
  printf("online=%s\n", big);
  printf("rewound_same=%d\n", again == n && memcmp(big + n + 1, big, strlen(big)) == 0);
  printf("sysconf_onln=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
  read_path("/proc/stat", big, sizeof big);
  printf("stat_cpu_lines=%d\n", count_prefix_lines(big, "cpu", 1));
  printf("anon_same=%d\n", anonymous_kb() == anon_before);
  return 0;
}

/* Lowers the fd limit to `limit` and fills every fd below it but the
 * `free_fds` highest. */
static void leave_free_fds(int limit, int free_fds) {
  struct rlimit lim = {(rlim_t)limit, (rlim_t)limit};
  setrlimit(RLIMIT_NOFILE, &lim);
  while (open("/dev/null", O_RDONLY) >= 0) {
  }
  for (int i = 1; i <= free_fds; ++i) close(limit - i);
}

/* Edges where the shim once answered otherwise than the real calls: the
 * test compares each line natively and under the shim. */
static int cmd_edges(void) {
  /* A stream with no fd (fmemopen): seeking it leaves errno alone. */
  char text[8] = "abcdefg";
  FILE* m = fmemopen(text, sizeof text, "r");
  errno = 0;
  rewind(m);
  printf("rewind_memstream_errno=%d\n", errno);
  errno = 0;
  int rc = fseek(m, 0, SEEK_SET);
  printf("fseek_memstream=%d errno=%d\n", rc, errno);
  fpos_t pos;
  fgetpos(m, &pos);
  errno = 0;
  rc = fsetpos(m, &pos);
  printf("fsetpos_memstream=%d errno=%d\n", rc, errno);
  fclose(m);
  /* An O_PATH fd of a symlink is no directory to open from (ENOTDIR); a
   * directory's is. */
  int link = open("/proc/self", O_PATH | O_NOFOLLOW);
  errno = 0;
  int fd = openat(link, "status", O_RDONLY);
  printf("symlink_dirfd=%d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
  int dir = open("/proc", O_PATH | O_DIRECTORY);
  printf("directory_dirfd_total_kb=%ld\n", total_from_fd(openat(dir, "meminfo", O_RDONLY)));
  close(link);
  close(dir);
  /* ",ccs=" makes a wide stream. In a child that leaves by _exit: glibc keeps
   * the charset's conversion steps for the process's life, which
   * LeakSanitizer would report at exit (natively too). */
  pid_t child = fork();
  if (child == 0) {
    FILE* w = fopen("/proc/meminfo", "r,ccs=UTF-8");
    wchar_t line[256] = L"";
    printf("ccs_wide=%d\n", w ? fwide(w, 0) : -99);
    if (w && fgetws(line, 256, w)) printf("ccs_total_kb=%ld\n", wcstol(line + wcscspn(line, L"0123456789"), NULL, 10));
    /* The lowest free fd, as fopen of the path gives, with the mode's close-on-exec. */
    FILE* e = fopen("/proc/meminfo", "re,ccs=UTF-8");
    printf("ccs_fileno=%d,%d cloexec=%d\n", w ? fileno(w) : -1, e ? fileno(e) : -1,
           e ? fcntl(fileno(e), F_GETFD) & FD_CLOEXEC : -1);
    _exit(0);
  }
  waitpid(child, NULL, 0);
  printf("plain_total_kb=%ld\n", total_from_fd(open("/proc/meminfo", O_RDONLY)));
  /* O_NOATIME is refused (EPERM) to a user who does not own the file. */
  child = fork();
  if (child == 0) {
    if (getuid() == 0 && setuid(65534) != 0) _exit(1);
    errno = 0;
    fd = open("/proc/meminfo", O_RDONLY | O_NOATIME);
    printf("noatime_other_user=%d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    _exit(0);
  }
  waitpid(child, NULL, 0);
  /* freopen with one fd free, as many as the real freopen needs. */
  child = fork();
  if (child == 0) {
    leave_free_fds(64, 1);
    errno = 0;
    FILE* f = freopen("/proc/meminfo", "r", stdin);
    printf("freopen_one_free=%s fileno=%d errno=%d\n", f ? "ok" : "null", f ? fileno(f) : -1, f ? 0 : errno);
    _exit(0);
  }
  waitpid(child, NULL, 0);
  return 0;
}

/* A thread with a small stack of KIB KiB asks the CPU count and reads
   /proc/meminfo's MemTotal (the README's stack figures); the main thread
   asks the same, for comparison. A stack too small ends in SIGSEGV. */
struct small_stack_answers {
  long onln;
  long total_kb;
};

static void ask_cpus_and_memory(struct small_stack_answers* a) {
  a->onln = sysconf(_SC_NPROCESSORS_ONLN);
  a->total_kb = -1;
  int fd = open("/proc/meminfo", O_RDONLY);
  if (fd < 0) return;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n > 0) {
    buf[n] = '\0';
    sscanf(buf, "MemTotal: %ld kB", &a->total_kb);
  }
}

static void* small_stack_body(void* arg) {
  ask_cpus_and_memory(arg);
  return NULL;
}

static int cmd_small_stack(int argc, char** argv) {
  size_t bytes = (argc > 2 ? (size_t)atoi(argv[2]) : 48) * 1024;
  /* No smaller than the port allows: aarch64's glibc takes no stack below 128 KiB. */
  if (bytes < (size_t)PTHREAD_STACK_MIN) bytes = (size_t)PTHREAD_STACK_MIN;
  printf("stack_kib=%zu\n", bytes / 1024);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  int rc = pthread_attr_setstacksize(&attr, bytes);
  if (rc != 0) {
    errno = rc;
    return fail("pthread_attr_setstacksize");
  }
  struct small_stack_answers small, main_thread;
  pthread_t thread;
  if (pthread_create(&thread, &attr, small_stack_body, &small) != 0) return fail("pthread_create");
  pthread_join(thread, NULL);
  ask_cpus_and_memory(&main_thread);
  printf("small_stack_onln=%ld\nsmall_stack_total_kb=%ld\n", small.onln, small.total_kb);
  printf("main_onln=%ld\nmain_total_kb=%ld\n", main_thread.onln, main_thread.total_kb);
  return 0;
}

/* At the fd limit the open fails with EMFILE, as the real one would. */
static int cmd_fd_limit(void) {
  int fd;
  while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
  }
  printf("real_errno=%d\n", errno);
  errno = 0;
  fd = open("/proc/meminfo", O_RDONLY);
  printf("served_fd=%d errno=%d\n", fd, errno);
  return 0;
}

/* Whether syscall() passes a call's sixth argument on: mmap's file offset
   (mmap2's, in 4 KiB units, where there is one) maps the page of 'b's, not the
   'a's before it. s390x's mmap is the old call of one argument (a pointer to
   the six): there recvfrom's sixth, the address length the kernel writes back. */
static int sixth_argument_arrives(void) {
#if defined(__s390x__)
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) != 0 || write(pair[0], "b", 1) != 1) return 0;
  struct sockaddr_un from;
  socklen_t length = sizeof from;
  char got = 0;
  long r = syscall(SYS_recvfrom, pair[1], &got, 1L, 0L, &from, &length);
  close(pair[0]);
  close(pair[1]);
  return r == 1 && got == 'b' && length == 0;  /* an unbound sender's address: none, of length 0 */
#else
  long page = sysconf(_SC_PAGESIZE);
  int fd = (int)syscall(SYS_memfd_create, "probe", 0);
  char fill[65536];
  memset(fill, 'a', (size_t)page);
  memset(fill + page, 'b', (size_t)page);
  if (fd < 0 || write(fd, fill, 2 * (size_t)page) != 2 * page) return 0;
#ifdef SYS_mmap2
  void* at = (void*)syscall(SYS_mmap2, NULL, (size_t)page, PROT_READ, MAP_PRIVATE, fd, page / 4096);
#else
  void* at = (void*)syscall(SYS_mmap, NULL, (size_t)page, PROT_READ, MAP_PRIVATE, fd, page);
#endif
  close(fd);
  return at != MAP_FAILED && *(const char*)at == 'b';
#endif
}

/* syscall() under the shim: the affinity numbers with the system call's
 * conventions (the bytes written, the rest of the buffer untouched, the
 * kernel's errors), the view's mask read and set back, and every other number
 * passed on as the program made it. */
static int cmd_syscalls(void) {
  static unsigned char buf[1024];
  memset(buf, 0xa5, sizeof buf);
  long written = syscall(SYS_sched_getaffinity, 0, sizeof buf, buf);
  unsigned char kernel[1024];
  memset(kernel, 0, sizeof kernel);
  long kernel_written = kernel_getaffinity(0, sizeof kernel, kernel);
  printf("get_written=%ld\n", written);
  printf("kernel_written=%ld\n", kernel_written);
  int tail_kept = 1;
  for (size_t i = written > 0 ? (size_t)written : 0; i < sizeof buf; ++i) tail_kept &= buf[i] == 0xa5;
  printf("tail_kept=%d\n", tail_kept);
  print_mask("syscall_mask", (cpu_set_t*)buf, written > 0 ? (size_t)written : 0);
  print_mask("kernel_mask", (cpu_set_t*)kernel, kernel_written > 0 ? (size_t)kernel_written : 0);
  cpu_set_t function_mask;
  if (sched_getaffinity(0, sizeof function_mask, &function_mask) != 0) return fail("sched_getaffinity");
  print_mask("function_mask", &function_mask, sizeof function_mask);
  long by_pid = syscall(SYS_sched_getaffinity, getpid(), sizeof buf, buf);
  print_mask("syscall_getpid_mask", (cpu_set_t*)buf, by_pid > 0 ? (size_t)by_pid : 0);
  /* Another process's mask is real; a success leaves errno as it was. */
  errno = 4242;
  long by_parent = syscall(SYS_sched_getaffinity, getppid(), sizeof buf, buf);
  printf("errno_kept=%d\n", errno == 4242);
  print_mask("syscall_parent_mask", (cpu_set_t*)buf, by_parent > 0 ? (size_t)by_parent : 0);
  memset(kernel, 0, sizeof kernel);
  long kernel_parent = kernel_getaffinity(getppid(), sizeof kernel, kernel);
  print_mask("kernel_parent_mask", (cpu_set_t*)kernel, kernel_parent > 0 ? (size_t)kernel_parent : 0);

  /* The kernel's errors, as without the shim. */
  errno = 0;
  long r = syscall(SYS_sched_getaffinity, 0, 1, buf);
  printf("small_size=%ld errno=%d\n", r, errno);
  errno = 0;
  r = syscall(SYS_sched_getaffinity, 0, sizeof buf, NULL);
  printf("null_mask=%ld errno=%d\n", r, errno);
  errno = 0;
  r = syscall(SYS_sched_setaffinity, 0, sizeof buf, NULL);
  printf("set_null_mask=%ld errno=%d\n", r, errno);

  /* The view set back keeps the real mask; a CPU of the real mask that the view
     leaves out is set as given (with a one-CPU view, that CPU set is the view
     itself: the real mask stays), and the view set back after that gives the
     real mask again. */
  written = syscall(SYS_sched_getaffinity, 0, sizeof buf, buf);
  printf("set_shown=%ld\n", syscall(SYS_sched_setaffinity, 0, (size_t)written, buf));
  memset(kernel, 0, sizeof kernel);
  print_mask("kernel_after_set_shown", (cpu_set_t*)kernel, (size_t)kernel_getaffinity(0, sizeof kernel, kernel));
  unsigned char one[1024];
  memset(one, 0, sizeof one);
  int last = -1;
  for (int cpu = 0; cpu < written * 8; ++cpu)
    if (CPU_ISSET_S(cpu, (size_t)written, (cpu_set_t*)kernel) && !CPU_ISSET_S(cpu, (size_t)written, (cpu_set_t*)buf))
      last = cpu;
  CPU_SET_S(last, sizeof one, (cpu_set_t*)one);
  printf("pin=%d\n", last);
  printf("set_pin=%ld\n", syscall(SYS_sched_setaffinity, 0, sizeof one, one));
  memset(kernel, 0, sizeof kernel);
  print_mask("kernel_after_pin", (cpu_set_t*)kernel, (size_t)kernel_getaffinity(0, sizeof kernel, kernel));
  printf("set_shown_again=%ld\n", syscall(SYS_sched_setaffinity, 0, (size_t)written, buf));
  memset(kernel, 0, sizeof kernel);
  print_mask("kernel_after_set_shown_again", (cpu_set_t*)kernel, (size_t)kernel_getaffinity(0, sizeof kernel, kernel));

  /* A size larger than the buffer behind it: the kernel reads only its own
     mask's bytes, and so must the shim. The shown mask in the last 1 KiB
     before an inaccessible page, given with a size of 1 MiB. */
  long page_size = sysconf(_SC_PAGESIZE);
  unsigned char* pages = mmap(NULL, 2 * (size_t)page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED || mprotect(pages + page_size, (size_t)page_size, PROT_NONE) != 0) return fail("mmap");
  unsigned char* tail = pages + page_size - 1024;
  memset(tail, 0, 1024);
  memcpy(tail, buf, (size_t)written);
  printf("set_oversized=%ld\n", syscall(SYS_sched_setaffinity, 0, 1L << 20, tail));
  memset(kernel, 0, sizeof kernel);
  print_mask("kernel_after_set_oversized", (cpu_set_t*)kernel, (size_t)kernel_getaffinity(0, sizeof kernel, kernel));
  munmap(pages, 2 * (size_t)page_size);

  /* Other numbers. */
  printf("getpid_same=%d\n", syscall(SYS_getpid) == getpid());
  errno = 0;
  r = syscall(SYS_close, -1);
  printf("close_bad=%ld errno=%d\n", r, errno);
  printf("sixth_argument=%d\n", sixth_argument_arrives());
  return 0;
}

/* Where each syscall() call reached a later preload's syscall() from
   (syscall_recorder_preload.c): the probe itself, when the shim forwards a
   number it does not serve by a jump. The first call of the process comes
   first, before anything else could have made the shim look libc's up. */
static const char* caller_object(long answer) {
  if (answer == -1) return "not-reached";
  if (answer == -2) return "arguments-changed";
  Dl_info info;
  Dl_info self;
  if (dladdr((void*)answer, &info) == 0 || dladdr((void*)&caller_object, &self) == 0) return "unknown";
  return strcmp(info.dli_fname, self.dli_fname) == 0 ? "probe" : info.dli_fname;
}

static int cmd_syscall_chain(void) {
  long first = syscall(CGVIEW_RECORDER_NUMBER, 0x1111L, 0x2222L, 0x3333L, 0x4444L, 0x5555L, 0x6666L);
  long second = syscall(CGVIEW_RECORDER_NUMBER, 0x1111L, 0x2222L, 0x3333L, 0x4444L, 0x5555L, 0x6666L);
  printf("first_from=%s\n", caller_object(first));
  printf("second_from=%s\n", caller_object(second));
  cpu_set_t set;
  long written = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
  printf("affinity_count=%d\n", written > 0 ? CPU_COUNT_S((size_t)written, &set) : -1);
  printf("getpid_same=%d\n", syscall(SYS_getpid) == getpid());
  return 0;
}

/* LLVM's OpenMP runtime, loaded at run time: it reads and sets the affinity
 * through syscall() and counts CPUs in the mask it reads. */
static int cmd_openmp(int argc, char** argv) {
  if (argc < 3) return fail("usage: openmp LIBOMP_PATH");
  void* omp = dlopen(argv[2], RTLD_NOW);
  if (omp == NULL) {
    printf("error=%s\n", dlerror());
    return 1;
  }
  int (*num_procs)(void) = (int (*)(void))dlsym(omp, "omp_get_num_procs");
  int (*max_threads)(void) = (int (*)(void))dlsym(omp, "omp_get_max_threads");
  if (num_procs == NULL || max_threads == NULL) return fail("dlsym omp_get_num_procs");
  printf("omp_num_procs=%d\n", num_procs());
  printf("omp_max_threads=%d\n", max_threads());
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char* cmd = argc > 1 ? argv[1] : "view";
  if (strcmp(cmd, "syscall-chain") == 0) return cmd_syscall_chain();  /* first: see there */
  if (strcmp(cmd, "view") == 0) return cmd_view();
  if (strcmp(cmd, "syscalls") == 0) return cmd_syscalls();
  if (strcmp(cmd, "openmp") == 0) return cmd_openmp(argc, argv);
  if (strcmp(cmd, "paths") == 0) return cmd_paths();
  if (strcmp(cmd, "open-and-read") == 0 && argc > 2) return cmd_open_and_read(argv[2]);
  if (strcmp(cmd, "identity") == 0) return cmd_identity();
  if (strcmp(cmd, "restore-after-refresh") == 0) return cmd_restore_after_refresh();
  if (strcmp(cmd, "view-after-main-exits") == 0) return cmd_view_after_main_exits();
  if (strcmp(cmd, "own-fd-table") == 0) return cmd_own_fd_table(argc, argv);
  if (strcmp(cmd, "thread-status") == 0) return cmd_thread_status();
  if (strcmp(cmd, "passthrough") == 0) return cmd_passthrough();
  if (strcmp(cmd, "bad-pointers") == 0) return cmd_bad_pointers();
  if (strcmp(cmd, "symlink-climb") == 0) return cmd_symlink_climb(argc, argv);
  if (strcmp(cmd, "rewind") == 0) return cmd_rewind(argc, argv);
  if (strcmp(cmd, "rewind-high-fd") == 0) return cmd_rewind_high_fd(argc, argv);
  if (strcmp(cmd, "threads") == 0) return cmd_threads(argc, argv);
  if (strcmp(cmd, "processes") == 0) return cmd_processes(argc, argv);
  if (strcmp(cmd, "fds") == 0) return cmd_fds();
  if (strcmp(cmd, "no-memfd") == 0) return cmd_no_memfd();
  if (strcmp(cmd, "fd-limit") == 0) return cmd_fd_limit();
  if (strcmp(cmd, "edges") == 0) return cmd_edges();
  if (strcmp(cmd, "small-stack") == 0) return cmd_small_stack(argc, argv);
  if (strcmp(cmd, "no-new-mappings") == 0) return cmd_no_new_mappings();
  if (strcmp(cmd, "mappings") == 0) return cmd_mappings();
  if (strcmp(cmd, "rewind-beside-fstat") == 0) return cmd_rewind_beside_fstat(argc, argv);
  if (strcmp(cmd, "rewind-while-reused") == 0) return cmd_rewind_while_reused(argc, argv);
  fprintf(stderr, "unknown command %s\n", cmd);
  return 2;
}
