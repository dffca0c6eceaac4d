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

DebugLine::~DebugLine() {
  if (!on_) return;
  if (keep_ != nullptr) keep_->text.add(text_.view().substr(0, 1023)).add('\n');
  else write_stderr_line(text_.view());
}

void DebugLines::say_if_changed() {
  std::string_view all = text.view();
  uint64_t hash = 14695981039346656037u;  // FNV-1a
  for (char c : all) hash = (hash ^ uint8_t(c)) * 1099511628211u;
  hash |= 1;  // never 0, which is "nothing said yet"
  if (hash != said) {
    said = hash;
    while (!all.empty()) {
      size_t end = all.find('\n');
      if (end == std::string_view::npos) end = all.size();
      write_stderr_line(all.substr(0, end));
      all.remove_prefix(end < all.size() ? end + 1 : end);
    }
  }
  text.clear();
}

}  // namespace cgview
