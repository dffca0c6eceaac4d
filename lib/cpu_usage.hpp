// The cgroup's CPU time and the clock /proc/stat measures it against.
#pragma once

#include <cstdint>

#include "discovery.hpp"

namespace cgview {

// USER_HZ, the unit of /proc/stat and cpuacct.stat: 100 on every Linux port
// but alpha's 1024. Live, what the kernel tells each program (AT_CLKTCK, as
// sysconf(_SC_CLK_TCK) reads it); a sysroot's files are taken as 100's.
uint64_t user_hz(const Sysroot& root);

struct CpuUsage {
  uint64_t user_ticks = 0, system_ticks = 0;
};

// v1: cpuacct.stat ("user N", "system N", already in USER_HZ).
// v2: cpu.stat user_usec and system_usec. False when unreadable.
bool read_cpu_usage(const Sysroot& root, const CgroupDir& dir, CpuUsage& out);

// Time since boot in USER_HZ ticks. Live: CLOCK_BOOTTIME; sysroot: DIR/proc/uptime.
bool read_uptime_ticks(const Sysroot& root, uint64_t& ticks);

}  // namespace cgview
