#include "own_fds.hpp"

#include <atomic>

#include "lazy_zeroed.hpp"

namespace cgview {

namespace {

constexpr unsigned kThreadCounts = 16;

// Mapped by the first fd of the library's (lazy_zeroed.hpp): a process that
// never has one never searches a fork child.
struct Counts {
  // Only ever added to, so a fork child can tell that an fd was opened after
  // its parent read them (open counts before the open, gone after the close).
  std::atomic<uint32_t> started, ended;
  // Fds open now, by a hash of the thread: a thread's own additions are in
  // its fork child exactly (they came before its fork), other threads' may
  // be seen late. A thread sharing a count with this one only makes the
  // child leave the fds open.
  std::atomic<uint32_t> open_by_thread[kThreadCounts];
  std::atomic<uint32_t> forks;
  std::atomic<uint32_t> highest_fd_plus_one;  // only grows
};
constinit LazyZeroed<Counts> g_counts;

// The thread's own pointer (its TCB, as libc's pthread_self), without a call
// into libc: the register the port keeps it in. Elsewhere, where a local
// variable lies: distinct threads have distinct stacks.
uintptr_t thread_pointer() {
#if defined(__powerpc64__)
  uintptr_t tp;
  __asm__("mr %0, 13" : "=r"(tp));
  return tp;
#elif defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || defined(__s390x__) || defined(__arm__) || \
    defined(__riscv)
  return uintptr_t(__builtin_thread_pointer());
#else
  int local = 0;
  return uintptr_t(&local);
#endif
}

// A thread's count: threads' pointers lie a stack size apart, a power of two
// that only a multiplicative hash spreads over the counts.
std::atomic<uint32_t>& own_thread_count(Counts& counts) {
  uint32_t page = uint32_t(thread_pointer() >> 12);
  return counts.open_by_thread[(page * 2654435761u) >> 28];
}
static_assert(kThreadCounts == 16, "the hash above takes 4 bits");

}  // namespace

// O_SYNC is O_DSYNC and a bit of its own: the library's fds have O_DSYNC alone.
bool has_own_read_mark(long status_flags, long fd_flags) {
  return status_flags >= 0 && fd_flags >= 0 && (status_flags & O_ACCMODE) == O_RDONLY &&
         (status_flags & kOwnReadMark) == kOwnReadMark && (status_flags & O_SYNC) == O_DSYNC &&
         (fd_flags & FD_CLOEXEC) != 0;
}

bool has_own_scratch_mark(long status_flags, long fd_flags) {
  return status_flags >= 0 && fd_flags >= 0 && (status_flags & O_ACCMODE) == O_RDWR &&
         (status_flags & kOwnScratchMark) == kOwnScratchMark && (fd_flags & FD_CLOEXEC) != 0;
}

// The thread's own count is the outer one: a fork from a signal handler
// between the two changes finds this thread's call under way, and leaves
// the counts to it.
void own_fd_opening() {
  Counts* counts = g_counts.get();
  if (counts == nullptr) return;
  own_thread_count(*counts).fetch_add(1, std::memory_order_seq_cst);
  counts->started.fetch_add(1, std::memory_order_seq_cst);
}

void own_fd_is(long fd) {
  Counts* counts = g_counts.if_mapped();
  if (counts == nullptr || fd < 0) return;
  uint32_t above = uint32_t(fd) + 1, now = counts->highest_fd_plus_one.load(std::memory_order_relaxed);
  while (now < above && !counts->highest_fd_plus_one.compare_exchange_weak(now, above, std::memory_order_relaxed)) {
  }
}

void own_fd_gone() {
  // Mapped by the opening, unless that could not map it either.
  Counts* counts = g_counts.if_mapped();
  if (counts == nullptr) return;
  counts->ended.fetch_add(1, std::memory_order_seq_cst);
  own_thread_count(*counts).fetch_sub(1, std::memory_order_seq_cst);
}

long highest_own_fd() {
  const Counts* counts = g_counts.if_mapped();
  return counts == nullptr ? -1 : long(counts->highest_fd_plus_one.load(std::memory_order_relaxed)) - 1;
}

OwnFdCounts own_fd_counts() {
  OwnFdCounts now;
  const Counts* counts = g_counts.if_mapped();
  if (counts == nullptr) return now;
  // `ended` first: a call counted in `started` but not yet ended when
  // `ended` was read makes the two differ.
  now.ended = counts->ended.load(std::memory_order_seq_cst);
  now.started = counts->started.load(std::memory_order_seq_cst);
  return now;
}

CopiedOwnFds copied_own_fds(const OwnFdCounts& before) {
  Counts* counts = g_counts.if_mapped();
  if (counts == nullptr) return CopiedOwnFds::kNone;
  // An fd of another thread's in the child was opened before the kernel
  // copied the fds, and closed after. Opened before the parent read the
  // counts, it made them differ then; opened after, `started` has grown
  // since (the child's memory was copied after its fds).
  bool maybe = before.started != before.ended || counts->started.load(std::memory_order_relaxed) != before.started;
  if (!maybe) return CopiedOwnFds::kNone;
  return own_thread_count(*counts).load(std::memory_order_relaxed) != 0 ? CopiedOwnFds::kInUse : CopiedOwnFds::kSweep;
}

void forget_other_threads_fds() {
  Counts* counts = g_counts.if_mapped();
  if (counts == nullptr) return;
  for (auto& count : counts->open_by_thread) count.store(0, std::memory_order_relaxed);
  counts->ended.store(counts->started.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

uint32_t forks_seen() {
  const Counts* counts = g_counts.if_mapped();
  return counts == nullptr ? 0 : counts->forks.load(std::memory_order_relaxed);
}

void count_fork_in_child() {
  Counts* counts = g_counts.if_mapped();
  if (counts != nullptr) counts->forks.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace cgview
