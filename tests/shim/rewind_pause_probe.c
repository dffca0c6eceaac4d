/* cgview_rewind_pause_probe: a fork at one exact step of another thread's
 * rewind of a served /proc/meminfo, made certain rather than left to timing
 * (fork_fd_probe.c's "rewind" forks at random moments). Needs
 * rewind_pause_preload.c preloaded before libcgview.so: it holds the
 * rewinding thread at STEP until this program has forked.
 *
 * The child must hold exactly the fds the program held before the rewind
 * began (the program's fd among them, reading the view's first line) and
 * none of the shim's; the parent, once the rewind is done, the same set.
 * Prints reached=1 (the thread got to STEP), child_clean, child_reads and
 * parent_clean (1 each when right); the child names each odd fd on stderr.
 *
 * usage: cgview_rewind_pause_probe STEP [fd-hole]
 *   STEP: as rewind_pause_preload.c names them. fd-hole: 300 fds first, the
 *   lowest closed, so the shim's memory file takes a number low down and its
 *   reopen lands above all of them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "fd_numbers.h"

enum { kMaxFds = 512 };

static int program_fd = -1;
static int before[kMaxFds];
static int before_count;
static int rewound; /* the thread's read after its rewind gave the view */

static int first_line_is_memtotal(int fd) {
  char text[10] = "";
  return pread(fd, text, 9, 0) == 9 && strcmp(text, "MemTotal:") == 0;
}

static void* rewinder(void* unused) {
  (void)unused;
  char text[10] = "";
  rewound = lseek(program_fd, 0, SEEK_SET) == 0 && read(program_fd, text, 9) == 9 && strcmp(text, "MemTotal:") == 0;
  return NULL;
}

static void say(const char* what, int fd) {
  char link[64], target[256] = "?", line[400];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  long n = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof target - 1);
  if (n >= 0) target[n] = '\0';
  int len = snprintf(line, sizeof line, "child %s fd %d (%s, flags %#lo)\n", what, fd, target,
                     syscall(SYS_fcntl, fd, F_GETFL));
  if (write(2, line, (size_t)len) < 0) _exit(3);
}

/* 1 when `now` is exactly `before`; the child names each difference. */
static int same_as_before(const int* now, int count, int in_child) {
  int same = 1;
  for (int i = 0; i < count; ++i) {
    int found = 0;
    for (int j = 0; j < before_count && !found; ++j) found = before[j] == now[i];
    if (!found && in_child) say("holds", now[i]);
    same &= found;
  }
  for (int j = 0; j < before_count; ++j) {
    int found = 0;
    for (int i = 0; i < count && !found; ++i) found = before[j] == now[i];
    if (!found && in_child) say("lost", before[j]);
    same &= found;
  }
  return same;
}

/* The child's word: bit 0 set when its fds are not the program's, bit 1
 * when the program's fd does not read the view. */
static int child_check(void) {
  int now[kMaxFds];
  int count = list_fds(now, kMaxFds);
  return (count < 0 || !same_as_before(now, count, 1)) | (first_line_is_memtotal(program_fd) ? 0 : 2);
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "fd-hole") != 0)) {
    fprintf(stderr, "usage: %s STEP [fd-hole]\n", argv[0]);
    return 2;
  }
  int (*pause_at)(const char*, int, int, int) = (int (*)(const char*, int, int, int))dlsym(RTLD_DEFAULT, "rewind_pause_at");
  if (pause_at == NULL) {
    fprintf(stderr, "rewind_pause_preload.c's library is not preloaded\n");
    return 2;
  }
  program_fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
  if (program_fd < 0 || !first_line_is_memtotal(program_fd)) return 2;
  int reached[2], go[2];
  if (pipe2(reached, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) return 2;
  if (argc == 3 && open_fds_with_a_hole() != 0) return 2; /* after the pipes, which would fill the hole */
  before_count = list_fds(before, kMaxFds);
  if (before_count < 0 || pause_at(argv[1], program_fd, reached[1], go[0]) != 0) {
    fprintf(stderr, "no /proc, or no step %s\n", argv[1]);
    return 2;
  }
  pthread_t thread;
  if (pthread_create(&thread, NULL, rewinder, NULL) != 0) return 2;
  struct pollfd wait_for = {reached[0], POLLIN, 0};
  int got_there = poll(&wait_for, 1, 20000) == 1;
  int child_word = -1;
  if (got_there) {
    pid_t pid = fork();
    if (pid == 0) _exit(child_check());
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) child_word = WEXITSTATUS(status);
  }
  char byte = 1;
  if (write(go[1], &byte, 1) != 1) return 2;
  pthread_join(thread, NULL);
  int now[kMaxFds];
  int count = list_fds(now, kMaxFds);
  printf("reached=%d\nchild_clean=%d\nchild_reads=%d\nrewound=%d\nparent_clean=%d\n", got_there,
         child_word >= 0 && (child_word & 1) == 0, child_word >= 0 && (child_word & 2) == 0, rewound,
         count >= 0 && same_as_before(now, count, 0));
  return 0;
}
