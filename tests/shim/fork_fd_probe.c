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
 * (children holding any other fd, or missing one of the program's; each says
 * which on stderr).
 *
 * What comes first, where a third word says so (the forks after must still
 * leave their children clean):
 * - handler-forks: a timer's signal handler forks while the main thread opens
 *   /proc/meminfo (a fork inside the thread's own call), 2,000 times, before
 *   the thread starts (handler_forks=N). Each child returns from the
 *   handler into the open it interrupted, which must still give the view
 *   (handler_children_wrong=0): the fds of the child's own call are its own.
 * - atfork-handlers: the program's own prepare, parent and child handlers
 *   open /proc/meminfo at every fork (calls inside the fork itself).
 * - after-fork-syscall: the whole run happens in a child made by a raw fork
 *   system call while a thread was inside sysinfo: its copy of the shim's
 *   counts names a call of a thread it does not have (printed by the child).
 * - lookalikes: the program first opens fds that look like the shim's by
 *   their flags (open_lookalikes), which every child must keep.
 * - fd-hole: the program first opens 300 fds and closes the lowest of them:
 *   the shim's memory file then takes that free fd, and a rewind's reopen
 *   of it lands above all 300, far above any fd the shim had before.
 * - lock-order: 20 times, a thread holding a lock that the program's prepare
 *   handler takes calls sysinfo while a fork waits in that handler: nothing
 *   of the shim's may wait for the fork (lock_order_forks=20; a deadlock
 *   never prints).
 *
 * usage: cgview_fork_fd_probe CALL FORKS [handler-forks|atfork-handlers|after-fork-syscall|lock-order|lookalikes|fd-hole]
 *   CALL: sysinfo|phys-pages|affinity|fstat|rewind|open|wide-open */
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

#include "fd_numbers.h"

enum { kMaxFds = 512 };

static atomic_int stop;
static atomic_long calls;
static const char* call;
static int served_fd = -1; /* the program's own, for fstat and rewind */
static int before[kMaxFds];
static int before_count;

static int before_marked[kMaxFds]; /* read-only with O_APPEND and O_DSYNC: the shim's */
static int in_raw_fork_child;       /* only there may "before" hold the shim's */

static void mark_before(void) {
  if (!in_raw_fork_child) return;
  for (int i = 0; i < before_count; ++i) {
    long flags = syscall(SYS_fcntl, before[i], F_GETFL);
    before_marked[i] = flags >= 0 && (flags & O_ACCMODE) == O_RDONLY && (flags & (O_APPEND | O_DSYNC)) == (O_APPEND | O_DSYNC);
  }
}

static int held_before(int fd) {
  for (int i = 0; i < before_count; ++i)
    if (before[i] == fd) return 1;
  return 0;
}

/* In the child: 0 when it holds only what the program held, and for "open"
 * at most the one fd of the thread's open (the served memory file, or
 * natively /proc/meminfo itself), returned or about to be: a memory file
 * sealed against writes, which the shim does last before it returns one (one
 * still being written is the shim's own). */
static int child_check(void) {
  int now[kMaxFds];
  int count = list_fds(now, kMaxFds);
  if (count < 0) return 2;
  int odd = 0, opens = 0;
  for (int i = 0; i < count; ++i) {
    if (held_before(now[i])) continue;
    char buf[256];
    const char* target = fd_target(now[i], buf, sizeof buf, "?");
    long flags = syscall(SYS_fcntl, now[i], F_GETFL), seals = syscall(SYS_fcntl, now[i], F_GET_SEALS);
    int the_open = (strncmp(target, "/memfd:", 7) == 0 && seals >= 0 && (seals & F_SEAL_WRITE) != 0) ||
                   strcmp(target, "/proc/meminfo") == 0;
    int opens_one = strcmp(call, "open") == 0 || strcmp(call, "wide-open") == 0;
    if (opens_one && the_open && opens++ == 0) continue;
    char line[400];
    int len = snprintf(line, sizeof line, "child holds fd %d (%s, flags %#lo, seals %ld), which the program never opened\n",
                       now[i], target, flags, seals);
    if (write(2, line, (size_t)len) < 0) odd = 1;
    odd = 1;
  }
  /* And it has every fd the program held: the shim closes only its own. (In
   * a raw fork child, "before" has the shim's files its parent's thread had
   * open, read-only with O_APPEND and O_DSYNC: they go, rightly.) */
  for (int i = 0; i < before_count; ++i) {
    int found = 0;
    for (int j = 0; j < count && !found; ++j) found = now[j] == before[i];
    if (found || before_marked[i]) continue;
    char line[100];
    int len = snprintf(line, sizeof line, "child lost fd %d, which the program held\n", before[i]);
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
  } else if (strcmp(call, "wide-open") == 0) { /* a reopen of the served content: the shim's fd beside */
    FILE* stream = fopen("/proc/meminfo", "re,ccs=UTF-8");
    if (stream != NULL) fclose(stream);
  } else {
    int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) close(fd);
  }
}

