// What a container's own cgroup says about its use: CPU time and throttling,
// memory and OOM, pids. For `cgview stats` and `show`; block I/O is
// io_stats.hpp's, the network net_stats.hpp's.
//
// Every figure is read fresh with raw syscalls into caller-owned memory: no
// heap, no locks, no stdio. A file that is missing or malformed leaves its
// figures absent; nothing here fails harder than that.
#pragma once

#include <cstdint>
#include <string_view>

#include "discovery.hpp"
#include "stat_files.hpp"

namespace cgview {

struct CpuStats {
  Figure usage_ns;            // v1 cpuacct.usage; v2 cpu.stat usage_usec
  Figure periods;             // cpu.stat nr_periods
  Figure throttled_periods;   // cpu.stat nr_throttled
  Figure throttled_ns;        // v1 throttled_time; v2 throttled_usec
};
// `cpu` holds cpu.stat, `cpuacct` (v1) cpuacct.usage; on v2 both are one directory.
void read_cpu_stats(const Sysroot& root, const CgroupDir& cpu, const CgroupDir& cpuacct, CpuStats& out);

struct MemoryStats {
  Figure usage;        // v1 memory.usage_in_bytes; v2 memory.current
  Figure limit;        // absent when unlimited
  Figure cache;        // memory.stat total_cache (v1) / file (v2)
  Figure inactive_file;  // memory.stat total_inactive_file (v1) / inactive_file (v2)
  Figure swap_used;    // v1 memsw.usage - usage; v2 memory.swap.current
  Figure swap_limit;   // v1 memsw.limit - limit; v2 memory.swap.max; absent when unlimited
  bool swap_unlimited = false;  // the swap file said "max" / no memsw limit
  Figure oom_kill_disable;  // v1 memory.oom_control; v2 has no such switch: 0
  Figure under_oom;         // v1 memory.oom_control only
  Figure oom_events;        // v2 memory.events oom
  Figure oom_kills;         // v1 oom_control oom_kill (kernel 4.13+); v2 memory.events oom_kill
  Figure oom_group;         // v2 memory.oom.group
  // v2 memory.high: above it the kernel reclaims hard and throttles the
  // cgroup's allocations, but kills nothing (absent when "max"). Not a limit
  // of the view (programs are not shown it); stats shows it beside the limit.
  Figure high;
  Figure high_events;  // v2 memory.events high: times usage went above memory.high
  Figure max_events;   // v2 memory.events max: times usage reached memory.max
};
void read_memory_stats(const Sysroot& root, const CgroupDir& memory, MemoryStats& out);

// The working set: usage less the inactive page cache, which the kernel takes
// back first under pressure. What `docker stats` shows as usage, and `kubectl
// top` and the kubelet's eviction as the container's memory.
Figure working_set(const MemoryStats& m);

struct PidsStats {
  Figure current, max;  // max absent when "max"
  bool max_unlimited = false;
  // The limit that binds is the level with the least room (max - current)
  // up the tree; an ancestor's count there includes its other processes.
  Figure limit_current;  // pids.current at that level
  PathText limit_dir;    // that level's directory (empty: none)
};
void read_pids_stats(const Sysroot& root, const CgroupDir& pids, PidsStats& out);

}  // namespace cgview
