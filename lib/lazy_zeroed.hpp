// Zero-filled tables mapped the first time they are needed, not when the
// library is loaded.
//
// libcgview.so is loaded into every process of a container, and most of them
// never ask for a number. Zero-initialised data (.bss) that reaches past the
// last page of a library's file data costs every one of them an anonymous
// mmap while ld.so loads the library, plus one more mapping to tear down at
// exit: 1% of a /bin/true start on the machines here. The big tables (the
// served-fd table, the view cache, the held files, the namespace search's
// finds) are only needed once something is served, so they live here: one
// anonymous mapping, made by the first call that needs any of them.
//
// Everything here is lock-free and async-signal-safe (an mmap, and a munmap
// when another thread or a signal handler mapped the same thing first), and
// errno is left as it was. A table that cannot be mapped (RLIMIT_AS, no
// memory) is nullptr, tried again on the next call: its users do without it
// meanwhile, and what they serve falls back to the real answer where it must.
#pragma once

#include <atomic>
#include <cstddef>
#include <type_traits>

namespace cgview {

// The bytes for one table, zero-filled, mapped on the first call (later
// calls return the same pointer); nullptr when no memory can be mapped.
void* lazy_zeroed_bytes(std::atomic<void*>& table, size_t size);

// `Count` Ts (atomics and plain integers, for which all-zero bytes are the
// zero-initialised value) that are not mapped until needed. Declare it
// constinit at namespace scope: its only member is a null pointer.
template <typename T, size_t Count = 1>
class LazyZeroed {
  // The bytes are used as Ts without constructing them (mmap gives zeros):
  // nothing to construct or destroy, and an alignment the mapping gives.
  static_assert(std::is_trivially_destructible_v<T> && alignof(T) <= 64);

 public:
  // The first T, mapped now if it was not yet; nullptr when it cannot be.
  T* get() { return static_cast<T*>(lazy_zeroed_bytes(table_, sizeof(T) * Count)); }
  // The table if something mapped it already, else nullptr: a reader that
  // would find it all zero anyway need not map it.
  T* if_mapped() const { return static_cast<T*>(table_.load(std::memory_order_acquire)); }

 private:
  std::atomic<void*> table_{nullptr};
};

}  // namespace cgview
