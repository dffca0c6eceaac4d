#include "stats_sample.hpp"

#include <time.h>

#include <cerrno>
#include <cstring>

#include "cpu_usage.hpp"
#include "host_files.hpp"
#include "limits.hpp"

namespace cgview::cli {

namespace {

// The directory of the quota file that binds (a parent's quota throttles the
// parent: its children's cpu.stat show no throttling); the cpu directory when
// no cgroup quota does.
CgroupDir binding_quota_dir(const Config& config, const Limits& limits, const CgroupDir& cpu) {
  CgroupDir dir = cpu;
  if (!cpu.found || !limits.cpu.has_quota || config.has_cpus_override) return dir;
  std::string_view quota_dir = limits.cpu.quota_source.dir();
  if (quota_dir.size() < cpu.mount_len) return dir;
  dir.path.clear();
  dir.path.add(quota_dir);
  return dir;
}

// Memory limits as they bind: the smallest of the cgroup's and its
// ancestors' (what the shim serves and `show` prints), where the cgroup's
// own files may say "unlimited" under a limited parent; swap no more than
// the host has.
void apply_binding_memory_limits(const Config& config, const MemoryLimits& limits, MemoryStats& m) {
  // A limit at or above the host's memory binds nothing: the view has none.
  if (limits.has_limit) m.limit.set(limits.limit);
  else m.limit = Figure{};
  if (limits.has_swap_allowance) {
    m.swap_limit.set(limits.swap_allowance);
    m.swap_unlimited = false;
  }
  // A host without swap gives none to any allowance, "no limit" included.
  HostMemory host;
  if (!read_host_memory(config.root, host)) return;
  if ((m.swap_limit.has && host.swap_total < m.swap_limit.value) || (m.swap_unlimited && host.swap_total == 0)) {
    m.swap_limit.set(host.swap_total);
    m.swap_unlimited = false;
  }
}

// The ancestor whose limit is the one that binds, and its usage: under a
// parent's limit the container's own usage says little about the room left,
// which its siblings share.
void read_binding_memory_level(const Config& config, const MemoryLimits& limits, Sample& out) {
  const CgroupDir& dir = out.cgroups.of(Controller::Memory);
  if (!limits.has_limit || !dir.found) return;
  for (int i = 0; i < limits.levels.count; ++i) {
    const LimitLevel& level = limits.levels.at[i];
    if (level.limit != limits.limit || !level.is_ancestor_of(dir.path.view())) continue;
    CgroupDir at = dir;
    at.path.clear();
    at.path.add(dir.path.view().substr(0, level.path_len));
    MemoryStats there;
    read_memory_stats(config.root, at, there);
    out.memory_limit_usage = there.usage;
    out.memory_limit_dir = at.path;
    return;
  }
}

// A bare host: every controller's cgroup is its hierarchy's root, so the
// whole host's use is this process's "container" and is shown as such.
bool in_hierarchy_roots_only(const Sysroot& root, const CgroupDirs& cgroups) {
  for (int c = 0; c < kControllerCount; ++c) {
    const CgroupDir& dir = cgroups.of(Controller(c));
    if (dir.found && !is_hierarchy_root(root, dir)) return false;
  }
  return true;
}

// Adds DIR/file to `out` where its figure is missing because the file is
// there but cannot be opened: "-" alone would read as "not kept here".
void note_unreadable(const Sysroot& root, const CgroupDir& dir, std::string_view file, const Figure& figure,
                     std::vector<Sample::Unreadable>& out) {
  if (!dir.found || figure.has) return;
  std::string path = std::string(dir.path.view()) + "/" + std::string(file);
  int error = host_open_error(root, path);
  if (error != 0 && error != ENOENT) out.push_back({path, std::string(file), std::strerror(error)});
}

}  // namespace

void take_sample(const Config& config, Sample& out) {
  struct timespec mono, real;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_REALTIME, &real);
  out.monotonic_ns = uint64_t(mono.tv_sec) * 1000000000u + uint64_t(mono.tv_nsec);
  out.unix_time = double(real.tv_sec) + double(real.tv_nsec) / 1e9;
  // The cgroup's own limits, not CGVIEW_MEMORY's or CGVIEW_CPUS's (which only programs see).
  Config cgroup_config = config;
  cgroup_config.has_memory_override = false;
  cgroup_config.has_cpus_override = false;
  Limits limits;
  out.have_limits = compute_limits(cgroup_config, limits);
  out.cpus = out.have_limits ? limits.cpu.count : 0;
  out.quota.reset();
  if (out.have_limits && limits.cpu.has_quota)
    out.quota = double(limits.cpu.quota.quota) / double(limits.cpu.quota.period);
  out.cgroups = limits.cgroups;
  if (!out.have_limits) discover_cgroups(config, out.cgroups);
  locate_controller(config, "pids", out.pids_dir);
  // The same I/O counters as the shim's /proc/diskstats: none where the
  // blkio cgroup is the host's own (they would be the host's, not the container's).
  // Found quietly: compute_limits said its decisions with the view's.
  out.io_is_hosts = !locate_served_io(without_debug_lines(config), out.io_dir) && out.io_dir.found;
  const CgroupDir& cpu = out.cgroups.of(Controller::Cpu);
  read_cpu_stats(config.root, cpu, out.cgroups.of(Controller::Cpuacct), out.cpu);
  out.quota_dir = out.have_limits ? binding_quota_dir(cgroup_config, limits, cpu) : cpu;
  if (out.quota_dir.path.view() != cpu.path.view()) {
    CpuStats at_quota;
    read_cpu_stats(config.root, out.quota_dir, out.quota_dir, at_quota);
    out.cpu.periods = at_quota.periods;
    out.cpu.throttled_periods = at_quota.throttled_periods;
    out.cpu.throttled_ns = at_quota.throttled_ns;
  }
  // CPU time read at the cpuacct hierarchy's root is the whole host's, which
  // is not the container's use where the process sits in a cgroup of another
  // controller (a v1 process put in a memory, cpu or cpuset cgroup but left
  // in the root cpuacct one) or its view has fewer CPUs than the host: none
  // is shown rather than the host's as its own.
  const CgroupDir& cpuacct = out.cgroups.of(Controller::Cpuacct);
  out.cpu_time_is_hosts =
      is_hierarchy_root(config.root, cpuacct) &&
      (!in_hierarchy_roots_only(config.root, out.cgroups) || (out.have_limits && cpu_time_is_whole_hosts(cgroup_config, limits)));
  if (out.cpu_time_is_hosts) out.cpu.usage_ns = Figure{};
  read_memory_stats(config.root, out.cgroups.of(Controller::Memory), out.memory);
  out.memory_limit_usage = Figure{};
  out.memory_limit_dir.clear();
  out.memory_limit_hidden = out.have_limits && limits.memory.limit_above_view;
  if (out.have_limits) {
    apply_binding_memory_limits(config, limits.memory, out.memory);
    read_binding_memory_level(config, limits.memory, out);
  }
  read_pids_stats(config.root, out.pids_dir, out.pids);
  if (out.io_is_hosts) out.io = IoStats{};
  else read_io_stats(config.root, out.io_dir, out.io);
  read_net_stats(config.root, out.net);
  out.unreadable.clear();
  const CgroupDir& memory = out.cgroups.of(Controller::Memory);
  note_unreadable(config.root, memory, memory.v2 ? "memory.current" : "memory.usage_in_bytes", out.memory.usage,
                  out.unreadable);
  if (!out.cpu_time_is_hosts)
    note_unreadable(config.root, cpuacct, cpuacct.v2 ? "cpu.stat" : "cpuacct.usage", out.cpu.usage_ns, out.unreadable);
  note_unreadable(config.root, out.pids_dir, "pids.current", out.pids.current, out.unreadable);
}

