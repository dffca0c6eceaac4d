/* cgview_fork_mid_call_probe: a fork at every system call of another
 * thread's call, made certain rather than left to timing (fork_fd_probe.c
 * forks at random moments). Needs syscall_pause_preload.c preloaded before
 * libcgview.so: it holds the calling thread before, then after, each of the
 * shim's system calls in turn, while this program forks.
 *
 * After a warm-up call (the view then cached, as in a program that has
 * asked before; for fstat and rewind the served fd's open; with "first",
 * none), for N = 1, 2, ... until the call makes fewer than N system
 * calls: a new process (a fork of the probe) has a thread make CALL once,
 * held before its Nth, and forks; then the same, held after it. Each child must hold exactly the fds
 * the program held before (its served fd still reading the view, for fstat
 * and rewind), and for an open at most the one fd the open returns, as
 * natively; the parent, after each call, the same set as before.
 * Prints syscalls=N (the call's, from the last run), forks=N, and unclean=M
 * (children or parents that were not right); each unclean one says on
 * stderr where it was forked and what it found.
 *
 * usage: cgview_fork_mid_call_probe CALL [fd-hole|-] [first]
 *   CALL: sysinfo|phys-pages|affinity|fstat|rewind|open|wide-open (as in
 *   fork_fd_probe.c). fd-hole: 300 fds first, the lowest closed, so the
 *   shim's next file takes a number low down and the one after lands above
 *   all of them. first: no warm-up, so that each call is its process's
 *   first, which finds the cgroup and reads its limits (not for fstat and
 *   rewind, whose served fd is opened first). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#include "fd_numbers.h"

enum { kMaxFds = 512 };

static const char* call;
static int served_fd = -1; /* the program's own, for fstat and rewind */
static int before[kMaxFds];
static int before_count;
static int reached[2], go[2];
static long nth;
static int after;
static long (*paused_syscall)(long*);

static int first_line_is_memtotal(int fd) {
  char text[10] = "";
  return pread(fd, text, 9, 0) == 9 && strcmp(text, "MemTotal:") == 0;
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
    char text[10];
    if (lseek(served_fd, 0, SEEK_SET) != 0 || read(served_fd, text, 9) != 9) _exit(98);
  } else if (strcmp(call, "wide-open") == 0) { /* a reopen of the served content: the shim's fd beside */
    FILE* stream = fopen("/proc/meminfo", "re,ccs=UTF-8");
    if (stream != NULL) fclose(stream);
  } else {
    int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) close(fd);
  }
}

/* The thread: the call, then word that it is over (2; 1 is the preload's
 * "held"). */
static void* caller(void* unused) {
  (void)unused;
  call_once();
  char byte = 2;
  if (write(reached[1], &byte, 1) != 1) _exit(98);
  return NULL;
}

static void say(const char* who, const char* what, int fd) {
  char link[64], target[256] = "?", line[400];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  long n = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof target - 1);
  if (n >= 0) target[n] = '\0';
  long argument = 0, number = paused_syscall(&argument);
  int len = snprintf(line, sizeof line, "%s %s, %s system call %ld (number %ld, first argument %d): %s fd %d (%s, flags %#lo)\n",
                     call, who, after ? "after" : "before", nth, number, (int)argument, what, fd, target,
                     syscall(SYS_fcntl, fd, F_GETFL));
  if (write(2, line, (size_t)len) < 0) _exit(3);
}

static int held_before(int fd) {
  for (int i = 0; i < before_count; ++i)
    if (before[i] == fd) return 1;
  return 0;
}

/* The fd an open returns, returned or about to be: natively the kernel's
 * /proc/meminfo, under the shim a memory file sealed against writes (which
 * it does last: one still being written is the shim's own). */
static int is_the_opens_fd(int fd) {
  char link[64], target[256] = "";
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  long n = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof target - 1);
  if (n >= 0) target[n] = '\0';
  long seals = syscall(SYS_fcntl, fd, F_GET_SEALS);
  return (strncmp(target, "/memfd:", 7) == 0 && seals >= 0 && (seals & F_SEAL_WRITE) != 0) ||
         strcmp(target, "/proc/meminfo") == 0;
}

/* 1 when the fds open now are the program's from before (and, `one_open`,
 * at most one fd an open returns); `who` names each difference on stderr. */
