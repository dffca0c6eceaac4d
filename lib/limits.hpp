// The container's limits: N, V, L and the swap allowance (docs/design.md, CPUs and Memory).
// Limits change rarely; the shim caches them. Usage is read elsewhere, fresh.
#pragma once

#include <cstdint>
#include <string_view>

#include "cpu_set.hpp"
#include "discovery.hpp"
#include "host_memory.hpp"
#include "int128.hpp"

namespace cgview {

// A CPU quota as a fraction of CPUs: quota/period (both in the same unit).
struct Quota {
  uint64_t quota = 0;
  uint64_t period = 0;
  bool less_than(const Quota& other) const {
    return product_less(quota, other.period, other.quota, period);
  }
};

// Where a number came from, for `cgview show`.
struct Source {
  PathText file;  // host path, or the variable name for overrides
  size_t dir_len = 0;  // the cgroup directory's part of `file` (0 for an override)
  void set(std::string_view dir, std::string_view name) {
    file.clear();
    file.add(dir).add('/').add(name);
    dir_len = dir.size();
  }
  // The cgroup directory the figure was read in; empty for an override.
  std::string_view dir() const { return file.view().substr(0, dir_len); }
};

struct CpuLimits {
  CpuSet online;     // the host's online CPUs
  CpuSet affinity;   // A
  CpuSet visible;    // V: `count` ids of A, from `start` in rotation (placement.hpp)
  unsigned count = 0;  // N
  // How any mask of this process is narrowed (sched_getaffinity of a thread,
  // Cpus_allowed of its status file): the first `narrow_to` ids from `start`
  // in rotation (cpu_set.hpp keep_in_rotation); narrow_to 0 = not narrowed.
  // Applied to A it gives V.
  unsigned narrow_to = 0;
  unsigned start = 0;
  uint64_t identity = 0;  // the cgroup's identity that chose `start` (0 = none)
  bool has_quota = false;
  Quota quota;  // Q (after CGVIEW_CPUS)
  Source quota_source;
  bool has_cpuset = false;
  unsigned cpuset_count = 0;  // the cpuset's online CPUs
  Source cpuset_source;
};

// One level whose limit bounds free memory (docs/design.md, Memory: MemFree is the
// smallest headroom, limit minus that level's usage, over the levels). A level
// is the memory directory or one of its ancestors, named by the length of
// that prefix of the directory's path; 0 = the directory's own usage (also
// for limits without a directory of their own: CGVIEW_MEMORY, and v1's
// hierarchical_memory_limit, whose ancestor a namespace may hide).
struct LimitLevel {
  uint64_t limit = 0;
  uint16_t path_len = 0;
  // The ancestor of `dir` this level names; false for the directory's own level.
  bool is_ancestor_of(std::string_view dir) const {
    return path_len != 0 && path_len < dir.size() && dir[path_len] == '/';
  }
};
inline constexpr int kMaxLimitLevels = 8;  // more levels with limits: the smallest ones are kept
struct LimitLevels {
  LimitLevel at[kMaxLimitLevels];
  uint8_t count = 0;
  void add(uint64_t limit, size_t path_len);
};

struct MemoryLimits {
  bool has_limit = false;
  uint64_t limit = 0;  // L, bytes (after CGVIEW_MEMORY)
  bool has_swap_allowance = false;
  uint64_t swap_allowance = 0;
  LimitLevels levels;  // with has_limit: at least the level of L
  // Last, for `cgview show` only: the shim's copies of the cache stop before them.
  Source limit_source;
  Source swap_source;
  bool limit_above_view = false;  // L is known only from v1's hierarchical_memory_limit
};

struct Limits {
  CgroupDirs cgroups;   // memory's directory is the last entry...
  MemoryLimits memory;  // ...next to the memory limits: the shim copies just that span
  CpuLimits cpu;
};

// Computes everything above. False only when the CPU view itself cannot be
// formed (no readable affinity or online list): then every answer is the real one.
bool compute_limits(const Config& config, Limits& out);

// Whether the cpuacct cgroup's CPU time, which `cgview stats` shows, is the
// whole host's while N < |A| (a v1 process put in a cpu cgroup but left in
// the root cpuacct one). Asked by that reader only: at a namespace's root it
// costs an open, which the limits every call shares should not pay.
bool cpu_time_is_whole_hosts(const Config& config, const Limits& limits);

// N from |A| and Q under a rounding mode: clamp(round(Q), 1, |A|).
unsigned cpus_for_quota(const Quota& q, Rounding rounding, unsigned available);

// "none"/"max"/missing and values >= 2^62 all mean unlimited.
inline constexpr uint64_t kUnlimitedFrom = uint64_t(1) << 62;


}  // namespace cgview
