// What a container's own cgroup says about its use: CPU time and throttling,
// memory and OOM, pids, block I/O, and the network it sees. For `cgview
// stats` and `show`, and (the I/O part) for the shim's /proc/diskstats.
//
// Every figure is read fresh with raw syscalls into caller-owned memory: no
// heap, no locks, no stdio. A file that is missing or malformed leaves its
// figures absent; nothing here fails harder than that.
#pragma once

#include <cstdint>
#include <string_view>

#include "discovery.hpp"

namespace cgview {

// One number the kernel may or may not give.
struct Figure {
  bool has = false;
  uint64_t value = 0;
  void set(uint64_t v) {
    has = true;
    value = v;
  }
};

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

struct IoDevice {
  uint32_t major = 0, minor = 0;
  uint64_t read_bytes = 0, write_bytes = 0, reads = 0, writes = 0;
};
// Field `index` (from 0) of a /proc/diskstats line after the name, or of a
// /sys/block/DEV/stat file, as the cgroup counts it: reads completed (0),
// sectors read (2), writes completed (4), sectors written (6); 0 for the rest
// and for a device the cgroup never touched (d null).
inline uint64_t diskstats_field(const IoDevice* d, size_t index) {
  if (d == nullptr) return 0;
  switch (index) {
    case 0: return d->reads;
    case 2: return d->read_bytes / 512;
    case 4: return d->writes;
    case 6: return d->write_bytes / 512;
    default: return 0;
  }
}
inline constexpr size_t kMaxIoDevices = 64;
struct IoStats {
  bool has = false;  // the cgroup accounts I/O (its file was read, even with no device yet)
  size_t count = 0;
  IoDevice devices[kMaxIoDevices];
  // Devices beyond the first kMaxIoDevices: how many, and their counters
  // summed (`rest`'s major and minor mean nothing), so totals stay whole.
  size_t more = 0;
  IoDevice rest;
  const char* file = nullptr;  // the file the bytes came from (v1 has two), for `show`
  const IoDevice* find(uint32_t major, uint32_t minor) const;
  // The device's counters; `rest` once the table is full.
  IoDevice& find_or_add(uint32_t major, uint32_t minor, bool& kept);
};
// v1: blkio.throttle.io_service_bytes and io_serviced (their _recursive
// variants first: a container's processes may sit in child cgroups);
// v2: io.stat rbytes wbytes rios wios.
void read_io_stats(const Sysroot& root, const CgroupDir& io, IoStats& out);
// The cgroup whose I/O counters the served files (/proc/diskstats,
// /sys/block/DEV/stat) carry: the process's io/blkio cgroup. False when there
// is none, or when it is the top of a v1 blkio hierarchy (`dir` is then
// still set): that is the host's own cgroup, whose throttle counters count
// only throttled devices, so the host's file is the truer answer.
bool locate_served_io(const Config& config, CgroupDir& dir);
// Its counters; false (serve the host's file) where locate_served_io is,
// without I/O accounting there, or with more devices than the table keeps
// (the ones past it would read as untouched).
bool read_served_io_stats(const Config& config, IoStats& io);

// The name of block device MAJ:MIN from /proc/partitions; false when unlisted.
bool block_device_name(const Sysroot& root, uint32_t major, uint32_t minor, FixedText<32>& out);

struct NetInterface {
  FixedText<32> name;
  Figure rx_bytes, tx_bytes, rx_packets, tx_packets;
};
inline constexpr size_t kMaxInterfaces = 32;
struct NetStats {
  bool has = false;
  size_t count = 0;
  NetInterface interfaces[kMaxInterfaces];
  // Interfaces beyond the first kMaxInterfaces (a host's network namespace
  // can hold hundreds): how many, and their counters summed (`rest`'s name is empty).
  size_t more = 0;
  NetInterface rest;
};
// /sys/class/net/*/statistics, loopback left out: the interfaces of the
// network namespace the process sees (entries without statistics, such as
// the bonding driver's bonding_masters file, are no interfaces).
void read_net_stats(const Sysroot& root, NetStats& out);

}  // namespace cgview
