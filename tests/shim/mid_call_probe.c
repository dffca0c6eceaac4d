/* cgview_mid_call_probe: a fork, or a signal handler that calls the shim
 * itself, at every system call of another call, made certain rather than
 * left to timing (fork_fd_probe.c forks at random moments). Needs
 * syscall_pause_preload.c preloaded before libcgview.so: it holds the
 * calling thread before, then after, each of the shim's system calls in
 * turn, while this program acts.
 *
 * After a warm-up call (the view then cached, as in a program that has
 * asked before; for fstat and rewind the served fd's open; and the signal
 * handler's calls; with "first", none), for N = 1, 2, ... until the call makes fewer than N system calls:
 * a new process (a fork of the probe) has a thread make CALL once, held
 * before its Nth, and acts; then the same, held after it. The acts:
 * - fork: the child must hold exactly the fds the program held before (its
 *   served fd still reading the view, for fstat and rewind), and for an open
 *   at most the one fd the open returns, as natively;
 * - signal: the held thread gets a signal whose handler opens and reads
 *   /proc/meminfo and calls sysinfo, inside the call it interrupted: both
 *   must give the same total memory, and the interrupted call, once done,
 *   the same too (its memory figure, where it has one);
 * - jump: the held thread gets a signal whose handler leaves the call by
 *   siglongjmp (where the shim holds signals off, once it lets them
 *   through): calls made after it must give the view, within 20 s;
 * - spawn: the program posix_spawns itself (the exec'd copy lists its fds):
 *   it must get nothing but the program's fds without close-on-exec (every
 *   fd the probe opens itself has it), and for open-inheritable at most the
 *   fd the open returns (which may still be the memory file being written).
 * Each time the process must hold, after the call, the fds it held before
 * (after a jump, but for a call on a served file: the README says why).
 * Every call's own answer must be the view's: MID_CALL_TOTAL (bytes) and
 * MID_CALL_CPUS, where set, say what it is.
 * Prints syscalls=N (the call's, from the last run), acts=N, and unclean=M
 * (positions where something was not right); each says on stderr where it
 * was held and what it found.
 *
 * usage: cgview_mid_call_probe CALL [fd-hole|fd-limit|-] [first|-] [fork|signal|jump|spawn]
 *   CALL: sysinfo|phys-pages|affinity|fstat|rewind|open|wide-open (as in
 *   fork_fd_probe.c), or open-inheritable (an open without O_CLOEXEC),
 *   status-inheritable (the same of /proc/self/status, whose input is open
 *   while it renders: its memory file is made above it and moved down). fd-hole: 300 fds first, the lowest closed, so the
 *   shim's next file takes a number low down and the one after lands above
 *   all of them. fd-limit: RLIMIT_NOFILE leaves one fd number free, which
 *   the shim's first file takes (a fork child then can open nothing). first: no warm-up, so that each call is its process's
 *   first, which finds the cgroup and reads its limits (not for fstat and
 *   rewind, whose served fd is opened first). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <wchar.h>

#include "fd_numbers.h"
#include "probe_io.h"

enum { kMaxFds = 512 };

static const char* call;
enum Act { kFork, kSignal, kJump, kSpawn };
static enum Act act_kind;
static int served_fd = -1; /* the program's own, for fstat and rewind */
static int before[kMaxFds];
static int before_count;
static int reached[2], go[2], handled[2];
static long nth;
static int after;
static long (*paused_syscall)(long*);
static int first_call; /* "first": no warm-up, the call is its process's first */
static int (*paused_with_signal_blocked)(void);

static long long call_value;                   /* what the thread's call gave */
static int opened_fd = -1;                     /* the fd an open returned */
static volatile long long handler_total;       /* the handler's MemTotal, in bytes; -1: not the same as sysinfo's */

static int first_line_is_memtotal(int fd) {
  char text[10] = "";
  return pread(fd, text, 9, 0) == 9 && strcmp(text, "MemTotal:") == 0;
}

/* The bytes of text's first line, "MemTotal: N kB"; -1 when it is not one. */
static long long memtotal_bytes(const char* text) {
  if (strncmp(text, "MemTotal:", 9) != 0) return -1;
  long long kb = 0;
  const char* at = text + 9;
  while (*at == ' ') ++at;
  if (*at < '0' || *at > '9') return -1;
  while (*at >= '0' && *at <= '9') kb = kb * 10 + (*at++ - '0');
  return kb * 1024;
}

