#include "lazy_zeroed.hpp"

#include <errno.h>
#include <sys/mman.h>

namespace cgview {

namespace {

// One mapping for all tables: the shim's (a chunk of 4,096 served fds 96 KiB,
// the chunks' index 2 KiB, view cache 7.5 KiB) and the core's (held files
// 4.3 KiB, namespace finds 4.1 KiB, the counts of the library's own fds for a
// fork child 4.1 KiB), with room for a table lost in a race
// (below). A table that does not fit (any chunk after the first mapped) gets
// a mapping of its own.
constexpr size_t kArenaBytes = 128 * 1024;
constexpr size_t kTableAlign = 64;  // a cache line: tables of atomics do not share one

constinit std::atomic<char*> g_arena{nullptr};
constinit std::atomic<size_t> g_arena_used{0};

void* map_zeroed(size_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

char* arena() {
  char* current = g_arena.load(std::memory_order_acquire);
  if (current != nullptr) return current;
  char* mine = static_cast<char*>(map_zeroed(kArenaBytes));
  if (mine == nullptr) return nullptr;
  if (g_arena.compare_exchange_strong(current, mine, std::memory_order_acq_rel)) return mine;
  munmap(mine, kArenaBytes);  // another thread's mapping won
  return current;
}

}  // namespace

void* lazy_zeroed_bytes(std::atomic<void*>& table, size_t size) {
  void* current = table.load(std::memory_order_acquire);
  if (current != nullptr) return current;
  int saved_errno = errno;
  size = (size + kTableAlign - 1) / kTableAlign * kTableAlign;
  void* mine = nullptr;
  bool own_mapping = false;
  char* base = arena();
  current = table.load(std::memory_order_acquire);  // mapped meanwhile (a signal handler, a thread)?
  if (current != nullptr) {
    errno = saved_errno;
    return current;
  }
  if (base != nullptr) {
    // Claims space only when the table fits: one that does not leaves the
    // arena to the others. g_arena_used never passes kArenaBytes.
    size_t at = g_arena_used.load(std::memory_order_relaxed);
    while (size <= kArenaBytes - at && !g_arena_used.compare_exchange_weak(at, at + size, std::memory_order_relaxed)) {
    }
    if (size <= kArenaBytes - at) mine = base + at;
  }
  if (mine == nullptr) {
    mine = map_zeroed(size);
    own_mapping = mine != nullptr;
  }
  if (mine != nullptr && !table.compare_exchange_strong(current, mine, std::memory_order_acq_rel)) {
    // Another thread (or a signal handler) published the table first. Our
    // bytes in the arena stay unused: a lost race costs at most a table's size.
    if (own_mapping) munmap(mine, size);
    mine = current;
  }
  errno = saved_errno;
  return mine;
}

}  // namespace cgview
