// The process-wide view: configuration read once, limits cached for at most
// one second (docs/design.md: a `docker update` must show within one second).
//
// No locks: readers copy the cached limits under a sequence counter and retry
// if a writer was busy; a thread that cannot get a consistent copy computes
// its own. Safe in signal handlers, vfork children and across fork.
#pragma once

#include "config.hpp"
#include "limits.hpp"
#include "virtual_files.hpp"

namespace cgview::shim {

// Room for a Limits that current_limits_for or current_memory fills. Not a
// default-constructed Limits: zeroing its ~8 KiB on every call would cost more
// than rendering /proc/meminfo, and those functions write all that is read.
class LimitsBuffer {
 public:
  Limits& limits() { return *reinterpret_cast<Limits*>(bytes_); }

 private:
  alignas(Limits) unsigned char bytes_[sizeof(Limits)];
};

// The configuration, read once per process with secure_getenv.
const Config& config();
// The configuration if it has been read, else nullptr (reads nothing).
const Config* config_if_read();

// False when the shim is disabled or the view cannot be formed: answer for real.
bool current_limits(Limits& out);

// The hot path of sysconf/get_nprocs: N without copying the whole view.
bool current_cpu_count(unsigned& n);

// What sched_getaffinity needs: the rounded quota (0 = none) and where the
// rotation starts (CpuLimits::narrow_to, start), or under a sysroot, that the
// mask is to be replaced by the fixture's V (current_limits).
struct AffinityRule {
  unsigned quota_cpus = 0;
  unsigned start = 0;
  bool use_visible = false;
};
bool current_affinity_rule(AffinityRule& rule);

// The memory limits and the memory cgroup's directory, without the rest of
// the view. False when disabled (the real answer applies).
bool current_memory(MemoryLimits& memory, CgroupDir& dir);

// What rendering `file` needs. For /proc/meminfo only `memory` and the memory
// cgroup's directory are filled (render_meminfo reads nothing else): the rest
// of `out` is left as it was. False = serve the real file.
bool current_limits_for(VirtualFile file, Limits& out);

// /proc/stat's idle floor for this process.
StatClock& stat_clock();

}  // namespace cgview::shim