/* MemTotal of a read of fd from where it is; -1 when the read fails. */
static long long memtotal_read(int fd) {
  char text[64];
  ssize_t n = read(fd, text, sizeof text - 1);
  if (n <= 0) return -1;
  text[n] = '\0';
  return memtotal_bytes(text);
}

/* CALL, made once: the memory it gives in bytes (sysinfo, phys-pages and
 * the reads of /proc/meminfo), else 1 where it worked; -1 where not. */
static long long call_once(void) {
  if (strcmp(call, "sysinfo") == 0) {
    struct sysinfo info;
    return sysinfo(&info) == 0 ? (long long)info.totalram * info.mem_unit : -1;
  } else if (strcmp(call, "phys-pages") == 0) {
    return (long long)sysconf(_SC_PHYS_PAGES) * getpagesize();
  } else if (strcmp(call, "affinity") == 0) {
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : -1;
  } else if (strcmp(call, "fstat") == 0) {
    struct stat st;
    return fstat(served_fd, &st) == 0 ? 1 : -1;
  } else if (strcmp(call, "rewind") == 0) {
    return lseek(served_fd, 0, SEEK_SET) == 0 ? memtotal_read(served_fd) : -1;
  } else if (strcmp(call, "wide-open") == 0) { /* a reopen of the served content: the shim's fd beside */
    FILE* stream = fopen("/proc/meminfo", "re,ccs=UTF-8");
    if (stream == NULL) return -1;
    long long read_one = fgetwc(stream) == L'M' ? 1 : -1;
    fclose(stream);
    return read_one;
  }
  if (strcmp(call, "status-inheritable") == 0) { /* rendered while its input is open: the memory file moves down */
    int fd = opened_fd = open("/proc/self/status", O_RDONLY);
    char text[6] = "";
    long long read_one = fd >= 0 && read(fd, text, 5) == 5 && strcmp(text, "Name:") == 0 ? 1 : -1;
    if (fd >= 0) close(fd);
    return read_one;
  }
  /* "open", or "open-inheritable": without O_CLOEXEC, as a program that
   * spawns would not have it */
  int fd = opened_fd = open("/proc/meminfo", O_RDONLY | (strcmp(call, "open") == 0 ? O_CLOEXEC : 0));
  long long total = fd >= 0 ? memtotal_read(fd) : -1;
  if (fd >= 0) close(fd);
  return total;
}

static int opens_one(void) {
  return strcmp(call, "open") == 0 || strcmp(call, "wide-open") == 0 || strstr(call, "-inheritable") != NULL;
}

/* The view's figures, where the caller gave them (MID_CALL_TOTAL, bytes;
 * MID_CALL_CPUS): a real answer that merely agrees with itself is not the
 * view. -1: not given. */
static long long expected_total = -1, expected_cpus = -1;

static int gives_memory(void);

/* Whether `value`, what CALL gave, is the view's (for calls that give no
 * figure: that it worked). */
static int value_right(long long value) {
  if (gives_memory()) return value > 0 && (expected_total < 0 || value == expected_total);
  if (strcmp(call, "affinity") == 0) return value > 0 && (expected_cpus < 0 || value == expected_cpus);
  return value > 0;
}

static int gives_memory(void) {
  return strcmp(call, "affinity") != 0 && strcmp(call, "fstat") != 0 && strcmp(call, "wide-open") != 0 &&
         strcmp(call, "status-inheritable") != 0;
}

static sigjmp_buf landing; /* the thread's, before its call: where "jump" leaves it for */

/* The thread: the call (or its end by a jump out of it), then word that it
 * is over (2; 1 is the preload's "held"). */
static void* caller(void* unused) {
  (void)unused;
  if (sigsetjmp(landing, 1) == 0) call_value = call_once();
  else call_value = -3;
  char byte = 2;
  if (write(reached[1], &byte, 1) != 1) _exit(98);
  return NULL;
}

/* The handler's two calls of the shim's own: the total memory both give,
 * or -1 where they differ. */
static long long handlers_calls(void) {
  int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
  long long total = fd >= 0 ? memtotal_read(fd) : -1;
  if (fd >= 0) close(fd);
  struct sysinfo info;
  long long sysinfo_total = sysinfo(&info) == 0 ? (long long)info.totalram * info.mem_unit : -2;
  return total > 0 && total == sysinfo_total ? total : -1;
}

