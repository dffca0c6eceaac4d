#include "own_fds_section.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>

#include "host_files.hpp"
#include "lazy_zeroed.hpp"

// glibc's registration of fork handlers (pthread_atfork calls it with its
// object's handle; the shim is never unloaded, so none is needed). Weak:
// musl's loader lacks it, and there no fork waits.
extern "C" int __register_atfork(void (*prepare)(), void (*parent)(), void (*child)(), void* dso)
    __attribute__((weak));

namespace cgview::shim {

namespace {

// A thread in a section, known by pthread_self (no thread-local storage: it
// would be allocated with every thread of every program). Only the owner
// writes `counted`, which is true whenever its section is counted (set just
// before, cleared just after): a signal handler that forks in between then
// takes the section for its thread's own, and never waits for it, which
// could not end until the handler returns.
struct Slot {
  std::atomic<uintptr_t> owner;  // 0: free
  std::atomic<bool> counted;     // its section may be in `sections`
};
constexpr int kSlots = 64;  // threads in sections at once; beyond, a section goes unguarded

// Every access to the counts is sequentially consistent: a section adds
// itself, then looks for a fork; a fork adds itself, then looks for
// sections. One of the two always sees the other.
struct State {
  std::atomic<int> sections;      // counted sections under way, in all threads
  std::atomic<int> forks;         // forks past their prepare handler, not yet at the next
  std::atomic<int> registration;  // kNone, kUnderWay, kDone
  std::atomic<bool> off;          // a wait gave up: no more waiting in this process
  Slot slots[kSlots];
};
constexpr int kNone = 0, kUnderWay = 1, kDone = 2;

// Mapped by the first section (lazy_zeroed.hpp): the writable page has no
// room, and most processes never reach a section.
constinit LazyZeroed<State> g_state;

// A wait is slices of 10 ms; 25 of them without progress (a section ended,
// a fork returned) and the waiter gives up.
constexpr int kSlices = 25;
constexpr long kSliceNs = 10 * 1000 * 1000;

int* futex_word(std::atomic<int>& value) { return reinterpret_cast<int*>(&value); }

// Sleeps while `value` is `seen`, for a slice at most. Keeps errno.
void wait_a_slice(std::atomic<int>& value, int seen) {
  ErrnoKeeper keep_errno;
  timespec slice{0, kSliceNs};
  syscall(SYS_futex, futex_word(value), FUTEX_WAIT_PRIVATE, seen, &slice, nullptr, 0);
}

void wake_all(std::atomic<int>& value) {
  ErrnoKeeper keep_errno;
  syscall(SYS_futex, futex_word(value), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

uintptr_t this_thread() { return uintptr_t(pthread_self()); }

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
    if (slot.owner.load() == 0 && slot.owner.compare_exchange_strong(expected, me)) return &slot;
  }
  return nullptr;
}

void uncount(State& state) {
  if (state.sections.fetch_sub(1) == 1 && state.forks.load() != 0) wake_all(state.sections);
}

// Whether the forking thread is itself inside a counted section (a fork made
// by a signal handler that interrupted one: that section goes on in both
// processes, and is not waited for).
int own_counted(State& state) {
  Slot* own = own_slot(state, this_thread());
  return own != nullptr && own->counted.load() ? 1 : 0;
}

// The prepare handler, in the forking thread.
void before_fork() {
  State* state = g_state.if_mapped();
  if (state == nullptr) return;
  state->forks.fetch_add(1);
  const int own = own_counted(*state);
  int last = INT_MAX;
  for (int idle = 0; !state->off.load();) {
    int under_way = state->sections.load();
    if (under_way <= own) return;
    if (under_way < last) idle = 0;
    last = under_way;
    if (idle++ == kSlices) {
      state->off.store(true);
      return;
    }
    wait_a_slice(state->sections, under_way);
  }
}

void after_fork_in_parent() {
  State* state = g_state.if_mapped();
  if (state != nullptr && state->forks.fetch_sub(1) == 1) wake_all(state->forks);
}

// The child has one thread, the forking one: the other threads' slots are
// free, and its own section is the only one that can be under way.
void after_fork_in_child() {
  State* state = g_state.if_mapped();
  if (state == nullptr) return;
  const uintptr_t me = this_thread();
  for (Slot& slot : state->slots)
    if (slot.owner.load() != me) slot.owner.store(0);
  state->sections.store(own_counted(*state));
  state->forks.store(0);
}

// At the first section, not at load: the library runs nothing at load, and a
// program that never reaches a section never registers.
void register_once(State& state) {
  if (__register_atfork == nullptr || state.registration.load() == kDone) return;
  int expected = kNone;
  if (!state.registration.compare_exchange_strong(expected, kUnderWay)) return;
  __register_atfork(before_fork, after_fork_in_parent, after_fork_in_child, nullptr);
  state.registration.store(kDone);
}

// Counts the section in, after any fork under way.
void count_in(State& state, Slot& slot) {
  for (int slices = 0;;) {
    int forks = state.forks.load();
    if (forks != 0 && !state.off.load()) {
      if (slices++ < kSlices) {
        wait_a_slice(state.forks, forks);
        continue;
      }
      state.off.store(true);
    }
    slot.counted.store(true);
    state.sections.fetch_add(1);
    if (state.forks.load() == 0 || state.off.load()) return;
    uncount(state);  // a fork began meanwhile: it goes first
    slot.counted.store(false);
  }
}

}  // namespace

OwnFdsSection::OwnFdsSection() {
  State* state = g_state.get();
  if (state == nullptr) return;  // no memory to map: unguarded
  const uintptr_t me = this_thread();
  // Inside this thread's own section (a nested call, or a signal handler
  // that interrupted one): that one counts for both, and must not wait for a
  // fork that waits for it.
  if (own_slot(*state, me) != nullptr) return;
  Slot* slot = claim_slot(*state, me);
  if (slot == nullptr) return;
  register_once(*state);
  count_in(*state, *slot);
  slot_ = slot;
}

OwnFdsSection::~OwnFdsSection() {
  if (slot_ == nullptr) return;
  Slot* slot = static_cast<Slot*>(slot_);
  uncount(*g_state.if_mapped());
  slot->counted.store(false);
  slot->owner.store(0);
}

}  // namespace cgview::shim
