/* A preload before libcgview.so that holds a thread inside one chosen
 * system call of the shim's until the program has forked: the shim makes its
 * system calls through syscall(), and this library's comes first.
 * mid_call_probe.c arms it with pause_at_syscall(N, AFTER, ...): the
 * Nth syscall() made from then on (1: the next) holds its thread before the
 * call is made (AFTER 0) or once it has returned (AFTER 1), telling the
 * program through one pipe and waiting for its word on another. Only the
 * thread the program lets make calls calls syscall() while it is armed.
 * paused_with_signal_blocked says whether the held thread had SIGUSR1, the
 * probe's signal, blocked there.
 * Every other call goes on untouched. */
#include "later_syscall_preload.h" /* first: it defines _GNU_SOURCE */

#include <signal.h>
#include <unistd.h>

static volatile long left;  /* calls to go before the held one; <= 0: none armed */
static volatile int hold_after;
static int reached_fd = -1, go_fd = -1;
static volatile long held_number = -1, held_argument = 0;
static volatile int held_with_blocked;

void pause_at_syscall(long nth, int after, int reached, int go) {
  reached_fd = reached, go_fd = go, hold_after = after;
  if (nth > 0) held_number = -1; /* disarming (0) keeps what was held, for the program to report */
  left = nth;
}

/* The held call's number and first argument (-1: none held since arming). */
long paused_syscall(long* first_argument) {
  *first_argument = held_argument;
  return held_number;
}

/* Whether the held thread had SIGUSR1 blocked (the shim holds
 * signals off across some of its work): a handler then runs only later. */
int paused_with_signal_blocked(void) { return held_with_blocked; }

/* Says it is there, then waits for the program's word (its fork is done). */
static void hold(long number, long first_argument) {
  held_number = number, held_argument = first_argument;
  sigset_t mask;
  held_with_blocked = pthread_sigmask(SIG_BLOCK, NULL, &mask) == 0 && sigismember(&mask, SIGUSR1) == 1;
  char byte = 1;
  if (write(reached_fd, &byte, 1) != 1 || read(go_fd, &byte, 1) != 1) _exit(97);
}

SYSCALL_PRELOAD_ENTRY long syscall(long number, ...) {
  READ_SYSCALL_ARGUMENTS(number, a);
  if (left <= 0) return next_syscall_after_this(number, a);
  int held = --left == 0;
  if (held && !hold_after) hold(number, a[0]);
  long result = next_syscall_after_this(number, a);
  if (held && hold_after) hold(number, a[0]);
  return result;
}