/* On the held thread, inside its call. */
static void handler(int signal_number) {
  (void)signal_number;
  if (act_kind == kJump) siglongjmp(landing, 1);
  handler_total = handlers_calls();
  char byte = 1;
  if (write(handled[1], &byte, 1) != 1) _exit(98);
}

static void say(const char* who, const char* what, int fd) {
  char target[256], line[400];
  long argument = 0, number = paused_syscall(&argument);
  int len = snprintf(line, sizeof line, "%s %s, %s system call %ld (number %ld, first argument %d): %s fd %d (%s, flags %#lo)\n",
                     call, who, after ? "after" : "before", nth, number, (int)argument, what, fd,
                     fd_target(fd, target, sizeof target, "?"),
                     fd >= 0 ? syscall(SYS_fcntl, fd, F_GETFL) : 0);
  if (write(2, line, (size_t)len) < 0) _exit(99);
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
  char buf[256];
  const char* target = fd_target(fd, buf, sizeof buf, "");
  long seals = syscall(SYS_fcntl, fd, F_GET_SEALS), flags = syscall(SYS_fcntl, fd, F_GETFL);
  size_t length = strlen(target);
  if (flags < 0 || (flags & O_APPEND)) return 0; /* the shim's marks (lib/own_fds.hpp) have it; the program's opens not */
  return (strncmp(target, "/memfd:", 7) == 0 && seals >= 0 && (seals & F_SEAL_WRITE) != 0) ||
         strcmp(target, "/proc/meminfo") == 0 ||
         (strcmp(call, "status-inheritable") == 0 && length > 7 && strcmp(target + length - 7, "/status") == 0);
}

/* 1 when the fds open now are the program's from before (and, `one_open`,
 * at most one fd an open returns); `who` names each difference on stderr. */
