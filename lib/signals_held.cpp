#include "signals_held.hpp"

namespace cgview {

SignalsHeld::SignalsHeld(uint64_t signals) {
  held_ = syscall(SYS_rt_sigprocmask, SIG_BLOCK, &signals, &old_mask_, sizeof(uint64_t)) == 0;
}

void SignalsHeld::release() {
  if (held_) syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old_mask_, nullptr, sizeof(uint64_t));
  held_ = false;
}

}  // namespace cgview
