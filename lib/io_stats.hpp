// A container's block I/O as its cgroup counts it (v1 blkio, v2 io.stat), per
// device: for `cgview stats` and the shim's /proc/diskstats and
// /sys/block/DEV/stat. Raw syscalls, caller-owned memory, no heap.
#pragma once

#include <cstdint>

#include "config.hpp"
#include "discovery.hpp"

namespace cgview {

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
// CGVIEW_DEBUG, with the view's lines: on cgroup v1 the blkio cgroup that
// locate_served_io finds, and that search's own decisions. The served files
// find it at each open, quietly; on v2 it is the view's own cgroup, said with it.
void say_served_io_cgroup(const Config& config);

// The name of block device MAJ:MIN from /proc/partitions; false when unlisted.
bool block_device_name(const Sysroot& root, uint32_t major, uint32_t minor, FixedText<32>& out);

}  // namespace cgview