static void open_meminfo(void) {
  int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) close(fd);
}

static volatile sig_atomic_t handler_forks;

static volatile sig_atomic_t in_handler_child, handler_children_wrong, handler_children_running;
static char first_line[64]; /* of the served /proc/meminfo, before the timer starts */

/* The meminfo's first line as an open and a pread give it; "" when they do not. */
static void first_line_of(int fd, char* out, size_t size) {
  out[0] = '\0';
  if (fd < 0) return;
  ssize_t n = pread(fd, out, size - 1, 0); /* pread: an earlier child may have read through this same open file */
  out[n > 0 ? n : 0] = '\0';
  char* end = strchr(out, '\n');
  if (end != NULL) *end = '\0';
}

/* The child returns from the handler into the call it interrupted, which
 * must end as in the parent: the view's content (the main loop checks it).
 * The parent does not wait here: a handler longer than the timer's period
 * would leave the main loop no time at all. */
static void fork_in_handler(int signal_number) {
  (void)signal_number;
  if (in_handler_child || handler_children_running >= 8) return;
  pid_t pid = fork();
  if (pid == 0) {
    in_handler_child = 1;
    return;
  }
  if (pid > 0) handler_children_running = handler_children_running + 1;
}

/* Reaps the handler's children that have exited; `block`: all of them. */
static void reap_handler_children(int block) {
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, block ? 0 : WNOHANG);
    if (pid <= 0) return;
    handler_children_running = handler_children_running - 1;
    handler_forks = handler_forks + 1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) handler_children_wrong = handler_children_wrong + 1;
  }
}

/* Forks from a timer's handler that interrupts served opens, until 2,000
 * children have ended. Each child finishes the open it was forked inside
 * (or the next one) and checks what it reads. */
static void forks_from_a_handler(void) {
  int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
  first_line_of(fd, first_line, sizeof first_line);
  if (fd >= 0) close(fd);
  signal(SIGALRM, fork_in_handler);
  struct itimerval every = {{0, 300}, {0, 300}}, off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &every, NULL);
  while (handler_forks < 2000) {
    fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (in_handler_child) {
      char line[64];
      first_line_of(fd, line, sizeof line);
      _exit(fd >= 0 && strcmp(line, first_line) == 0 ? 0 : 1);
    }
    if (fd >= 0) close(fd);
    if (in_handler_child) _exit(0); /* forked outside the open: nothing to check */
    reap_handler_children(0);
  }
  setitimer(ITIMER_REAL, &off, NULL);
  signal(SIGALRM, SIG_DFL);
  if (in_handler_child) _exit(0);
  reap_handler_children(1);
  printf("handler_children_wrong=%d\n", (int)handler_children_wrong);
}

static void* caller(void* unused) {
  (void)unused;
  while (!atomic_load(&stop)) {
    call_once();
    atomic_fetch_add(&calls, 1);
  }
  return NULL;
}

static pthread_mutex_t held_by_holder = PTHREAD_MUTEX_INITIALIZER;
static atomic_int holding, in_prepare, forks_done;

static void lock_in_prepare(void) {
  atomic_store(&in_prepare, 1);
  pthread_mutex_lock(&held_by_holder);
}
static void unlock_after_fork(void) { pthread_mutex_unlock(&held_by_holder); }

/* Holds the lock, waits for a fork to reach the prepare handler that wants
 * it, asks sysinfo, lets go; 20 times. */
static void* lock_holder(void* unused) {
  (void)unused;
  for (int round = 0; round < 20; ++round) {
    while (atomic_load(&forks_done) < round) sched_yield(); /* the last round's fork has the lock first */
    pthread_mutex_lock(&held_by_holder);
    atomic_store(&holding, 1);
    while (!atomic_load(&in_prepare)) sched_yield();
    usleep(2000); /* the fork's thread asleep on the lock by now */
    struct sysinfo info;
    sysinfo(&info);
    atomic_store(&in_prepare, 0);
    atomic_store(&holding, 0);
    pthread_mutex_unlock(&held_by_holder);
  }
  return NULL;
}

