/* cgview_fork_fd_probe: what a fork child inherits while another thread is
 * inside a call. One thread calls CALL in a loop; the main thread forks FORKS
 * times, and each child (which never execs, so close-on-exec does not apply)
 * lists its fds against those the program held before the thread started.
 * Natively sysinfo, sysconf and sched_getaffinity open no fd, an fstat or a
 * rewind none that outlives it; an open's new fd is the program's from the
 * instant it returns. So a child may hold, beside the program's, only the fd
 * of an open the thread had made (for "open"): never one of the files the
 * shim reads to answer (here a fixture's, under CGVIEW_SYSROOT).
 * Prints calls=N (the thread's, before the forks end), forks=N and leaking=M
 * (children holding any other fd; each says which on stderr).
 *
 * With "handler-forks" first, a timer's signal handler forks while the main
 * thread opens /proc/meminfo (a fork inside the thread's own call), 2,000
 * times, before the thread starts: printed as handler_forks=N. The shim
 * must neither wait for that call nor give the guard up for it.
 *
 * usage: cgview_fork_fd_probe sysinfo|phys-pages|affinity|fstat|rewind|open FORKS [handler-forks] */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kMaxFds = 64 };

static atomic_int stop;
static atomic_long calls;
static const char* call;
static int served_fd = -1; /* the program's own, for fstat and rewind */
static int before[kMaxFds];
static int before_count;

/* The fds open now, by raw system calls (the child of a threaded program may
 * call only async-signal-safe functions); the listing's own left out. */
static int list_fds(int* out, int max) {
  int dir = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  char buf[4096];
  int count = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
    if (n <= 0) break;
    for (long at = 0; at < n;) {
      struct dirent64* e = (struct dirent64*)(buf + at);
      at += e->d_reclen;
      if (e->d_name[0] == '.') continue;
      int fd = atoi(e->d_name);
      if (fd != dir && count < max) out[count++] = fd;
    }
  }
  syscall(SYS_close, dir);
  return count;
}

static int held_before(int fd) {
  for (int i = 0; i < before_count; ++i)
    if (before[i] == fd) return 1;
  return 0;
}

/* In the child: 0 when it holds only what the program held, and for "open"
 * at most the one fd of the thread's open (the served memory file, or
 * natively /proc/meminfo itself), returned or about to be. */
static int child_check(void) {
  int now[kMaxFds];
  int count = list_fds(now, kMaxFds);
  if (count < 0) return 2;
  int odd = 0, opens = 0;
  for (int i = 0; i < count; ++i) {
    if (held_before(now[i])) continue;
    char link[64], target[256] = "?";
    snprintf(link, sizeof link, "/proc/self/fd/%d", now[i]);
    long n = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof target - 1);
    if (n >= 0) target[n] = '\0';
    int the_open = strncmp(target, "/memfd:", 7) == 0 || strcmp(target, "/proc/meminfo") == 0;
    if (strcmp(call, "open") == 0 && the_open && opens++ == 0) continue;
    char line[400];
    int len = snprintf(line, sizeof line, "child holds fd %d (%s), which the program never opened\n", now[i], target);
    if (write(2, line, (size_t)len) < 0) odd = 1;
    odd = 1;
  }
  return odd;
}

static void call_once(void) {
  if (strcmp(call, "sysinfo") == 0) {
    struct sysinfo info;
    sysinfo(&info);
  } else if (strcmp(call, "phys-pages") == 0) {
    sysconf(_SC_PHYS_PAGES);
  } else if (strcmp(call, "affinity") == 0) {
    cpu_set_t set;
    sched_getaffinity(0, sizeof set, &set);
  } else if (strcmp(call, "fstat") == 0) {
    struct stat st;
    fstat(served_fd, &st);
  } else if (strcmp(call, "rewind") == 0) {
    char buf[64];
    lseek(served_fd, 0, SEEK_SET);
    if (read(served_fd, buf, sizeof buf) < 0) abort();
  } else {
    int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) close(fd);
  }
}

static volatile sig_atomic_t handler_forks;

static void fork_in_handler(int signal_number) {
  (void)signal_number;
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  if (pid > 0 && waitpid(pid, NULL, 0) == pid) handler_forks = handler_forks + 1;
}

/* Forks from a timer's handler that interrupts served opens, until 2,000
 * have been made. */
static void forks_from_a_handler(void) {
  signal(SIGALRM, fork_in_handler);
  struct itimerval every = {{0, 300}, {0, 300}}, off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &every, NULL);
  while (handler_forks < 2000) {
    int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) close(fd);
  }
  setitimer(ITIMER_REAL, &off, NULL);
  signal(SIGALRM, SIG_DFL);
}

static void* caller(void* unused) {
  (void)unused;
  while (!atomic_load(&stop)) {
    call_once();
    atomic_fetch_add(&calls, 1);
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 4 && strcmp(argv[3], "handler-forks") == 0)) {
    fprintf(stderr, "usage: %s sysinfo|phys-pages|affinity|fstat|rewind|open FORKS [handler-forks]\n", argv[0]);
    return 2;
  }
  call = argv[1];
  int forks = atoi(argv[2]);
  if (argc == 4) forks_from_a_handler();
  if (strcmp(call, "fstat") == 0 || strcmp(call, "rewind") == 0) served_fd = open("/proc/meminfo", O_RDONLY);
  before_count = list_fds(before, kMaxFds);
  if (before_count < 0) return 2;
  pthread_t thread;
  if (pthread_create(&thread, NULL, caller, NULL) != 0) return 2;
  while (atomic_load(&calls) < 50) sched_yield();
  int leaking = 0;
  for (int i = 0; i < forks; ++i) {
    pid_t pid = fork();
    if (pid == 0) _exit(child_check());
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return 2;
    leaking += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  }
  long made = atomic_load(&calls);
  atomic_store(&stop, 1);
  pthread_join(thread, NULL);
  printf("calls=%ld\nforks=%d\nleaking=%d\nhandler_forks=%d\n", made, forks, leaking, (int)handler_forks);
  return 0;
}