std::optional<double> rate(uint64_t before, uint64_t now, double seconds) {
  if (seconds <= 0 || now < before) return std::nullopt;
  return double(now - before) / seconds;
}

std::optional<double> rate(const Figure& before, const Figure& now, double seconds) {
  if (!before.has || !now.has) return std::nullopt;
  return rate(before.value, now.value, seconds);
}

namespace {

// Whether two samples read a controller's counters in the same cgroup.
bool same_cgroup(const CgroupDir& before, const CgroupDir& now) {
  return before.found == now.found && before.path.view() == now.path.view();
}

}  // namespace

Rates compute_rates(const Sample& before, const Sample& now) {
  Rates r;
  r.seconds = double(now.monotonic_ns - before.monotonic_ns) / 1e9;
  // Counters read in another cgroup than the last sample's (the process was
  // moved, or its cgroup removed and the root read instead) give no rate: the
  // difference of two cgroups' totals is nobody's use (from a cgroup to the
  // root, the host's CPU time since boot: hundreds of percent of the CPUs).
  bool same_cpuacct = same_cgroup(before.cgroups.of(Controller::Cpuacct), now.cgroups.of(Controller::Cpuacct));
  bool same_quota = same_cgroup(before.quota_dir, now.quota_dir);
  r.io_comparable = same_cgroup(before.io_dir, now.io_dir) && before.io_is_hosts == now.io_is_hosts;
  if (same_cpuacct && before.cpu_time_is_hosts == now.cpu_time_is_hosts)
    r.cpus_used = rate(before.cpu.usage_ns, now.cpu.usage_ns, r.seconds);
  if (r.cpus_used) {
    *r.cpus_used /= 1e9;
    if (now.cpus > 0) r.cpu_percent = *r.cpus_used * 100.0 / now.cpus;
    if (now.quota && *now.quota > 0) r.quota_percent = *r.cpus_used * 100.0 / *now.quota;
  }
  if (same_quota) {
    r.throttled_periods_per_s = rate(before.cpu.throttled_periods, now.cpu.throttled_periods, r.seconds);
    r.throttled_time_per_s = rate(before.cpu.throttled_ns, now.cpu.throttled_ns, r.seconds);
  }
  if (r.throttled_time_per_s) *r.throttled_time_per_s /= 1e9;
  return r;
}

