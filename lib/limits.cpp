#include "limits.hpp"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cpu_usage.hpp"
#include "debug_log.hpp"
#include "input_file.hpp"
#include "io_stats.hpp"
#include "kernel_call.h"
#include "memory_stat.hpp"
#include "placement.hpp"

namespace cgview {

namespace {

// One level's quota: v2 "cpu.max" = "max 100000" | "50000 100000";
// v1 cpu.cfs_quota_us (-1 = none) over cpu.cfs_period_us.
bool quota_at(const Sysroot& root, std::string_view dir, bool v2, Quota& q, std::string_view& file) {
  char buf[128];
  if (v2) {
    file = "cpu.max";
    std::string_view text = read_value_file(root, dir, file, buf), quota, period;
    if (!next_field(text, quota) || !next_field(text, period) || !trim(text).empty()) return false;
    if (quota == "max") return false;
    return parse_u64(quota, q.quota) && parse_u64(period, q.period) && q.quota > 0 && q.period > 0;
  }
  file = "cpu.cfs_quota_us";
  int64_t quota = 0;
  if (!parse_i64(read_value_file(root, dir, file, buf), quota) || quota <= 0) return false;
  if (!parse_u64(read_value_file(root, dir, "cpu.cfs_period_us", buf), q.period) || q.period == 0) return false;
  q.quota = uint64_t(quota);
  return true;
}

void find_quota(const Config& config, CpuLimits& cpu, const CgroupDir& dir) {
  if (config.has_cpus_override) {
    cpu.has_quota = true;
    cpu.quota = {config.cpus_override_micro, 1000000};
    cpu.quota_source.file.add("CGVIEW_CPUS");
    return;
  }
  if (!dir.found) return;
  PathText level = dir.path;
  do {
    Quota q;
    std::string_view file;
    if (quota_at(config.root, level.view(), dir.v2, q, file) && (!cpu.has_quota || q.less_than(cpu.quota))) {
      cpu.has_quota = true;
      cpu.quota = q;
      cpu.quota_source.set(level.view(), file);
    }
  } while (parent_directory(level, dir.mount_len));
}

// The cgroup's effective cpuset (v2 cpuset.cpus.effective, v1 effective_cpus
// or cpus), from the nearest level that has one: a v2 parent may keep the
// cpuset controller from its children, whose CPUs are then its own.
bool find_cpuset(const Config& config, const CgroupDir& dir, CpuSet& set, Source& source) {
  if (!dir.found) return false;
  // Each version's own names only: a v2 walk up the tree tries one file a level.
  const char* v1_names[] = {"cpuset.effective_cpus", "cpuset.cpus", nullptr};
  const char* v2_names[] = {"cpuset.cpus.effective", nullptr};
  PathText level = dir.path;
  do {
    for (const char* const* name_at = dir.v2 ? v2_names : v1_names; *name_at != nullptr; ++name_at) {
      const char* name = *name_at;
      char buf[4096];
      std::string_view text = read_value_file(config.root, level.view(), name, buf);
      if (text.empty() || !parse_cpu_list(text, set) || set.empty()) continue;
      source.set(level.view(), name);
      return true;
    }
  } while (dir.v2 && parent_directory(level, dir.mount_len));
  return false;
}

bool read_online(const Sysroot& root, CpuSet& online) {
  char buf[4096];
  ssize_t n = read_host_file(root, "/sys/devices/system/cpu/online", buf);
  return n > 0 && parse_cpu_list(std::string_view(buf, size_t(n)), online) && !online.empty();
}

bool compute_cpu(const Config& config, const CgroupDirs& cgroups, CpuLimits& cpu) {
  if (!read_online(config.root, cpu.online)) {
    DebugLine(config) << "cannot read the online CPU list: real CPU answers";
    return false;
  }
  CpuSet cpuset;
  cpu.has_cpuset = find_cpuset(config, cgroups.of(Controller::Cpuset), cpuset, cpu.cpuset_source);
  if (cpu.has_cpuset) {
    CpuSet online_in_cpuset = cpuset;
    online_in_cpuset.intersect(cpu.online);
    cpu.cpuset_count = online_in_cpuset.count();
  }
  if (config.root.live()) {
    // A = the process's real affinity mask (the kernel has already applied the
    // cpuset): its main thread's, never the calling thread's, or one pinned
    // thread would change N for the whole process. The kernel answers for the
    // main thread even after it called pthread_exit; the caller's mask is only
    // a last resort should that ever fail.
    // Asked of the kernel itself: libc's syscall() may be the shim's (kernel_call.h).
    if (cgview_kernel_affinity_call(SYS_sched_getaffinity, syscall(SYS_getpid), CpuSet::kBytes,
                                    cpu.affinity.words()) <= 0 &&
        cgview_kernel_affinity_call(SYS_sched_getaffinity, 0, CpuSet::kBytes, cpu.affinity.words()) <= 0)
      return false;
  } else {
    cpu.affinity = cpu.online;
    if (cpu.has_cpuset) cpu.affinity.intersect(cpuset);
  }
  unsigned available = cpu.affinity.count();
  if (available == 0) return false;
  find_quota(config, cpu, cgroups.of(Controller::Cpu));
  cpu.count = cpu.has_quota ? cpus_for_quota(cpu.quota, config.rounding, available) : available;
  if (cpu.has_quota) cpu.narrow_to = cpus_for_quota(cpu.quota, config.rounding, kMaxCpus);
  cpu.identity = cgroup_identity(config.root, cgroups.of(Controller::Cpu));
  cpu.start = placement_start(cpu.affinity, cpu.count, cpu.identity, config.placement);
  cpu.visible = cpu.affinity;
  cpu.visible.keep_rotated(cpu.narrow_to, cpu.start);
  DebugLine(config) << "CPUs: " << uint64_t(cpu.count) << " of " << uint64_t(available) << " in the affinity mask"
                    << (cpu.has_quota ? " (quota from " : "") << (cpu.has_quota ? cpu.quota_source.file.view() : "")
                    << (cpu.has_quota ? ")" : "");
  if (config.placement == Placement::Lowest)
    DebugLine(config) << "V starts at CPU " << uint64_t(cpu.start) << " (placement lowest)";
  else
    DebugLine(config) << "V starts at CPU " << uint64_t(cpu.start) << " (placement spread, cgroup identity "
                      << cpu.identity << ")";
  return true;
}

// v2: memory.max at each level. v1: memory.limit_in_bytes at each level, and
// hierarchical_memory_limit (from `v1_stat`), which also sees ancestors hidden
// by a namespace. Each level with a limit is kept for the headroom rule.
void compute_memory_limit(const Config& config, const CgroupDir& dir, const MemoryStat& v1_stat, MemoryLimits& mem) {
  if (config.has_memory_override) {
    mem.has_limit = true;
    mem.limit = config.memory_override;
    mem.limit_source.file.add("CGVIEW_MEMORY");
    mem.levels.add(mem.limit, 0);
    return;
  }
  if (!dir.found) return;
  auto consider = [&](uint64_t value, std::string_view at, std::string_view file, size_t path_len) {
    if (value >= kUnlimitedFrom || value == 0) return false;
    mem.levels.add(value, path_len);
    if (mem.has_limit && value >= mem.limit) return false;
    mem.has_limit = true;
    mem.limit = value;
    mem.limit_source.set(at, file);
    return true;
  };
  std::string_view file = dir.v2 ? "memory.max" : "memory.limit_in_bytes";
  PathText level = dir.path;
  do {
    char buf[64];
    uint64_t value = 0;
    size_t len = level.size() == dir.path.size() ? 0 : level.size();
    if (parse_u64(read_value_file(config.root, level.view(), file, buf), value))
      consider(value, level.view(), file, len);
  } while (parent_directory(level, dir.mount_len));
  // Below every level read, it is an ancestor's above the mount's root (Docker's
  // --cgroup-parent, a pod's cgroup), whose other members' use cannot be read.
  if (v1_stat.has(StatKey::HierarchicalLimit))
    mem.limit_above_view =
        consider(v1_stat.get(StatKey::HierarchicalLimit), dir.path.view(), "memory.stat:hierarchical_memory_limit", 0);
}

// A limit at or above the host's memory (`host_total`, 0 when unknown) is no
// limit (the JDK reads it so too): the host's lines pass through. Levels at or
// above it never bound free memory. True when it dropped the limit.
bool drop_limits_above_host(const Config& config, uint64_t host_total, MemoryLimits& mem) {
  if (!mem.has_limit || host_total == 0) return false;
  LimitLevels kept;
  for (int i = 0; i < mem.levels.count; ++i)
    if (mem.levels.at[i].limit < host_total) kept.add(mem.levels.at[i].limit, mem.levels.at[i].path_len);
  mem.levels = kept;
  if (mem.limit < host_total) return false;
  DebugLine(config) << "memory limit " << mem.limit << " is at or above the host's " << host_total
                    << " bytes: no limit";
  mem.has_limit = false;
  mem.limit = 0;
  mem.limit_source = Source{};
  mem.limit_above_view = false;
  return true;
}

// v2: the smallest memory.swap.max. v1: memsw limit - L, where memsw is set:
// the swap left when the memory in use reaches L. Where L was at or above the
// host's memory (`ram_above_limit`: the host's MemTotal, else 0; a limit
// above a small host, or a 32-bit kernel's "unlimited", 8 TiB), memory in use
// stops at the host's: memsw - MemTotal. Without L (none, or unreadable), none.
void compute_swap_allowance(const Config& config, const CgroupDir& dir, const MemoryStat& v1_stat,
                            uint64_t ram_above_limit, MemoryLimits& mem) {
  if (!dir.found) return;
  char buf[64];
  uint64_t value = 0;
  if (dir.v2) {
    PathText level = dir.path;
    do {
      if (parse_u64(read_value_file(config.root, level.view(), "memory.swap.max", buf), value) &&
          value < kUnlimitedFrom && (!mem.has_swap_allowance || value < mem.swap_allowance)) {
        mem.has_swap_allowance = true;
        mem.swap_allowance = value;
        mem.swap_source.set(level.view(), "memory.swap.max");
      }
    } while (parent_directory(level, dir.mount_len));
    return;
  }
  const uint64_t ram = mem.has_limit ? mem.limit : ram_above_limit;
  if (ram == 0) return;
  // memory.swappiness 0 (Docker's --memory-swappiness 0, or a host's vm.swappiness
  // 0 inherited when the cgroup was made): reclaim at the limit takes only page
  // cache, never swaps the cgroup's memory out, so the view has no swap, whatever
  // memsw allows (the JDK and LXCFS read it so too). Only under a real limit:
  // without one the cgroup meets only the host's reclaim.
  if (mem.has_limit && !config.has_memory_override &&
      parse_u64(read_value_file(config.root, dir.path.view(), "memory.swappiness", buf), value) && value == 0) {
    mem.has_swap_allowance = true;
    mem.swap_allowance = 0;
    mem.swap_source.set(dir.path.view(), "memory.swappiness");
    return;
  }
  uint64_t memsw = 0;
  std::string_view memsw_file = "memory.memsw.limit_in_bytes";
  bool have = parse_u64(read_value_file(config.root, dir.path.view(), memsw_file, buf), memsw) &&
              memsw < kUnlimitedFrom;
  if (v1_stat.has(StatKey::HierarchicalMemswLimit)) {
    uint64_t h = v1_stat.get(StatKey::HierarchicalMemswLimit);
    if (h < kUnlimitedFrom && (!have || h < memsw)) {
      memsw = h;
      have = true;
      memsw_file = "memory.stat:hierarchical_memsw_limit";
    }
  }
  if (!have) return;
  mem.has_swap_allowance = true;
  mem.swap_allowance = memsw > ram ? memsw - ram : 0;
  mem.swap_source.set(dir.path.view(), memsw_file);
}

}  // namespace

void LimitLevels::add(uint64_t limit, size_t path_len) {
  for (int i = 0; i < count; ++i) {
    if (at[i].path_len == path_len) {  // one level, two limits (v1: limit_in_bytes, hierarchical)
      if (limit < at[i].limit) at[i].limit = limit;
      return;
    }
  }
  int slot = count;
  if (count == kMaxLimitLevels) {  // full: replace the largest limit, if this one is smaller
    slot = 0;
    for (int i = 1; i < count; ++i)
      if (at[i].limit > at[slot].limit) slot = i;
    if (limit >= at[slot].limit) return;
  } else {
    ++count;
  }
  at[slot] = {limit, uint16_t(path_len)};
}

unsigned cpus_for_quota(const Quota& q, Rounding rounding, unsigned available) {
  if (q.period == 0) return available;
  Int128 n = 0;  // the sums below outgrow 64 bits for quotas near 2^64
  switch (rounding) {
    case Rounding::Ceil: n = (Int128(q.quota) + q.period - 1) / q.period; break;
    case Rounding::Floor: n = q.quota / q.period; break;
    case Rounding::Round: n = (Int128(q.quota) * 2 + q.period) / (Int128(q.period) * 2); break;
  }
  if (n < 1) n = 1;
  if (n > available) n = available;
  return unsigned(uint64_t(n));
}

bool compute_limits(const Config& config, Limits& out) {
  out = Limits{};
  discover_cgroups(config, out.cgroups);
  const CgroupDir& memory = out.cgroups.of(Controller::Memory);
  MemoryStat v1_stat;  // v1 keeps the hierarchical limits here: read it once for both
  if (memory.found && !memory.v2) read_memory_stat(config.root, memory, v1_stat);
  compute_memory_limit(config, memory, v1_stat, out.memory);
  HostMemory host;
  const uint64_t host_total = out.memory.has_limit && read_host_memory(config.root, host) ? host.total : 0;
  const bool dropped = drop_limits_above_host(config, host_total, out.memory);
  compute_swap_allowance(config, memory, v1_stat, dropped ? host_total : 0, out.memory);
  if (out.memory.has_limit)
    DebugLine(config) << "memory limit " << out.memory.limit << " bytes from " << out.memory.limit_source.file.view();
  if (config.debug) say_served_io_cgroup(config);
  return compute_cpu(config, out.cgroups, out.cpu);
}

bool cpu_time_is_whole_hosts(const Config& config, const Limits& limits) {
  return limits.cpu.count < limits.cpu.affinity.count() &&
         is_hierarchy_root(config.root, limits.cgroups.of(Controller::Cpuacct));
}

}  // namespace cgview
