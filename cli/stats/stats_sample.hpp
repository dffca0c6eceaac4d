// One reading of everything `cgview stats` shows, and the per-second rates
// between two readings. Shared by the screen and the JSON lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cgroup_stats.hpp"
#include "io_stats.hpp"
#include "net_stats.hpp"
#include "config.hpp"
#include "stand_in_warnings.hpp"

namespace cgview::cli {

struct Sample {
  uint64_t monotonic_ns = 0;
  double unix_time = 0;
  bool have_limits = false;
  unsigned cpus = 0;             // N: the CPUs the container is shown
  std::optional<double> quota;   // in CPUs
  CgroupDirs cgroups;            // cpu, cpuacct, cpuset, memory
  // The cpu cgroup whose quota binds (the cpu directory itself without one):
  // the kernel counts periods and throttling there, not in its children.
  CgroupDir quota_dir;
  CgroupDir pids_dir, io_dir;
  bool io_is_hosts = false;  // io_dir is the host's own blkio cgroup: no I/O figures
  bool cpu_time_is_hosts = false;  // the cpuacct cgroup is its hierarchy's root: no CPU use shown
  CpuStats cpu;
  MemoryStats memory;
  // Where the memory limit that binds is an ancestor's: its usage there
  // (which counts the container's siblings too) and its directory.
  Figure memory_limit_usage;
  PathText memory_limit_dir;
  bool memory_limit_hidden = false;  // an ancestor's the mount does not show (v1 hierarchical_memory_limit)
  PidsStats pids;
  IoStats io;
  NetStats net;
  // The cgroup's own usage files that are there but cannot be read (mode 000,
  // another user's): their figures show as "-".
  struct Unreadable {
    std::string path, name, reason;  // name: the file's, path's last part
  };
  std::vector<Unreadable> unreadable;
};

void take_sample(const Config& config, Sample& out);

// Why a sample shows no CPU use (cpu_time_is_hosts), in the JSON's warnings.
inline constexpr const char* kCpuTimeIsHosts =
    "CPU use not shown: this process's cpuacct cgroup is its hierarchy's root, whose CPU time is the whole "
    "host's (put the process in a cpuacct cgroup of its own, as for cpu, to see it)";

// Why a figure is missing, for each of Sample::unreadable, in the JSON's warnings.
inline std::string unreadable_warning(const Sample::Unreadable& file) {
  return file.path + " cannot be read (" + file.reason + "): its figure is not shown";
}

inline bool memory_limit_is_an_ancestors(const Sample& s) { return s.memory_limit_dir.size() > 0; }

// The usage the memory limit is measured against: the ancestor's, siblings
// included, where its limit binds, else the cgroup's own. This is how full
// the limit is, and what the OOM killer acts on.
inline const Figure& memory_usage_at_limit(const Sample& s) {
  return memory_limit_is_an_ancestors(s) ? s.memory_limit_usage : s.memory.usage;
}

// The directories beyond `cgroups` a sample reads, named as their hierarchy
// names them (for stand_in_warnings).
inline std::vector<NamedDir> other_dirs(const Sample& s) { return pids_and_io(s.pids_dir, s.io_dir); }

// Whether the pids limit that binds is an ancestor's (its count then
// includes processes outside the cgroup).
inline bool limit_is_an_ancestors(const Sample& s) {
  return s.pids.limit_dir.size() > 0 && s.pids.limit_dir.view() != s.pids_dir.path.view();
}

// A figure as the screens print it: the number, or "-" when absent.
inline std::string figure_text(const Figure& f) { return f.has ? std::to_string(f.value) : "-"; }

// Per-second change of a counter between two samples (absent when either
// reading is, or when the counter went backwards: a reset, not a rate).
std::optional<double> rate(const Figure& before, const Figure& now, double seconds);
std::optional<double> rate(uint64_t before, uint64_t now, double seconds);

// Figures derived from two samples.
struct Rates {
  double seconds = 0;
  std::optional<double> cpu_percent;     // of the container's N CPUs
  std::optional<double> cpus_used;       // CPU-seconds per second
  std::optional<double> quota_percent;   // of the quota, where there is one: 100 = all of it
  std::optional<double> throttled_periods_per_s, throttled_time_per_s;
  bool io_comparable = true;  // both samples read I/O in the same cgroup: its rates mean something
};
Rates compute_rates(const Sample& before, const Sample& now);

// Sums over devices / interfaces.
struct IoTotals {
  uint64_t read_bytes = 0, write_bytes = 0, reads = 0, writes = 0;
};
IoTotals io_totals(const IoStats& io);
struct NetTotals {
  uint64_t rx_bytes = 0, tx_bytes = 0, rx_packets = 0, tx_packets = 0;
};
NetTotals net_totals(const NetStats& net);

// A device's name from /proc/partitions, or "MAJ:MIN".
std::string device_label(const Config& config, const IoDevice& d);

}  // namespace cgview::cli

namespace cgview::cli {

class Json;

// The figures of `now` as JSON members of the open object: "cpu", "memory",
// "oom", "pids", "io", "net". With `rates` (stats), per-second rates beside
// the totals; without (show's one-shot figures), totals only.
void sample_json(Json& j, const Config& config, const Sample& now, const Sample* before);

// How many of --count's updates the screen shows (count 0: no end).
struct Progress {
  long shown = 0, count = 0;
};

// The screen `cgview stats` redraws on a terminal: lines of at most 80 columns,
// where the terminal is narrower fitted to its `columns` (bars narrowed, then
// gone; lines broken between their figures; a path's line cut at its start).
std::vector<std::string> screen_lines(const Config& config, const Sample& now, const Sample& before,
                                      double interval, size_t columns, Progress progress);

}  // namespace cgview::cli