IoTotals io_totals(const IoStats& io) {
  IoTotals t;
  auto add = [&](const IoDevice& d) {
    t.read_bytes = add_saturating(t.read_bytes, d.read_bytes);
    t.write_bytes = add_saturating(t.write_bytes, d.write_bytes);
    t.reads = add_saturating(t.reads, d.reads);
    t.writes = add_saturating(t.writes, d.writes);
  };
  for (size_t i = 0; i < io.count; ++i) add(io.devices[i]);
  add(io.rest);  // the devices past the table's
  return t;
}

NetTotals net_totals(const NetStats& net) {
  NetTotals t;
  auto add = [&](const NetInterface& n) {
    t.rx_bytes = add_saturating(t.rx_bytes, n.rx_bytes.value);
    t.tx_bytes = add_saturating(t.tx_bytes, n.tx_bytes.value);
    t.rx_packets = add_saturating(t.rx_packets, n.rx_packets.value);
    t.tx_packets = add_saturating(t.tx_packets, n.tx_packets.value);
  };
  for (size_t i = 0; i < net.count; ++i) add(net.interfaces[i]);
  add(net.rest);  // the interfaces past the table's
  return t;
}

std::string device_label(const Config& config, const IoDevice& d) {
  FixedText<32> name;
  if (block_device_name(config.root, d.major, d.minor, name)) return std::string(name.view());
  return std::to_string(d.major) + ":" + std::to_string(d.minor);
}

}  // namespace cgview::cli
