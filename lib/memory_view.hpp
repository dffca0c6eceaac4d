// The container's memory figures (docs/design.md, Memory), from cached limits and
// fresh usage. Shared by the /proc/meminfo renderer, sysinfo and sysconf.
#pragma once

#include <cstdint>

#include "limits.hpp"
#include "memory_stat.hpp"

namespace cgview {

// The largest /proc/meminfo cgview reads (real files are ~1.5 KiB); a larger
// one gets the real answer.
inline constexpr size_t kMeminfoMax = 16384;

// Usage, read fresh on every call.
struct MemoryUsage {
  bool has_usage = false;
  uint64_t usage = 0;  // U
  bool has_swap_used = false;
  uint64_t swap_used = 0;
  MemoryStat stat;
  // Usage of each limit level (MemoryLimits::levels), same order; a level
  // whose file cannot be read counts with U.
  uint64_t level_usage[kMaxLimitLevels] = {};
};
// `want_swap`: also read swap usage (an extra file; only needed with a swap
// allowance). Without a memory cgroup (CGVIEW_MEMORY on a bare host) the
// host's own figures stand in, as if the host were the container: U =
// MemTotal - MemFree, and the memory.stat figures from the matching meminfo
// lines, taken from `host_meminfo` when the caller has already read it.
// `wanted_stat`: the memory.stat keys the caller uses (parse_memory_stat).
void read_memory_usage(const Sysroot& root, const CgroupDir& dir, bool want_swap, MemoryUsage& out,
                       std::string_view host_meminfo = {}, uint32_t wanted_stat = kEveryStatKey);
// The same, plus the usage of each ancestor with a limit (one small file per
// such level), for the headroom rule; swap usage when there is an allowance.
void read_memory_usage(const Sysroot& root, const CgroupDir& dir, const MemoryLimits& limits, MemoryUsage& out,
                       std::string_view host_meminfo = {}, uint32_t wanted_stat = kEveryStatKey);

// The host's "Key:   123 kB" value of a /proc/meminfo text, in bytes.
bool meminfo_kb(std::string_view meminfo, std::string_view key, uint64_t& bytes);
// The bytes of a value "   123 kB" (what follows a key's colon).
bool kb_value(std::string_view text, uint64_t& bytes);
// The same, but a figure too large to be bytes is read as UINT64_MAX (above
// any bound) rather than refused: for a host line that is to be capped.
bool kb_value_saturated(std::string_view text, uint64_t& bytes);


// The memory.stat keys derive_memory reads besides the one a caller wants:
// under an override below the usage, the page cache the excess comes off
// first. A caller that wants one figure (sysinfo's Shmem) reads these too in
// that case, so that it gets what /proc/meminfo shows.
inline constexpr uint32_t kStatKeysForOverLimit =
    stat_bit(StatKey::ActiveFile) | stat_bit(StatKey::InactiveFile) | stat_bit(StatKey::Cache);

// Figures in bytes. Each `has_*` false means: show the host's value.
struct MemoryFigures {
  bool has_memory = false;  // total, free, available and the stat lines (a limit is set)
  uint64_t total = 0, free = 0, available = 0;
  // The cgroup's own usage, at most total: below total - free where the
  // host's free memory, not the limit, bounds MemFree.
  uint64_t in_use = 0;
  // That usage's share of the host's memory in use (its MemTotal - MemFree),
  // in 32-bit fixed point (1 << 32: all of it), for host-wide figures that
  // grow with the memory they serve.
  uint64_t host_share_q32 = uint64_t(1) << 32;
  bool has_stat_lines = false;
  MemoryStat stat;  // each present key replaces its meminfo line(s), clamped to total
  bool has_swap = false;
  uint64_t swap_total = 0, swap_free = 0;
  // A 32-bit kernel's high memory in the view (HighTotal, HighFree; the low
  // lines are the rest of total and free), where the host's is known.
  bool has_high = false;
  uint64_t high_total = 0, high_free = 0;
};

// A limit gives the memory figures, a swap allowance the swap figures; either
// can be set without the other (Kubernetes gives pods without a memory limit
// `memory.swap.max 0`). False when neither is, or when a limit's figures cannot
// be formed (unknown host total, unreadable usage): callers then serve the
// real answer. A swap allowance whose swap in use cannot be read gives no
// swap figures (the host's lines stand). MemFree is the smallest headroom over the limit levels;
// MemFree and MemAvailable never exceed the host's (`host.free`, and
// `host.available` where known).
bool derive_memory(const MemoryLimits& limits, const MemoryUsage& usage, const HostMemory& host, MemoryFigures& out);

// The view's high memory where the host has some (a 32-bit kernel): as on a
// machine of the view's size, its memory is low memory first, up to the
// host's (the part the kernel can map for itself), the rest high; its free
// memory is low up to the host's free low memory, the rest high up to the
// high total, and what that cannot hold low again (above the host's free low
// memory then: the sums come first). Low + high = total and = free, as the
// kernel prints them.
void derive_high_memory(const HostMemory& host, MemoryFigures& figures);

}  // namespace cgview
