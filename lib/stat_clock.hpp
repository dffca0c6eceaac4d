// Per-process state that keeps /proc/stat's synthesized CPU lines from ever
// going down between reads (docs/design.md, /proc/stat): when the cgroup briefly
// uses more than N CPUs, and when N itself changes while a program runs
// (docker update, an in-place pod resize). One per process: the shim's is a
// static; tests make their own. Lock-free: this runs inside other programs.
#pragma once

#include <atomic>
#include <cstdint>

namespace cgview {

struct StatClock {
  // The aggregate idle last shown: it never goes below.
  std::atomic<uint64_t> idle_floor{0};
  // The aggregate idle's offset across changes of N: the N it was last
  // rendered with (low 14 bits) and the offset in ticks (signed, high 50 bits).
  std::atomic<uint64_t> rebase{0};
  // The cpuN lines' offsets (user, system, idle), each packed like `rebase`
  // with the N it was made for: every word is consistent on its own, so no
  // reader ever waits for, or misses, a change being applied.
  std::atomic<uint64_t> line_rebase[3] = {};
  // The busy time's offsets (user, system) across moves of the process to
  // another cgroup, packed like `rebase` but with a tag of the cgroup's
  // identity in place of N; and the busy time last shown, never gone below.
  std::atomic<uint64_t> busy_rebase[2] = {};
  std::atomic<uint64_t> busy_floor[2] = {};
};

// True once this clock has rendered synthesized lines: from then on they are
// kept even when N is every online CPU, or the lines would go back to the
// host's and down.
bool has_rendered_lines(const StatClock* clock);

// The aggregate idle in ticks: N x uptime - busy, carried on from where it was
// when N changes, never below the last value shown.
uint64_t aggregate_idle(StatClock* clock, uint64_t n, uint64_t uptime, uint64_t busy);

// Totals the cpuN lines split evenly between them. Without a change of N they
// are the aggregate's. At a change each gets an offset such that the smallest
// new line is at least the largest old one, and from then on each line grows
// by its share of the aggregate's growth. (The lines then sum to more than the
// aggregate: that is the price of never going down.)
struct CpuTotals {
  uint64_t user = 0, system = 0, idle = 0;
};
CpuTotals line_totals(StatClock* clock, uint64_t n, const CpuTotals& aggregate);

// The cgroup's busy time (user and system ticks) carried on across moves of
// the process to another cgroup (cgclassify, a scope change, out into the
// root), as idle is across changes of N: the new cgroup's totals have nothing
// to do with the old one's, so at a change each field goes on from the value
// last shown and from then on grows by the new cgroup's time. `cgroup` names
// where the time was read (any 64-bit hash of the directory); a change that
// hashes to the same 14-bit tag (1 in 16383), or back into a cgroup removed
// and made again under the same path with no read in between, goes unseen:
// the field then stays at the value shown until the new cgroup's time passes
// it, or, where the new cgroup has used more (an ancestor, the root), jumps by
// the difference. Never below a value shown before.
CpuTotals busy_totals(StatClock* clock, uint64_t cgroup, uint64_t user, uint64_t system);

}  // namespace cgview
