// fork: the real one, and in the child, the library's own fds that another
// thread's call had open are closed (lib/own_fds.hpp says how they are known).
// Nothing waits for anything: a fork is never slower for the library's calls
// in other threads, whatever they do meanwhile.
#include <errno.h>
#include <unistd.h>

#include "export.hpp"
#include "fork_sweep.hpp"
#include "next_symbol.hpp"
#include "own_fds.hpp"
#include "real_functions.hpp"

using namespace cgview;
using namespace cgview::shim;

using ForkFn = pid_t (*)();

CGVIEW_EXPORT pid_t fork() {
  // Null while a thread resolves the real functions: this one (a signal
  // handler that interrupted it forks), or another, which may be waiting for
  // a lock this thread holds (a library's constructor that forks inside
  // dlopen): fork is looked up by itself then, never waited for.
  const RealFunctions* r = real_now();
  ForkFn real = r != nullptr ? r->fork : nullptr;
  if (real == nullptr) real = reinterpret_cast<ForkFn>(next_symbol("fork", nullptr));
  if (real == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  const OwnFdCounts before = own_fd_counts();
  pid_t pid = real();
  if (pid == 0) {
    forget_parents_resolution();
    count_fork_in_child();
    close_fds_copied_from_other_threads(before);
  }
  return pid;
}