static int fds_as_before(const char* who, int one_open) {
  int now[kMaxFds];
  int count = list_fds(now, kMaxFds);
  if (count < 0) return 0;
  int right = 1, opens = 0;
  for (int i = 0; i < count; ++i) {
    if (held_before(now[i]) || (one_open && is_the_opens_fd(now[i]) && opens++ == 0)) continue;
    say(who, "holds", now[i]);
    right = 0;
  }
  for (int j = 0; j < before_count; ++j) {
    int found = 0;
    for (int i = 0; i < count && !found; ++i) found = before[j] == now[i];
    if (!found) say(who, "lost", before[j]);
    right &= found;
  }
  return right;
}

static int child_check(void) {
  int opens = strcmp(call, "open") == 0 || strcmp(call, "wide-open") == 0;
  int right = fds_as_before("child", opens);
  if (served_fd >= 0 && !first_line_is_memtotal(served_fd)) {
    say("child", "cannot read the view from", served_fd);
    right = 0;
  }
  return right ? 0 : 1;
}

/* One call held at the Nth system call (AFTER it or before), with a fork
 * there: 1 when the child was right, 0 when not, -1 when the call made
 * fewer system calls (no fork), -2 on a failure of the probe's own. */
static int fork_mid_call(void (*pause_at)(long, int, int, int)) {
  pause_at(nth, after, reached[1], go[0]);
  pthread_t thread;
  if (pthread_create(&thread, NULL, caller, NULL) != 0) return -2;
  struct pollfd wait_for = {reached[0], POLLIN, 0};
  char word = 0;
  if (poll(&wait_for, 1, 20000) != 1 || read(reached[0], &word, 1) != 1) return -2;
  int result = -1;
  if (word == 1) {
    pid_t pid = fork();
    if (pid == 0) _exit(child_check());
    int status = 0;
    result = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    char go_on = 1;
    if (write(go[1], &go_on, 1) != 1 || read(reached[0], &word, 1) != 1) return -2; /* then the call's end */
  }
  pthread_join(thread, NULL);
  pause_at(0, 0, -1, -1);
  return result;
}

/* fork_mid_call in a new process (a fork of the probe's: each call is the
 * first of its kind there, as the first rewind, whose reopen may land above
 * every fd the shim has had), and the fds after the call: 1 when both were
 * right, as fork_mid_call otherwise. */
static int position(void (*pause_at)(long, int, int, int)) {
  pid_t pid = fork();
  if (pid == 0) {
    int result = fork_mid_call(pause_at);
    _exit((result >= 0 && !fds_as_before("parent", 0) ? 0 : result) + 2);
  }
  int status = 0;
  return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) - 2 : -2;
}

int main(int argc, char** argv) {
  int first = argc == 4 && strcmp(argv[3], "first") == 0;
  if (argc < 2 || argc > 4 || (argc >= 3 && strcmp(argv[2], "fd-hole") != 0 && strcmp(argv[2], "-") != 0) ||
      (argc == 4 && !first)) {
    fprintf(stderr, "usage: %s CALL [fd-hole|-] [first]\n", argv[0]);
    return 2;
  }
  call = argv[1];
  void (*pause_at)(long, int, int, int) = (void (*)(long, int, int, int))dlsym(RTLD_DEFAULT, "pause_at_syscall");
  paused_syscall = (long (*)(long*))dlsym(RTLD_DEFAULT, "paused_syscall");
  if (pause_at == NULL || paused_syscall == NULL) {
    fprintf(stderr, "syscall_pause_preload.c's library is not preloaded\n");
    return 2;
  }
  if (strcmp(call, "fstat") == 0 || strcmp(call, "rewind") == 0) {
    if (first) {
      fprintf(stderr, "%s needs a served fd: its first call is the open's\n", call);
      return 2;
    }
    served_fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (served_fd < 0 || !first_line_is_memtotal(served_fd)) return 2;
  }
  if (pipe2(reached, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) return 2;
  if (argc >= 3 && argv[2][0] != '-' && open_fds_with_a_hole() != 0) return 2; /* after the pipes, which would fill the hole */
  /* The view, cached: the calls after are a program's usual ones (the
   * served fd's open did that for fstat and rewind). */
  if (!first && served_fd < 0) call_once();
  before_count = list_fds(before, kMaxFds);
  if (before_count < 0) return 2;
  int forks = 0, unclean = 0;
  long syscalls = 0;
  for (nth = 1; nth <= 1000; ++nth) {
    int result = 0;
    for (after = 0; after <= 1 && result >= 0; ++after) {
      result = position(pause_at);
      if (result == -2) return 2;
      forks += result >= 0;
      unclean += result == 0;
    }
    if (result < 0) break;
    syscalls = nth;
  }
  printf("syscalls=%ld\nforks=%d\nunclean=%d\n", syscalls, forks, unclean);
  return 0;
}
