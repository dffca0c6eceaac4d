/* A preload before libcgview.so that holds a rewinding thread at one chosen
 * step of the shim's rewind (shim/virtual_fds.cpp, refresh_if_virtual) until
 * the program has forked: the shim makes its system calls through syscall(),
 * and this library's comes first. rewind_pause_probe.c arms it, for one
 * rewind, with rewind_pause_at; every other call goes on untouched.
 *
 * The steps, in the order a rewind takes them (the program's fd is FD; the
 * fresh memory file, marked, is FRESH; its reopen, unmarked, COPY):
 *   before-reopen      noted, COPY not opened yet
 *   after-reopen       COPY open, its number not noted yet
 *   before-fd-dup3     COPY's number noted, FD still the old file
 *   after-fd-dup3      FD is COPY's file now, COPY and FRESH still open
 *   after-copy-dup3    COPY's number holds a dup of FRESH (marked)
 *   before-copy-close  FRESH closed, COPY's number (the dup of FRESH) about
 *                      to be, the last of the rewind's fds */
#include "later_syscall_preload.h" /* first: it defines _GNU_SOURCE */

#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum Step { kNone, kBeforeReopen, kAfterReopen, kBeforeFdDup3, kAfterFdDup3, kAfterCopyDup3, kBeforeCopyClose };

static const char* const kStepNames[] = {"", "before-reopen", "after-reopen", "before-fd-dup3",
                                         "after-fd-dup3", "after-copy-dup3", "before-copy-close"};

static volatile int armed = kNone; /* one rewinding thread; the program waits for it */
static int program_fd = -1, reached_fd = -1, go_fd = -1;
static long copy = -1; /* COPY, once the dup3 of FRESH onto it names it */

/* 0, or -1 for a step this library does not know. */
int rewind_pause_at(const char* step, int fd, int reached, int go) {
  for (int i = kBeforeReopen; i <= kBeforeCopyClose; ++i)
    if (strcmp(step, kStepNames[i]) == 0) {
      program_fd = fd, reached_fd = reached, go_fd = go, copy = -1;
      armed = i;
      return 0;
    }
  return -1;
}

/* Says it is there, then waits for the program's word (its fork is done). */
static void hold(void) {
  armed = kNone;
  char byte = 1;
  if (write(reached_fd, &byte, 1) != 1 || read(go_fd, &byte, 1) != 1) _exit(97);
}

/* The reopen: an open of the memory file through its /proc fd link,
 * without the shim's read mark (its inputs bear it). */
static int is_reopen(long number, const long a[6]) {
  if (number != SYS_openat) return 0;
  const char* path = (const char*)a[1];
  return strncmp(path, "/proc/", 6) == 0 && strstr(path, "/fd/") != NULL && (a[2] & O_APPEND) == 0;
}

SYSCALL_PRELOAD_ENTRY long syscall(long number, ...) {
  READ_SYSCALL_ARGUMENTS(number, a);
  int step = armed;
  if (step == kNone) return next_syscall_after_this(number, a);
  int onto_fd = number == SYS_dup3 && a[1] == program_fd;
  if ((step == kBeforeReopen && is_reopen(number, a)) || (step == kBeforeFdDup3 && onto_fd) ||
      (step == kBeforeCopyClose && number == SYS_close && copy >= 0 && a[0] == copy))
    hold();
  long result = next_syscall_after_this(number, a);
  if (number == SYS_dup3 && !onto_fd) copy = a[1];
  if ((step == kAfterReopen && is_reopen(number, a)) || (step == kAfterFdDup3 && onto_fd) ||
      (step == kAfterCopyDup3 && number == SYS_dup3 && !onto_fd))
    hold();
  return result;
}
