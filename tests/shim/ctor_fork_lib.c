/* Loaded by cgview_ctor_fork_probe with dlopen: its constructor forks while
 * ld.so's load lock is held. */
#include <stdatomic.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern atomic_int cgview_in_constructor; /* the probe's */

__attribute__((constructor)) static void fork_at_load(void) {
  atomic_store(&cgview_in_constructor, 1);
  usleep(100000); /* the probe's main thread makes its first hooked call meanwhile */
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid(pid, NULL, 0);
}
