#include "own_fds_section.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>

#include <fcntl.h>

#include "host_files.hpp"
#include "lazy_zeroed.hpp"

namespace cgview::shim {

namespace {

// A thread in a section (or forking), known by pthread_self. Only the owner
// writes `counted`: whether forks wait for its section.
struct Slot {
  std::atomic<uintptr_t> owner;  // 0: free
  std::atomic<bool> counted;
  std::atomic<uint32_t> claims;  // how often it was claimed: a slot that never changes is stale
};
constexpr int kSlots = 64;

// Every access is sequentially consistent: a section sets `counted`, then
// looks for a fork; a fork adds itself to `forks`, then looks at the slots.
// One of the two always sees the other.
struct State {
  std::atomic<int> forks;  // forks between their wait and the real fork's return
  std::atomic<int> forker;  // the thread (tid) of the last fork to pass its wait, while in the real fork
  std::atomic<int> ended;  // sections ended, counted or backed out: a waiting fork's futex word
  std::atomic<int> pid;    // the process the slots are of (0: not known yet)
  std::atomic<bool> off;   // a fork's wait gave up: no more waiting in this process
  Slot slots[kSlots];
};

// Mapped by the first section (lazy_zeroed.hpp): the writable page has no
// room, and most processes never reach a section.
constinit LazyZeroed<State> g_state;

constexpr long kMillisecond = 1000 * 1000;
constexpr int kSectionWaits = 2;   // of 1 ms: a section's wait for a fork, before it looks at the fork's thread
constexpr int kForkWaits = 25;     // of 10 ms without a section ending: a fork's wait
constexpr long kStaleAfterNs = 20 * kMillisecond;  // unchanged this long: another process's slot

int* futex_word(std::atomic<int>& value) { return reinterpret_cast<int*>(&value); }

// Sleeps while `value` is `seen`, for `ns` at most. Keeps errno.
void wait_for(std::atomic<int>& value, int seen, long ns) {
  ErrnoKeeper keep_errno;
  timespec slice{0, ns};
  syscall(SYS_futex, futex_word(value), FUTEX_WAIT_PRIVATE, seen, &slice, nullptr, 0);
}

void wake_all(std::atomic<int>& value) {
  ErrnoKeeper keep_errno;
  syscall(SYS_futex, futex_word(value), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

uintptr_t this_thread() { return uintptr_t(pthread_self()); }
int own_pid() { return int(syscall(SYS_getpid)); }

// This thread's slot, or nullptr.
Slot* own_slot(State& state, uintptr_t me) {
  for (Slot& slot : state.slots)
    if (slot.owner.load() == me) return &slot;
  return nullptr;
}

// A free slot, now this thread's; nullptr when all are taken.
Slot* claim_slot(State& state, uintptr_t me) {
  for (Slot& slot : state.slots) {
    uintptr_t expected = 0;
    if (slot.owner.load() == 0 && slot.owner.compare_exchange_strong(expected, me)) {
      slot.claims.fetch_add(1);
      return &slot;
    }
  }
  return nullptr;
}

void section_ended(State& state) {
  state.ended.fetch_add(1);
  if (state.forks.load() != 0) wake_all(state.ended);
}

// Whether thread `tid` of this process is asleep ('S' in its stat file), as
// a fork's thread blocked in an atfork handler is, perhaps on a lock the
// caller holds; not one that runs, waits for a CPU (a throttled cgroup's
// threads do) or for the disk.
bool asleep(int tid) {
  char path[48] = "/proc/self/task/";
  char digits[12];
  int count = 0;
  for (unsigned left = unsigned(tid); count == 0 || left != 0; left /= 10) digits[count++] = char('0' + left % 10);
  char* at = path + 16;
  while (count > 0) *at++ = digits[--count];
  __builtin_memcpy(at, "/stat", 6);
  ErrnoKeeper keep_errno;
  long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char text[512];
  long n = syscall(SYS_read, fd, text, sizeof text);
  syscall(SYS_close, fd);
  // "tid (name) S ...": the name may hold anything, ')' too; the last one ends it.
  for (long i = n - 3; i >= 0; --i)
    if (text[i] == ')') return text[i + 2] == 'S';
  return false;
}

// Counts the section in, once no fork is under way: true. False where the
// fork's thread, after kSectionWaits ms, is asleep in the real fork: this
// thread may hold a lock one of the program's atfork handlers waits for, and
// the section goes on uncounted. A fork that is only slow (a large process,
// a throttled cgroup) is waited for.
bool count_in(State& state, Slot& slot) {
  for (int waits = 0;;) {
    if (int forks = state.forks.load(); forks != 0) {
      if (waits++ >= kSectionWaits) {
        int forker = state.forker.load();
        if (forker != 0 && asleep(forker)) return false;
      }
      wait_for(state.forks, forks, kMillisecond);
      continue;
    }
    slot.counted.store(true);
    if (state.forks.load() == 0) return true;
    slot.counted.store(false);  // a fork began meanwhile, and may have seen it: the fork goes first
    section_ended(state);
  }
}

bool others_counted(State& state, uintptr_t me) {
  for (Slot& slot : state.slots)
    if (slot.counted.load() && slot.owner.load() != me) return true;
  return false;
}

// Until no other thread's section is counted: true. False after a quarter
// of a second without one ending (a section left by siglongjmp never ends).
bool wait_for_other_sections(State& state, uintptr_t me) {
  for (int idle = 0; !state.off.load();) {
    int ended = state.ended.load();
    if (!others_counted(state, me)) return true;
    if (idle == kForkWaits) return false;
    wait_for(state.ended, ended, 10 * kMillisecond);
    idle = state.ended.load() != ended ? 0 : idle + 1;
  }
  return true;
}

// A table copied from another process (a child of _Fork or of a clone system
// call, which no fork of ours made) holds the slots of its threads, which are
// not here, beside this process's own. Those stay as they are, where this
// process's threads' slots change as their sections end (each within
// microseconds) and begin: what has not changed in 20 ms is freed. (So with
// a vfork child that made the process's first section and named itself.)
void forget_stale_slots(State& state, uintptr_t me) {
  uint32_t claims[kSlots];
  for (int i = 0; i < kSlots; ++i) claims[i] = state.slots[i].claims.load();
  std::atomic<int> never{0};
  wait_for(never, 0, kStaleAfterNs);
  bool freed = false;
  for (int i = 0; i < kSlots; ++i) {
    Slot& slot = state.slots[i];
    if (slot.owner.load() != me && slot.counted.load() && slot.claims.load() == claims[i]) {
      slot.counted.store(false);
      slot.owner.store(0);
      freed = true;
    }
  }
  // A thread here may bear a stale slot's id (its parent's thread's, reused):
  // its sections took the slot for their own, nested and uncounted. The one
  // under way ends within a millisecond; the next claims a slot of its own.
  if (freed) wait_for(never, 0, kMillisecond);
}

// The other threads' slots are free: they are not in this process. A
// section one of them never ended (which turned the guard off) is gone too.
void forget_other_threads(State& state, uintptr_t me) {
  for (Slot& slot : state.slots) {
    if (slot.owner.load() == me) continue;
    slot.counted.store(false);
    slot.owner.store(0);
  }
  state.off.store(false);
}

}  // namespace

OwnFdsSection::OwnFdsSection() {
  State* state = g_state.get();
  if (state == nullptr || state->off.load()) return;  // no memory to map, or the guard is off
  if (state->pid.load() == 0) {  // the process's first section: one system call
    int none = 0;
    state->pid.compare_exchange_strong(none, own_pid());
  }
  const uintptr_t me = this_thread();
  // Inside this thread's own section, or its fork: that one stands for both.
  if (own_slot(*state, me) != nullptr) return;
  Slot* slot = claim_slot(*state, me);
  if (slot == nullptr) return;
  count_in(*state, *slot);
  slot_ = slot;  // counted or not, it marks this thread's nested sections as nested
}

OwnFdsSection::~OwnFdsSection() {
  if (slot_ == nullptr) return;
  Slot& slot = *static_cast<Slot*>(slot_);
  if (slot.counted.load()) {
    slot.counted.store(false);
    section_ended(*g_state.if_mapped());
  }
  slot.owner.store(0);
}

pid_t fork_between_sections(pid_t (*real_fork)()) {
  State* state = g_state.if_mapped();
  if (state == nullptr) return real_fork();
  const uintptr_t me = this_thread();
  if (const int pid = own_pid(); state->pid.exchange(pid) != pid) forget_stale_slots(*state, me);
  // The atfork handlers of this thread's fork may make sections: in this
  // slot, they are nested, and wait for nothing.
  Slot* mine = own_slot(*state, me) == nullptr ? claim_slot(*state, me) : nullptr;
  state->forks.fetch_add(1);
  if (!wait_for_other_sections(*state, me)) state->off.store(true);
  state->forker.store(int(syscall(SYS_gettid)));  // asleep from here on: in an atfork handler
  const pid_t child = real_fork();
  if (child == 0) {
    forget_other_threads(*state, me);  // one thread here, this one
    state->forks.store(0);
    state->forker.store(0);
    state->pid.store(own_pid());
  } else if (state->forks.fetch_sub(1) == 1) {
    state->forker.store(0);
    wake_all(state->forks);
  }
  if (mine != nullptr) mine->owner.store(0);
  return child;
}

}  // namespace cgview::shim
