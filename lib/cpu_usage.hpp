// The cgroup's CPU time and the clock /proc/stat measures it against.
#pragma once

#include <cstdint>

#include "discovery.hpp"

namespace cgview {

// USER_HZ: the unit of /proc/stat and cpuacct.stat on every Linux ABI.
inline constexpr uint64_t kUserHz = 100;

struct CpuUsage {
  uint64_t user_ticks = 0, system_ticks = 0;
};

// v1: cpuacct.stat ("user N", "system N", already in USER_HZ).
// v2: cpu.stat user_usec and system_usec. False when unreadable.
bool read_cpu_usage(const Sysroot& root, const CgroupDir& dir, CpuUsage& out);

// Whether `dir` is the top of its hierarchy, whose CPU time (and memory, and
// I/O) is the whole host's: the mount point, and the hierarchy's real root
// (v1: it alone has release_agent; v2: it alone lacks cgroup.type). A private
// cgroup namespace's root is also a mount point, but its time is the container's.
bool is_hierarchy_root(const Sysroot& root, const CgroupDir& dir);

// Time since boot in USER_HZ ticks. Live: CLOCK_BOOTTIME; sysroot: DIR/proc/uptime.
bool read_uptime_ticks(const Sysroot& root, uint64_t& ticks);

}  // namespace cgview
