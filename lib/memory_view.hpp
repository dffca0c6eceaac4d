// The container's memory figures (DESIGN.md, Memory), from cached limits and
// fresh usage. Shared by the /proc/meminfo renderer, sysinfo and sysconf.
#pragma once

#include <cstdint>

#include "limits.hpp"
#include "memory_stat.hpp"

namespace cgview {

// Usage, read fresh on every call.
struct MemoryUsage {
  bool has_usage = false;
  uint64_t usage = 0;  // U
  bool has_swap_used = false;
  uint64_t swap_used = 0;
  MemoryStat stat;
};
// `want_swap`: also read swap usage (an extra file; only needed with a swap allowance).
void read_memory_usage(const Sysroot& root, const CgroupDir& dir, bool want_swap, MemoryUsage& out);

// Figures in bytes. Each `has_*` false means: show the host's value.
struct MemoryFigures {
  uint64_t total = 0, free = 0, available = 0;
  bool has_stat_lines = false;
  MemoryStat stat;  // each present key replaces its meminfo line(s), clamped to total
  bool has_swap = false;
  uint64_t swap_total = 0, swap_free = 0;
};

// False when the memory view is not virtual (no limit, unknown host total,
// or unreadable usage): callers then serve the real answer.
bool derive_memory(const MemoryLimits& limits, const MemoryUsage& usage, uint64_t host_total,
                   uint64_t host_swap_total, MemoryFigures& out);

}  // namespace cgview
