// Holding signals off for a short stretch of the library's own work, and
// giving the thread its mask back exactly as it was.
#pragma once

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace cgview {

// The kernel's sigset_t as the raw system call takes it: one bit per signal
// (64 signals: every port cgview builds for).
inline constexpr uint64_t signal_bit(int sig) { return uint64_t(1) << (sig - 1); }

// The signals a fault raises in the thread that caused it (a seccomp filter's
// SECCOMP_RET_TRAP sends SIGSYS for a system call it traps). Held off, the
// kernel would not queue such a signal but kill the process, where the
// program's handler would have answered it.
inline constexpr uint64_t kFaultSignals = signal_bit(SIGSEGV) | signal_bit(SIGBUS) | signal_bit(SIGILL) |
                                          signal_bit(SIGFPE) | signal_bit(SIGTRAP) | signal_bit(SIGSYS);

// Blocks `signals` (rt_sigprocmask, raw: glibc's wrapper will not block its
// own internal signals) until release() or the end of scope. held() is false
// where the kernel refused, and nothing was changed.
class SignalsHeld {
 public:
  // Out of line: a few bytes at each of the library's holds, whose time is
  // the two system calls.
  explicit SignalsHeld(uint64_t signals);
  ~SignalsHeld() { release(); }
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

  bool held() const { return held_; }
  void release();

 private:
  uint64_t old_mask_ = 0;
  bool held_ = false;
};

}  // namespace cgview
