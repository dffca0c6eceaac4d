#include "stat_clock.hpp"

#include "text.hpp"

namespace cgview {

namespace {

constexpr int kRebaseNBits = 14;  // N <= kMaxCpus = 8192
constexpr uint64_t kRebaseNMask = (uint64_t(1) << kRebaseNBits) - 1;
constexpr __int128 kRebaseOffsetLimit = __int128(1) << 49;

uint64_t clamp_to_u64(__int128 v) { return v <= 0 ? 0 : v >= __int128(UINT64_MAX) ? UINT64_MAX : uint64_t(v); }

// N x uptime - busy counts idle as if the cgroup had always had N CPUs, so a
// change of N would move idle by the change x the whole uptime: from 4 CPUs to
// 1, idle would stop until uptime tripled, and top would show 100% busy. The
// offset makes idle carry on from where it was instead: at a change from n0 to
// n at `uptime`, offset += (n0 - n) x uptime. (The interval since the last read
// counts at n0: when within it N changed is unknown.)
__int128 idle_offset(StatClock& clock, uint64_t n, uint64_t uptime) {
  uint64_t state = clock.rebase.load(std::memory_order_relaxed);
  for (int attempt = 0; attempt < 8; ++attempt) {
    uint64_t last_n = state & kRebaseNMask;
    __int128 offset = int64_t(state) >> kRebaseNBits;  // arithmetic shift: the signed offset
    if (last_n == n) return offset;
    __int128 next = last_n == 0 ? 0 : offset + (__int128(last_n) - __int128(n)) * __int128(uptime);
    if (next >= kRebaseOffsetLimit || next < -kRebaseOffsetLimit) next = 0;  // nonsense uptime: start over
    uint64_t packed = (uint64_t(int64_t(next)) << kRebaseNBits) | (n & kRebaseNMask);
    if (clock.rebase.compare_exchange_weak(state, packed, std::memory_order_relaxed)) return next;
  }
  return 0;
}

// A line's largest share of `total` over `n` lines, and the total over `n`
// lines whose smallest share is `at_least`.
uint64_t largest_share(__int128 total, uint64_t n) { return clamp_to_u64((total + n - 1) / n); }
__int128 total_with_smallest_share(uint64_t at_least, uint64_t n) { return __int128(at_least) * n; }

}  // namespace

uint64_t aggregate_idle(StatClock* clock, uint64_t n, uint64_t uptime, uint64_t busy) {
  __int128 idle = __int128(mul_saturating(uptime, n)) - __int128(busy);
  if (clock == nullptr) return clamp_to_u64(idle);
  uint64_t shown = clamp_to_u64(idle + idle_offset(*clock, n, uptime));
  uint64_t floor = clock->idle_floor.load(std::memory_order_relaxed);
  while (shown > floor && !clock->idle_floor.compare_exchange_weak(floor, shown, std::memory_order_relaxed)) {
  }
  return floor > shown ? floor : shown;
}

CpuTotals line_totals(StatClock* clock, uint64_t n, const CpuTotals& aggregate) {
  if (clock == nullptr || n == 0) return aggregate;
  const uint64_t totals[3] = {aggregate.user, aggregate.system, aggregate.idle};
  int64_t offsets[3] = {};
  for (int attempt = 0; attempt < 8; ++attempt) {
    uint32_t seq = clock->line_seq.load(std::memory_order_acquire);
    if (seq & 1) continue;  // another thread is applying a change of N
    uint64_t last_n = clock->line_n.load(std::memory_order_relaxed);
    for (int f = 0; f < 3; ++f) offsets[f] = clock->line_offset[f].load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (clock->line_seq.load(std::memory_order_relaxed) != seq) continue;
    if (last_n != n) {
      // N changed (or this is the first read): apply it, if no one else is.
      if (!clock->line_seq.compare_exchange_strong(seq, seq + 1, std::memory_order_acq_rel)) continue;
      for (int f = 0; f < 3; ++f) {
        __int128 next = 0;  // the first read: the aggregate's own totals
        if (last_n != 0) {
          uint64_t old_largest = largest_share(__int128(totals[f]) + offsets[f], last_n);
          next = total_with_smallest_share(old_largest, n) - __int128(totals[f]);
        }
        if (next > INT64_MAX || next < INT64_MIN) next = 0;
        offsets[f] = int64_t(next);
        clock->line_offset[f].store(offsets[f], std::memory_order_relaxed);
      }
      clock->line_n.store(n, std::memory_order_relaxed);
      clock->line_seq.store(seq + 2, std::memory_order_release);
    }
    return {clamp_to_u64(__int128(totals[0]) + offsets[0]), clamp_to_u64(__int128(totals[1]) + offsets[1]),
            clamp_to_u64(__int128(totals[2]) + offsets[2])};
  }
  return aggregate;  // a change being applied all along: this one read shows the plain split
}

}  // namespace cgview
