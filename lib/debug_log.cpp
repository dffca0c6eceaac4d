#include "debug_log.hpp"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace cgview {

// The line goes to stderr, whatever stderr is, without changing what the
// program sees: errno is kept, and a stderr pipe whose reader has gone must
// not kill the program with SIGPIPE (the kernel sends it to this thread, so
// blocking it here and taking back the one this write raised is enough).
void write_stderr_line(std::string_view line) {
  ErrnoKeeper keep_errno;
  FixedText<1024> text;
  text.add(line.substr(0, 1023)).add('\n');
  const uint64_t pipe_only = uint64_t(1) << (SIGPIPE - 1);  // the kernel's sigset_t: one bit per signal
  uint64_t old_mask = 0, pending = 0;
  bool blocked = syscall(SYS_rt_sigprocmask, SIG_BLOCK, &pipe_only, &old_mask, sizeof(uint64_t)) == 0;
  bool was_pending = blocked && syscall(SYS_rt_sigpending, &pending, sizeof(uint64_t)) == 0 && (pending & pipe_only);
  if (!write_all(2, text.view().data(), text.size()) && errno == EPIPE && blocked && !was_pending) {
    struct timespec no_wait = {0, 0};
    syscall(SYS_rt_sigtimedwait, &pipe_only, nullptr, &no_wait, sizeof(uint64_t));
  }
  if (blocked) syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old_mask, nullptr, sizeof(uint64_t));
}

DebugLine::~DebugLine() {
  if (on_) write_stderr_line(text_.view());
}

}  // namespace cgview
