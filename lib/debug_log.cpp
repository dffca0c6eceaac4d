#include "debug_log.hpp"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "signals_held.hpp"

namespace cgview {

// The line goes to stderr, whatever stderr is, without changing what the
// program sees: errno is kept, and a stderr pipe whose reader has gone must
// not kill the program with SIGPIPE (the kernel sends it to this thread, so
// blocking it here and taking back the one this write raised is enough).
void write_stderr_line(std::string_view line) {
  ErrnoKeeper keep_errno;
  FixedText<1024> text;
  text.add(line.substr(0, 1023)).add('\n');
  const uint64_t pipe_only = signal_bit(SIGPIPE);
  uint64_t pending = 0;
  SignalsHeld held(pipe_only);
  bool was_pending = held.held() && syscall(SYS_rt_sigpending, &pending, sizeof(uint64_t)) == 0 && (pending & pipe_only);
  if (!write_all(2, text.view().data(), text.size()) && errno == EPIPE && held.held() && !was_pending) {
    struct timespec no_wait = {0, 0};
    syscall(SYS_rt_sigtimedwait, &pipe_only, nullptr, &no_wait, sizeof(uint64_t));
  }
}

uint64_t fold_debug_hash(uint64_t hash, std::string_view line) {
  for (char c : line) hash = (hash ^ uint8_t(c)) * 1099511628211u;
  hash = (hash ^ uint8_t('\n')) * 1099511628211u;  // "ab" then "c" is not "a" then "bc"
  return hash | 1;  // never 0, which callers keep for "nothing said yet"
}

DebugLine::~DebugLine() {
  if (!on_) return;
  if (hash_ != nullptr) *hash_ = fold_debug_hash(*hash_, text_.view());
  else write_stderr_line(text_.view());
}

}  // namespace cgview
