#include "cgroup_stats.hpp"

#include "input_file.hpp"

namespace cgview {

void read_cpu_stats(const Sysroot& root, const CgroupDir& cpu, const CgroupDir& cpuacct, CpuStats& out) {
  out = CpuStats{};
  bool v2 = cpu.found && cpu.v2;
  for_each_pair(root, cpu, "cpu.stat", [&](std::string_view key, uint64_t v) {
    if (key == "nr_periods") out.periods.set(v);
    else if (key == "nr_throttled") out.throttled_periods.set(v);
    else if (!v2 && key == "throttled_time") out.throttled_ns.set(v);
    else if (v2 && key == "throttled_usec") out.throttled_ns.set(mul_saturating(v, 1000));
    else if (v2 && key == "usage_usec") out.usage_ns.set(mul_saturating(v, 1000));
  });
  if (!v2 && cpuacct.found && !cpuacct.v2) {
    uint64_t v = 0;
    if (read_number(root, cpuacct, "cpuacct.usage", v) == Number::Value) out.usage_ns.set(v);
  } else if (!cpu.found && cpuacct.found && cpuacct.v2) {
    // v2 with no cpu directory found, but the v2 hierarchy placed (as cpuacct,
    // which v2 folds into cpu): its cpu.stat is the same file, read from there.
    read_cpu_stats(root, cpuacct, cpuacct, out);
  }
}

Figure working_set(const MemoryStats& m) {
  Figure out;
  if (m.usage.has && m.inactive_file.has)
    out.set(m.usage.value > m.inactive_file.value ? m.usage.value - m.inactive_file.value : 0);
  return out;
}

void read_memory_stats(const Sysroot& root, const CgroupDir& dir, MemoryStats& out) {
  out = MemoryStats{};
  if (!dir.found) return;
  uint64_t v = 0;
  if (dir.v2) {
    read_figure(root, dir, "memory.current", out.usage);
    read_figure(root, dir, "memory.max", out.limit);
    read_figure(root, dir, "memory.swap.current", out.swap_used);
    Number swap = read_number(root, dir, "memory.swap.max", v);
    if (swap == Number::Value) out.swap_limit.set(v);
    out.swap_unlimited = swap == Number::Unlimited;
    for_each_pair(root, dir, "memory.stat", [&](std::string_view key, uint64_t x) {
      if (key == "file") out.cache.set(x);
      else if (key == "inactive_file") out.inactive_file.set(x);
    });
    read_figure(root, dir, "memory.high", out.high);
    bool has_events = for_each_pair(root, dir, "memory.events", [&](std::string_view key, uint64_t x) {
      if (key == "oom") out.oom_events.set(x);
      else if (key == "oom_kill") out.oom_kills.set(x);
      else if (key == "high") out.high_events.set(x);
      else if (key == "max") out.max_events.set(x);
    });
    if (has_events) out.oom_kill_disable.set(0);  // v2's killer cannot be switched off
    read_figure(root, dir, "memory.oom.group", out.oom_group);
    return;
  }
  read_figure(root, dir, "memory.usage_in_bytes", out.usage);
  read_figure(root, dir, "memory.limit_in_bytes", out.limit);
  Figure cache, total_cache, inactive_file, total_inactive_file;
  for_each_pair(root, dir, "memory.stat", [&](std::string_view key, uint64_t x) {
    if (key == "cache") cache.set(x);
    else if (key == "total_cache") total_cache.set(x);
    else if (key == "inactive_file") inactive_file.set(x);
    else if (key == "total_inactive_file") total_inactive_file.set(x);
  });
  // The total_ keys count the cgroup's descendants too, as usage_in_bytes does.
  out.cache = total_cache.has ? total_cache : cache;
  out.inactive_file = total_inactive_file.has ? total_inactive_file : inactive_file;
  // memsw counts memory + swap: swap is the difference (absent without swap accounting).
  uint64_t memsw = 0;
  if (out.usage.has && read_number(root, dir, "memory.memsw.usage_in_bytes", memsw) == Number::Value)
    out.swap_used.set(memsw > out.usage.value ? memsw - out.usage.value : 0);
  Number memsw_limit = read_number(root, dir, "memory.memsw.limit_in_bytes", memsw);
  if (memsw_limit == Number::Value && out.limit.has)
    out.swap_limit.set(memsw > out.limit.value ? memsw - out.limit.value : 0);
  out.swap_unlimited = memsw_limit == Number::Unlimited;
  for_each_pair(root, dir, "memory.oom_control", [&](std::string_view key, uint64_t x) {
    if (key == "oom_kill_disable") out.oom_kill_disable.set(x);
    else if (key == "under_oom") out.under_oom.set(x);
    else if (key == "oom_kill") out.oom_kills.set(x);
  });
}

void read_pids_stats(const Sysroot& root, const CgroupDir& dir, PidsStats& out) {
  out = PidsStats{};
  if (!dir.found) return;
  read_figure(root, dir, "pids.current", out.current);
  // A pod's or a parent's pids.max stops forks as surely as the cgroup's
  // own, and counts the processes of all below it: the level with the least
  // room left is the one that binds.
  CgroupDir level = dir;
  bool any_max = false;
  uint64_t least_room = UINT64_MAX;
  do {
    uint64_t max = 0, current = 0;
    Number state = read_number(root, level, "pids.max", max);
    any_max = any_max || state != Number::Missing;
    if (state != Number::Value) continue;
    Figure count;
    if (level.path.view() == dir.path.view()) count = out.current;
    else if (read_number(root, level, "pids.current", current) == Number::Value) count.set(current);
    uint64_t used = count.has ? count.value : 0;  // an unread count: as if none were used
    uint64_t room = used < max ? max - used : 0;
    if (room < least_room || !out.max.has) {
      least_room = room;
      out.max.set(max);
      out.limit_current = count;
      out.limit_dir = level.path;
    }
  } while (parent_directory(level.path, dir.mount_len));
  out.max_unlimited = any_max && !out.max.has;
}

}  // namespace cgview
