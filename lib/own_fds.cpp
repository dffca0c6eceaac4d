#include "own_fds.hpp"

#include <atomic>

#include "host_files.hpp"
#include "lazy_zeroed.hpp"

namespace cgview {

namespace {

constexpr unsigned kThreads = 64;
constexpr unsigned kRewinds = kRewindNotes;
constexpr uint32_t kNoteBeingWritten = ~uint32_t(0);
constexpr uint32_t kCopyNotKnownYet = ~uint32_t(0) - 1;

// A thread with fds of the library's open now: its own changes are in its
// fork child exactly (they came before its fork), other threads' may be
// seen late.
struct ThreadFds {
  std::atomic<uintptr_t> thread;  // its thread pointer; 0: a free slot
  std::atomic<uint32_t> open;
};

// A rewind under way: the reopen the program's fd gets, and its file.
struct Rewind {
  std::atomic<uint32_t> copy_plus_one;  // 0: a free slot; or kNoteBeingWritten, kCopyNotKnownYet
  std::atomic<uint32_t> pid;            // of the process that wrote it
  std::atomic<uint64_t> dev, ino;
};

// Mapped by the first fd of the library's (lazy_zeroed.hpp): a process that
// never has one never searches a fork child.
struct Counts {
  // Only ever added to, so a fork child can tell that an fd was opened after
  // its parent read them (open counts before the open, gone after the close).
  std::atomic<uint32_t> started, ended;
  std::atomic<uint32_t> forks;
  // Fds of threads that found no slot: any of them may be the forking one.
  std::atomic<uint32_t> unplaced;
  std::atomic<uint32_t> next_rewind;
  ThreadFds threads[kThreads];
  Rewind rewinds[kRewinds];
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

// This thread's slot, or nullptr. Only this thread claims or frees it.
ThreadFds* own_slot(Counts& counts, uintptr_t me) {
  for (ThreadFds& slot : counts.threads)
    if (slot.thread.load(std::memory_order_relaxed) == me) return &slot;
  return nullptr;
}

ThreadFds* claim_slot(Counts& counts, uintptr_t me) {
  for (ThreadFds& slot : counts.threads) {
    uintptr_t free = 0;
    if (slot.thread.load(std::memory_order_relaxed) == 0 && slot.thread.compare_exchange_strong(free, me)) return &slot;
  }
  return nullptr;
}

}  // namespace

// O_SYNC is O_DSYNC and a bit of its own: the library's fds have O_DSYNC alone.
OwnMark own_mark(long status_flags) {
  if (status_flags < 0) return OwnMark::kNone;
  int access = int(status_flags & O_ACCMODE);
  if (access == O_RDONLY && (status_flags & kOwnReadMark) == kOwnReadMark && (status_flags & O_SYNC) == O_DSYNC)
    return OwnMark::kRead;
  if (access == O_RDWR && (status_flags & kOwnScratchMark) == kOwnScratchMark) return OwnMark::kScratch;
  return OwnMark::kNone;
}

// The thread's own count is the outer one: a fork from a signal handler
// between the two changes finds this thread's call under way, and leaves
// the counts to it.
void own_fd_opening() {
  Counts* counts = g_counts.get();
  if (counts == nullptr) return;
  uintptr_t me = thread_pointer();
  ThreadFds* slot = own_slot(*counts, me);
  if (slot == nullptr) slot = claim_slot(*counts, me);
  if (slot != nullptr) {
    slot->open.fetch_add(1, std::memory_order_seq_cst);
    // A signal handler's call between the claim and the addition may have
    // ended at zero and freed the slot (for another thread since): then
    // this one counts as unplaced.
    if (slot->thread.load(std::memory_order_seq_cst) != me) {
      slot->open.fetch_sub(1, std::memory_order_seq_cst);
      slot = nullptr;
    }
  }
  if (slot == nullptr) counts->unplaced.fetch_add(1, std::memory_order_seq_cst);
  counts->started.fetch_add(1, std::memory_order_seq_cst);
}

// Nothing where the opening found no counts to add to (nothing mapped), so
// the two stay equal.
void own_fd_gone() {
  Counts* counts = g_counts.if_mapped();
  if (counts == nullptr) return;
  uintptr_t me = thread_pointer();
  ThreadFds* slot = own_slot(*counts, me);
  std::atomic<uint32_t>& open = slot != nullptr ? slot->open : counts->unplaced;
  if (open.load(std::memory_order_relaxed) == 0) return;
  counts->ended.fetch_add(1, std::memory_order_seq_cst);
  // Freed only while still this thread's (a signal handler's call may have
  // freed it meanwhile, and another thread claimed it).
  if (open.fetch_sub(1, std::memory_order_seq_cst) == 1 && slot != nullptr)
    slot->thread.compare_exchange_strong(me, 0, std::memory_order_acq_rel);
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
  ThreadFds* own = own_slot(*counts, thread_pointer());
  bool in_use = (own != nullptr && own->open.load(std::memory_order_relaxed) != 0) ||
                counts->unplaced.load(std::memory_order_relaxed) != 0;
  return in_use ? CopiedOwnFds::kInUse : CopiedOwnFds::kSweep;
}

void forget_other_threads_fds() {
  Counts* counts = g_counts.if_mapped();
  if (counts == nullptr) return;
  for (ThreadFds& slot : counts->threads) {
    slot.open.store(0, std::memory_order_relaxed);
    slot.thread.store(0, std::memory_order_relaxed);
  }
  for (Rewind& rewind : counts->rewinds) rewind.copy_plus_one.store(0, std::memory_order_relaxed);
  counts->ended.store(counts->started.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

// Notes are never taken back (a fork child's memory may be copied well after
// its fds: a note taken back once the reopen is closed could be gone there
// while the reopen is not); the oldest is written over. A note being
// written is invalid first, so no child sees one reopen with another's file,
// and one waiting for its reopen's number is passed by (only its writer
// finishes it).
int rewind_starting(const FileId& file, uint32_t pid) {
  Counts* counts = g_counts.if_mapped();
  if (counts == nullptr) return -1;
  uint32_t first = counts->next_rewind.fetch_add(1, std::memory_order_relaxed);
  for (unsigned i = 0; i < kRewinds; ++i) {
    int index = int((first + i) % kRewinds);
    Rewind& rewind = counts->rewinds[index];
    uint32_t was = rewind.copy_plus_one.load(std::memory_order_relaxed);
    if (was == kNoteBeingWritten || was == kCopyNotKnownYet ||
        !rewind.copy_plus_one.compare_exchange_strong(was, kNoteBeingWritten, std::memory_order_seq_cst))
      continue;
    rewind.pid.store(pid, std::memory_order_seq_cst);
    rewind.dev.store(file.dev, std::memory_order_seq_cst);
    rewind.ino.store(file.ino, std::memory_order_seq_cst);
    rewind.copy_plus_one.store(kCopyNotKnownYet, std::memory_order_seq_cst);
    return index;
  }
  return -1;
}

void rewind_reopened(int note, long copy) {
  Counts* counts = g_counts.if_mapped();
  if (counts == nullptr || unsigned(note) >= kRewinds) return;  // -1 too
  counts->rewinds[note].copy_plus_one.store(copy >= 0 ? uint32_t(copy) + 1 : 0, std::memory_order_seq_cst);
}

bool rewind_under_way(int index, uint32_t parent, int& copy, FileId& file) {
  const Counts* counts = g_counts.if_mapped();
  if (counts == nullptr || index < 0 || unsigned(index) >= kRewinds) return false;
  const Rewind& rewind = counts->rewinds[index];
  uint32_t named = rewind.copy_plus_one.load(std::memory_order_seq_cst);
  if (named == 0 || named == kNoteBeingWritten || rewind.pid.load(std::memory_order_relaxed) != parent) return false;
  copy = named == kCopyNotKnownYet ? -1 : int(named - 1);
  file = {rewind.dev.load(std::memory_order_relaxed), rewind.ino.load(std::memory_order_relaxed)};
  return true;
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
