// A fixed-size set of CPU ids, and the kernel's list format ("0-3,8,10-11").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "text.hpp"

namespace cgview {

// Linux's largest NR_CPUS is 8192; a set of that size is 1 KiB.
inline constexpr unsigned kMaxCpus = 8192;

// CpuSet's 64-bit words are given to the kernel as its cpumask, an array of
// unsigned longs (CPU i at bit i % W of long i / W): the same memory where a
// long has 64 bits or the byte order is little-endian. A 32-bit big-endian
// port (ppc32, mips, s390 31-bit) would need CpuSet's words to be its longs.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || sizeof(long) == 8,
              "CpuSet's words are not the kernel's cpumask on a 32-bit big-endian port");

class CpuSet {
 public:
  void add(unsigned cpu) {
    if (cpu < kMaxCpus) words_[cpu / 64] |= uint64_t(1) << (cpu % 64);
  }
  bool has(unsigned cpu) const {
    return cpu < kMaxCpus && (words_[cpu / 64] >> (cpu % 64)) & 1;
  }
  void remove(unsigned cpu) {
    if (cpu < kMaxCpus) words_[cpu / 64] &= ~(uint64_t(1) << (cpu % 64));
  }
  unsigned count() const;
  bool empty() const {
    for (uint64_t w : words_)
      if (w != 0) return false;
    return true;
  }
  void intersect(const CpuSet& other);
  // Keeps the first `n` ids in rotation order from `start` (see keep_in_rotation).
  void keep_rotated(unsigned n, unsigned start);
  bool operator==(const CpuSet& other) const = default;

  // Raw words, in the layout of the kernel's cpumask (bit i = CPU i).
  const uint64_t* words() const { return words_.data(); }
  uint64_t* words() { return words_.data(); }
  static constexpr size_t kBytes = kMaxCpus / 8;

 private:
  std::array<uint64_t, kMaxCpus / 64> words_{};
};

// Narrows a mask in the kernel's layout (CPU i at bit i % 64 of long i / 64;
// on a little-endian port bit i % 8 of byte i / 8, for a mask of any size), in place: keeps the first `n` set ids in rotation order from
// `start`, i.e. the ids >= start in ascending order, then those below it
// (with start 0: the n lowest). n == 0 keeps everything. With `start` taken
// from the cgroup's placement this turns A into V, and any thread's mask into
// that thread's view of it. No allocation: it runs inside sched_getaffinity.
void keep_in_rotation(unsigned char* bytes, size_t size, unsigned n, unsigned start);

// Parses the kernel list format. Whitespace around the list is ignored;
// an empty list gives an empty set. False on any malformed range or id >= kMaxCpus.
bool parse_cpu_list(std::string_view text, CpuSet& out);

// Calls fn(first, last) for each run of consecutive ids, in ascending order.
// Skips empty words: renderers call this on every open.
template <typename Fn>
void for_each_cpu_range(const CpuSet& set, Fn fn) {
  const uint64_t* words = set.words();
  unsigned cpu = 0;
  while (cpu < kMaxCpus) {
    uint64_t rest = words[cpu / 64] >> (cpu % 64);
    if (rest == 0) {  // nothing more in this word
      cpu = (cpu / 64 + 1) * 64;
      continue;
    }
    cpu += unsigned(__builtin_ctzll(rest));
    unsigned last = cpu;
    while (last + 1 < kMaxCpus && set.has(last + 1)) ++last;
    fn(cpu, last);
    cpu = last + 1;
  }
}

// Calls fn(cpu) for each id in the set, in ascending order.
template <typename Fn>
void for_each_cpu(const CpuSet& set, Fn fn) {
  for_each_cpu_range(set, [&](unsigned first, unsigned last) {
    for (unsigned cpu = first; cpu <= last; ++cpu) fn(cpu);
  });
}

// Writes `set` in the kernel list format (no newline).
template <size_t N>
void format_cpu_list(const CpuSet& set, FixedText<N>& out) {
  bool first_range = true;
  for_each_cpu_range(set, [&](unsigned first, unsigned last) {
    if (!first_range) out.add(',');
    out.add_u64(first);
    if (last != first) out.add('-').add_u64(last);
    first_range = false;
  });
}

}  // namespace cgview