static int lock_order_forks(void) {
  if (pthread_atfork(lock_in_prepare, unlock_after_fork, unlock_after_fork) != 0) return -1;
  pthread_t thread;
  if (pthread_create(&thread, NULL, lock_holder, NULL) != 0) return -1;
  int made = 0;
  for (int round = 0; round < 20; ++round) {
    while (!atomic_load(&holding)) sched_yield();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0 || waitpid(pid, NULL, 0) != pid) return -1;
    atomic_store(&forks_done, ++made); /* the fork ended after the holder's round: it let the lock go */
  }
  pthread_join(thread, NULL);
  return made;
}

/* The program's own fds that look like the shim's by their flags alone,
 * which children must keep: files outside /proc and /sys opened to read with
 * O_APPEND and O_DSYNC, or O_SYNC (which holds O_DSYNC), a /proc file with
 * O_SYNC, a file of its own read-write with O_APPEND and O_NOATIME, and more
 * served files (some dup'd) than any table of the shim's would hold. */
static void open_lookalikes(void) {
  const char* plain = "/etc/hostname";
  if (open(plain, O_RDONLY | O_APPEND | O_DSYNC | O_CLOEXEC) < 0) abort();
  if (open(plain, O_RDONLY | O_APPEND | O_SYNC | O_CLOEXEC) < 0) abort();
  if (open("/proc/self/stat", O_RDONLY | O_APPEND | O_SYNC | O_CLOEXEC) < 0) abort();
  char scratch[] = "/tmp/cgview-fork-probe-XXXXXX";
  int own = mkstemp(scratch);
  if (own < 0) abort();
  if (open(scratch, O_RDWR | O_APPEND | O_NOATIME | O_CLOEXEC) < 0) abort();
  unlink(scratch);
  close(own);
  for (int i = 0; i < 10; ++i) {
    int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (fd < 0) abort();
    if (i % 3 == 0 && dup(fd) < 0) abort();
  }
}

static int with_a_hole;

/* The run: FORKS forks beside a thread calling CALL. */
static int forks_beside_calls(int forks) {
  if (strcmp(call, "fstat") == 0 || strcmp(call, "rewind") == 0) served_fd = open("/proc/meminfo", O_RDONLY);
  if (with_a_hole && open_fds_with_a_hole() != 0) return 2;
  before_count = list_fds(before, kMaxFds);
  if (before_count < 0) return 2;
  mark_before();
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

static void* sysinfo_for_ever(void* unused) {
  (void)unused;
  for (;;) {
    struct sysinfo info;
    sysinfo(&info);
  }
  return NULL;
}

/* The run in a child of a raw fork system call made while another thread
 * calls sysinfo (so likely inside it); the parent waits for it. */
static int in_a_raw_fork_child(int forks) {
  pthread_t thread;
  if (pthread_create(&thread, NULL, sysinfo_for_ever, NULL) != 0) return 2;
  usleep(20000);
  fflush(stdout);
#if defined(__s390x__)
  pid_t pid = (pid_t)syscall(SYS_clone, 0, SIGCHLD, 0, 0, 0); /* the stack first there */
#else
  pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
#endif
  if (pid == 0) {
    in_raw_fork_child = 1;
    int rc = forks_beside_calls(forks);
    fflush(stdout);
    _exit(rc);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return 2;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

int main(int argc, char** argv) {
  const char* first = argc == 4 ? argv[3] : "";
  if (argc < 3 || argc > 4 ||
      (argc == 4 && strcmp(first, "handler-forks") != 0 && strcmp(first, "atfork-handlers") != 0 &&
       strcmp(first, "after-fork-syscall") != 0 && strcmp(first, "lock-order") != 0 &&
       strcmp(first, "lookalikes") != 0 && strcmp(first, "fd-hole") != 0)) {
    fprintf(stderr, "usage: %s CALL FORKS [handler-forks|atfork-handlers|after-fork-syscall|lock-order|lookalikes|fd-hole]\n",
            argv[0]);
    return 2;
  }
  call = argv[1];
  int forks = atoi(argv[2]);
  if (strcmp(first, "handler-forks") == 0) forks_from_a_handler();
  if (strcmp(first, "atfork-handlers") == 0 && pthread_atfork(open_meminfo, open_meminfo, open_meminfo) != 0) return 2;
  if (strcmp(first, "after-fork-syscall") == 0) return in_a_raw_fork_child(forks);
  if (strcmp(first, "lock-order") == 0) printf("lock_order_forks=%d\n", lock_order_forks());
  if (strcmp(first, "lookalikes") == 0) open_lookalikes();
  with_a_hole = strcmp(first, "fd-hole") == 0;
  return forks_beside_calls(forks);
}
