#include "stat_clock.hpp"

#include "int128.hpp"
#include "text.hpp"

namespace cgview {

namespace {

constexpr int kRebaseNBits = 14;  // N <= kMaxCpus = 8192
constexpr uint64_t kRebaseNMask = (uint64_t(1) << kRebaseNBits) - 1;
constexpr Int128 kRebaseOffsetLimit = Int128(int64_t(1) << 49);

uint64_t clamp_to_u64(Int128 v) { return v <= 0 ? 0 : v >= Int128(UINT64_MAX) ? UINT64_MAX : uint64_t(v); }

// One packed word: N (low 14 bits) and a signed offset in ticks (high 50
// bits). Offsets beyond the 50 bits (tens of thousands of years of uptime)
// stick at the limit.
struct Rebase {
  uint64_t n = 0;
  Int128 offset = 0;
};
Rebase unpack(uint64_t word) { return {word & kRebaseNMask, int64_t(word) >> kRebaseNBits}; }
uint64_t pack(uint64_t n, Int128 offset) {
  if (offset >= kRebaseOffsetLimit) offset = kRebaseOffsetLimit - 1;
  if (offset < -kRebaseOffsetLimit) offset = -kRebaseOffsetLimit;
  return (uint64_t(int64_t(offset)) << kRebaseNBits) | (n & kRebaseNMask);
}

// The offset for `n` in `word`, moved on from the N it was made for by
// `rebased` (old state, new n) when they differ, and published when no other
// thread changed the word meanwhile. A thread that keeps losing that race uses
// its own result unpublished: it is still consistent with the state it read.
template <typename Rebased>
Int128 current_offset(std::atomic<uint64_t>& word, uint64_t n, Rebased rebased) {
  uint64_t state = word.load(std::memory_order_relaxed);
  Int128 next = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    Rebase old = unpack(state);
    if (old.n == n) return old.offset;
    next = old.n == 0 ? 0 : rebased(old);
    uint64_t packed = pack(n, next);
    if (word.compare_exchange_weak(state, packed, std::memory_order_relaxed)) return unpack(packed).offset;
  }
  return unpack(pack(n, next)).offset;
}

}  // namespace

uint64_t aggregate_idle(StatClock* clock, uint64_t n, uint64_t uptime, uint64_t busy) {
  Int128 idle = Int128(mul_saturating(uptime, n)) - Int128(busy);
  if (clock == nullptr) return clamp_to_u64(idle);
  // N x uptime - busy counts idle as if the cgroup had always had N CPUs, so a
  // change of N would move idle by the change x the whole uptime: from 4 CPUs
  // to 1, idle would stop until uptime tripled, and top would show 100% busy.
  // The offset makes idle carry on from where it was instead: at a change from
  // n0 to n, offset += (n0 - n) x uptime. (The interval since the last read
  // counts at n0: when within it N changed is unknown.)
  Int128 offset = current_offset(clock->rebase, n, [&](const Rebase& old) {
    return old.offset + (Int128(old.n) - Int128(n)) * Int128(uptime);
  });
  uint64_t shown = clamp_to_u64(idle + offset);
  uint64_t floor = clock->idle_floor.load(std::memory_order_relaxed);
  while (shown > floor && !clock->idle_floor.compare_exchange_weak(floor, shown, std::memory_order_relaxed)) {
  }
  return floor > shown ? floor : shown;
}

CpuTotals line_totals(StatClock* clock, uint64_t n, const CpuTotals& aggregate) {
  if (clock == nullptr || n == 0) return aggregate;
  const uint64_t totals[3] = {aggregate.user, aggregate.system, aggregate.idle};
  uint64_t lines[3] = {};
  for (int f = 0; f < 3; ++f) {
    // At a change from n0 lines to n, the smallest new line starts at the
    // largest old one: n x ceil((total + offset) / n0) - total.
    Int128 offset = current_offset(clock->line_rebase[f], n, [&](const Rebase& old) {
      Int128 old_largest = clamp_to_u64((Int128(totals[f]) + old.offset + old.n - 1) / old.n);
      return old_largest * n - Int128(totals[f]);
    });
    lines[f] = clamp_to_u64(Int128(totals[f]) + offset);
  }
  return {lines[0], lines[1], lines[2]};
}

CpuTotals busy_totals(StatClock* clock, uint64_t cgroup, uint64_t user, uint64_t system) {
  if (clock == nullptr) return {user, system, 0};
  // The rebase words' key: 14 bits of the identity, never 0 (0 is "not yet").
  uint64_t tag = (cgroup ^ (cgroup >> 14) ^ (cgroup >> 28) ^ (cgroup >> 42) ^ (cgroup >> 56)) & kRebaseNMask;
  if (tag == 0) tag = 1;
  const uint64_t raw[2] = {user, system};
  uint64_t shown[2] = {};
  for (int f = 0; f < 2; ++f) {
    uint64_t floor = clock->busy_floor[f].load(std::memory_order_relaxed);
    // At a change of cgroup: on from the value last shown.
    Int128 offset = current_offset(clock->busy_rebase[f], tag, [&](const Rebase&) {
      return Int128(floor) - Int128(raw[f]);
    });
    uint64_t value = clamp_to_u64(Int128(raw[f]) + offset);
    floor = clock->busy_floor[f].load(std::memory_order_relaxed);
    while (value > floor && !clock->busy_floor[f].compare_exchange_weak(floor, value, std::memory_order_relaxed)) {
    }
    shown[f] = floor > value ? floor : value;
  }
  return {shown[0], shown[1], 0};
}

bool has_rendered_lines(const StatClock* clock) {
  return clock != nullptr && unpack(clock->rebase.load(std::memory_order_relaxed)).n != 0;
}

}  // namespace cgview