static int fds_as_before(const char* who, int one_open) {
  int now[kMaxFds];
  int count = list_fds(now, kMaxFds);
  if (count < 0) {
    say(who, "cannot list its fds (no fd free?), so neither", -1);
    return 0;
  }
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

/* fd-limit: the fd limit raised again (to its hard limit), where a fork
 * child that kept the open's fd has none free to list with. */
static void room_to_list(void) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

static int child_check(void) {
  room_to_list();
  int right = fds_as_before("child", opens_one());
  if (served_fd >= 0 && !first_line_is_memtotal(served_fd)) {
    say("child", "cannot read the view from", served_fd);
    right = 0;
  }
  return right ? 0 : 1;
}

/* 1 when the handler ran, within 20 s, and saw one total. */
static int handler_was_right(void) {
  char byte;
  struct pollfd wait_for = {handled[0], POLLIN, 0};
  if (poll(&wait_for, 1, 20000) != 1 || read(handled[0], &byte, 1) != 1) {
    say("handler", "never ran, or hung:", -1);
    return 0;
  }
  if (handler_total < 0) say("handler", "read a MemTotal other than sysinfo's:", -1);
  if (handler_total > 0 && expected_total >= 0 && handler_total != expected_total)
    say("handler", "read another MemTotal than the view's:", -1);
  return handler_total > 0 && (expected_total < 0 || handler_total == expected_total);
}

static char inheritable[1024] = ","; /* ",3,7,": the program's fds without close-on-exec */

static int in_list(const char* list, int fd) {
  char item[16];
  snprintf(item, sizeof item, ",%d,", fd);
  return strstr(list, item) != NULL;
}

/* In a program spawned (exec'd) at a held system call: writes to stdout
 * each fd it holds beyond the program's fds without close-on-exec (`list`,
 * as `inheritable`), as "FD " */
static int list_inherited(const char* list) {
  int now[kMaxFds];
  int count = list_fds(now, kMaxFds);
  for (int i = 0; i < count; ++i)
    if (!in_list(list, now[i])) printf("%d ", now[i]);
  return count < 0;
}

static char spawned_extra[256]; /* what list_inherited wrote */

/* Spawns list_inherited, its stdout a pipe: 1 when it ran. */
static int spawn_and_list(void) {
  char* args[] = {(char*)"cgview_mid_call_probe", (char*)"--inherited", inheritable, NULL};
  extern char** environ;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return 0;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  pid_t pid;
  int status = 0, spawned = posix_spawn(&pid, "/proc/self/exe", &actions, NULL, args, environ) == 0;
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  ssize_t n = spawned ? read_fd_all(out[0], spawned_extra, sizeof spawned_extra) : 0;
  (void)n;
  close(out[0]);
  return spawned && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Once the call is done: the spawned program held nothing but the
 * program's fds without close-on-exec, and for open-inheritable at most the
 * fd the open returned (it may be the memory file still being written then:
 * the same file description, so the same content in the end, as natively a
 * spawn just after the open would share it). */
static int spawned_right(void) {
  int extra = -1, more = sscanf(spawned_extra, "%d %*d", &extra);
  int right = spawned_extra[0] == '\0' ||
              (strstr(call, "-inheritable") != NULL && more == 1 && extra == opened_fd &&
               strchr(spawned_extra, ' ') == strrchr(spawned_extra, ' '));
  if (!right) {
    char what[300];
    snprintf(what, sizeof what, "(the open returned %d) got fds: %s", opened_fd, spawned_extra);
    say("spawn", what, -1);
  }
  return right;
}

/* The act at the held system call: 1 when what it saw was right, 2 when the
 * signal waits (the shim holds signals off there: the handler runs once it
 * lets them through, still inside the call), 3 when the thread jumped out
 * of its call already (it waits for no word then). */
static int act(pthread_t thread) {
  if (act_kind == kSpawn) return spawn_and_list();
  if (act_kind == kFork) {
    pid_t pid = fork();
    if (pid == 0) _exit(child_check());
    int status = 0;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  if (pthread_kill(thread, SIGUSR1) != 0) return 0;
  if (paused_with_signal_blocked()) return 2;
  return act_kind == kJump ? 3 : handler_was_right();
}

/* After a jump out of the call: within 20 s, calls in this thread give the
 * view (the same total from /proc/meminfo and sysinfo, and from the call),
 * and, but for a call on a served file (an open, a rewind, an fstat: a
 * limitation the README states), no fd of the jumped-out call is left. */
static int right_after_a_jump(void) {
  alarm(20); /* a hang ends the process: its parent says so */
  long long total = handlers_calls(), again = call_once();
  alarm(0);
  int right = total > 0 && (expected_total < 0 || total == expected_total) && value_right(again) &&
              (!gives_memory() || again == total);
  if (!right) {
    char what[160];
    snprintf(what, sizeof what, "then: the call gave %lld, the handler's calls %lld (no fd):", again, total);
    say("jump", what, -1);
  }
  int served = served_fd >= 0 || opens_one();
  return (served || fds_as_before("jump", 0)) && right;
}

/* One call held at the Nth system call (AFTER it or before), with the act
 * there: 1 when all was right, 0 when not, -1 when the call made fewer
 * system calls (no act), -2 on a failure of the probe's own. */
static int act_mid_call(void (*pause_at)(long, int, int, int)) {
  pause_at(nth, after, reached[1], go[0]);
  pthread_t thread;
  if (pthread_create(&thread, NULL, caller, NULL) != 0) return -2;
  struct pollfd wait_for = {reached[0], POLLIN, 0};
  char word = 0;
  if (poll(&wait_for, 1, 20000) != 1 || read(reached[0], &word, 1) != 1) return -2;
  int result = -1;
  if (word == 1) {
    result = act(thread);
    char go_on = 1;
    if (result != 3 && write(go[1], &go_on, 1) != 1) return -2;
    if (read(reached[0], &word, 1) != 1) return -2; /* the call's end */
  }
  pthread_join(thread, NULL);
  pause_at(0, 0, -1, -1);
  if (result < 0) return result;
  if (act_kind == kJump) return right_after_a_jump();
  if (act_kind == kSpawn && !spawned_right()) result = 0;
  if (result == 2) result = handler_was_right();
  if (!value_right(call_value) || (act_kind == kSignal && gives_memory() && call_value != handler_total)) {
    char what[160];
    snprintf(what, sizeof what, "gave %lld, the handler %lld (no fd):", call_value, (long long)handler_total);
    say("call", what, -1);
    result = 0;
  }
  return fds_as_before("parent", 0) ? result : 0;
}

/* act_mid_call in a new process (a fork of the probe's: each call is the
 * first of its kind there, as the first rewind, whose reopen may land above
 * every fd the shim has had). */
static int position(void (*pause_at)(long, int, int, int)) {
  pid_t pid = fork();
  if (pid == 0) {
    /* Not left to the parent's warm-up, which the view outlives by only
     * half a second: every position's call finds the view fresh. */
    if (!first_call) handlers_calls();
    _exit(act_mid_call(pause_at) + 2);
  }
  int status = 0;
  if (pid <= 0 || waitpid(pid, &status, 0) != pid) return -2;
  if (WIFEXITED(status) && WEXITSTATUS(status) <= 3) return WEXITSTATUS(status) - 2;
  say("process", "was killed by a signal (SIGALRM: a call after the jump hung), or ended with an odd status:",
      WIFEXITED(status) ? -WEXITSTATUS(status) : -WTERMSIG(status));
  return 0;
}

static int is(int argc, char** argv, int at, const char* word) {
  return argc > at && strcmp(argv[at], word) == 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && is(argc, argv, 1, "--inherited")) return list_inherited(argv[2]);
  int first = first_call = is(argc, argv, 3, "first");
  act_kind = is(argc, argv, 4, "signal") ? kSignal : is(argc, argv, 4, "jump") ? kJump : is(argc, argv, 4, "spawn") ? kSpawn : kFork;
  if (argc < 2 || argc > 5 ||
      (argc > 2 && !is(argc, argv, 2, "fd-hole") && !is(argc, argv, 2, "fd-limit") && !is(argc, argv, 2, "-")) ||
      (argc > 3 && !first && !is(argc, argv, 3, "-")) || (argc > 4 && act_kind == kFork && !is(argc, argv, 4, "fork"))) {
    fprintf(stderr, "usage: %s CALL [fd-hole|fd-limit|-] [first|-] [fork|signal|jump|spawn]\n", argv[0]);
    return 2;
  }
  call = argv[1];
  if (getenv("MID_CALL_TOTAL") != NULL) expected_total = atoll(getenv("MID_CALL_TOTAL"));
  if (getenv("MID_CALL_CPUS") != NULL) expected_cpus = atoll(getenv("MID_CALL_CPUS"));
  void (*pause_at)(long, int, int, int) = (void (*)(long, int, int, int))dlsym(RTLD_DEFAULT, "pause_at_syscall");
  paused_syscall = (long (*)(long*))dlsym(RTLD_DEFAULT, "paused_syscall");
  paused_with_signal_blocked = (int (*)(void))dlsym(RTLD_DEFAULT, "paused_with_signal_blocked");
  if (pause_at == NULL || paused_syscall == NULL || paused_with_signal_blocked == NULL) {
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
  /* SA_RESTART: the held thread's wait for the program's word goes on after the handler. */
  struct sigaction on_signal = {.sa_handler = handler, .sa_flags = SA_RESTART};
  if (pipe2(reached, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0 || pipe2(handled, O_CLOEXEC) != 0 ||
      sigaction(SIGUSR1, &on_signal, NULL) != 0)
    return 2;
  if (is(argc, argv, 2, "fd-hole") && open_fds_with_a_hole() != 0) return 2; /* after the pipes, which would fill the hole */
  /* The view, cached: the calls after are a program's usual ones (the
   * served fd's open did that for fstat and rewind), and with
   * CGVIEW_HOLD_FILES=1 the files the calls and the handler's hold are open
   * from here on. Each position's process warms up again (position). */
  if (!first && served_fd < 0) call_once();
  if (!first) handlers_calls();
  before_count = list_fds(before, kMaxFds);
  if (before_count < 0) return 2;
  /* fd-limit: one fd number left free under RLIMIT_NOFILE, the lowest, which
   * the shim's first file takes: a fork child then cannot open a file. */
  if (is(argc, argv, 2, "fd-limit")) {
    int lowest_free = fcntl(0, F_DUPFD, 0);
    struct rlimit limit;
    if (lowest_free < 0 || close(lowest_free) != 0 || getrlimit(RLIMIT_NOFILE, &limit) != 0) return 2;
    limit.rlim_cur = (rlim_t)lowest_free + 1;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return 2;
  }
  for (int i = 0; i < before_count; ++i)
    if ((fcntl(before[i], F_GETFD) & FD_CLOEXEC) == 0 && strlen(inheritable) + 16 < sizeof inheritable)
      snprintf(inheritable + strlen(inheritable), 16, "%d,", before[i]);
  int acts = 0, unclean = 0;
  long syscalls = 0;
  for (nth = 1; nth <= 1000; ++nth) {
    int result = 0;
    for (after = 0; after <= 1 && result >= 0; ++after) {
      result = position(pause_at);
      if (result == -2) return 2;
      acts += result >= 0;
      unclean += result == 0;
    }
    if (result < 0) break;
    syscalls = nth;
  }
  printf("syscalls=%ld\nacts=%d\nunclean=%d\n", syscalls, acts, unclean);
  return 0;
}
