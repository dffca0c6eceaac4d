#include "cgroup_stats.hpp"

#include <dirent.h>
#include <unistd.h>

#include "cgroup_files.hpp"
#include "input_file.hpp"
#include "limits.hpp"

namespace cgview {

namespace {

// DIR/name, or false when the path does not fit.
bool join(const CgroupDir& dir, std::string_view name, PathText& out) {
  out.clear();
  out.add(dir.path.view()).add('/').add(name);
  return dir.found && !out.overflowed() && out.size() < kPathMax;
}

enum class Number { Missing, Value, Unlimited };

// A file holding one number; "max" (v2) and values from 2^62 (v1's
// "unlimited" is 2^63 rounded to pages) mean unlimited.
Number read_number(const Sysroot& root, const CgroupDir& dir, std::string_view name, uint64_t& value) {
  char buf[64];
  std::string_view text = dir.found ? read_value_file(root, dir.path.view(), name, buf) : std::string_view();
  if (text == "max") return Number::Unlimited;
  if (!parse_u64(text, value)) return Number::Missing;
  return value >= kUnlimitedFrom ? Number::Unlimited : Number::Value;
}

void read_figure(const Sysroot& root, const CgroupDir& dir, std::string_view name, Figure& out) {
  uint64_t v = 0;
  if (read_number(root, dir, name, v) == Number::Value) out.set(v);
}

// Calls `each(line)` for every whole line of DIR/name. False when the file
// cannot be opened or a read fails.
template <typename Each>
bool for_each_line(const Sysroot& root, const CgroupDir& dir, std::string_view name, Each each) {
  PathText path;
  if (!join(dir, name, path)) return false;
  int fd = open_host_file(root, path.view());
  if (fd < 0) return false;
  char buf[1024];
  LineReader reader(fd, buf);
  std::string_view line;
  while (reader.next_whole_line(line)) each(line);
  close_fd(fd);
  return !reader.failed();
}

// Calls `each(key, value)` for every "key value" line of DIR/name whose value
// is a number. False when the file cannot be opened.
template <typename Each>
bool for_each_pair(const Sysroot& root, const CgroupDir& dir, std::string_view name, Each each) {
  return for_each_line(root, dir, name, [&](std::string_view line) {
    std::string_view key, value;
    uint64_t v = 0;
    if (next_field(line, key) && next_field(line, value) && parse_u64(value, v)) each(key, v);
  });
}

// "MAJ:MIN" into its numbers.
bool parse_device(std::string_view text, uint32_t& major, uint32_t& minor) {
  size_t colon = text.find(':');
  uint64_t a = 0, b = 0;
  if (colon == std::string_view::npos || !parse_u64(text.substr(0, colon), a) ||
      !parse_u64(text.substr(colon + 1), b) || a > 0xffffffffu || b > 0xffffffffu)
    return false;
  major = uint32_t(a);
  minor = uint32_t(b);
  return true;
}

// v1 blkio "MAJ:MIN Read N" lines; Write likewise. Returns false when absent.
bool read_blkio_file(const Sysroot& root, const CgroupDir& dir, std::string_view name, bool bytes, bool count_more,
                     IoStats& out) {
  return for_each_line(root, dir, name, [&](std::string_view line) {
    std::string_view device, op, value;
    uint32_t major = 0, minor = 0;
    uint64_t v = 0;
    if (!next_field(line, device) || !next_field(line, op) || !next_field(line, value)) return;
    if (!parse_device(device, major, minor) || !parse_u64(value, v)) return;
    bool is_read = op == "Read", is_write = op == "Write";
    if (!is_read && !is_write) return;
    bool kept = false;
    IoDevice& d = out.find_or_add(major, minor, kept);
    uint64_t& slot = bytes ? (is_read ? d.read_bytes : d.write_bytes) : (is_read ? d.reads : d.writes);
    if (kept) {
      slot = v;
      return;
    }
    slot = add_saturating(slot, v);
    // Each device has one Read line per file: counted in the first file read.
    if (is_read && count_more) ++out.more;
  });
}

}  // namespace

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

const IoDevice* IoStats::find(uint32_t major, uint32_t minor) const {
  for (size_t i = 0; i < count; ++i)
    if (devices[i].major == major && devices[i].minor == minor) return &devices[i];
  return nullptr;
}

IoDevice& IoStats::find_or_add(uint32_t major, uint32_t minor, bool& kept) {
  kept = true;
  for (size_t i = 0; i < count; ++i)
    if (devices[i].major == major && devices[i].minor == minor) return devices[i];
  if (count == kMaxIoDevices) {
    kept = false;
    return rest;
  }
  IoDevice& d = devices[count++];
  d = IoDevice{};
  d.major = major;
  d.minor = minor;
  return d;
}

void read_io_stats(const Sysroot& root, const CgroupDir& dir, IoStats& out) {
  out.has = false;
  out.count = 0;
  out.more = 0;
  out.rest = IoDevice{};
  out.file = nullptr;
  if (!dir.found) return;
  if (!dir.v2) {
    // The recursive files count the cgroup and its children; older kernels lack them.
    bool bytes = false;
    for (const char* name : {"blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes"}) {
      if (!read_blkio_file(root, dir, name, true, true, out)) continue;
      bytes = true;
      out.file = name;
      break;
    }
    bool ops = read_blkio_file(root, dir, "blkio.throttle.io_serviced_recursive", false, !bytes, out) ||
               read_blkio_file(root, dir, "blkio.throttle.io_serviced", false, !bytes, out);
    out.has = bytes || ops;
    return;
  }
  out.file = "io.stat";
  out.has = for_each_line(root, dir, "io.stat", [&](std::string_view line) {
    std::string_view field;
    uint32_t major = 0, minor = 0;
    if (!next_field(line, field) || !parse_device(field, major, minor)) return;
    bool kept = false;
    IoDevice& d = out.find_or_add(major, minor, kept);
    if (!kept) ++out.more;  // one line per device
    while (next_field(line, field)) {
      size_t eq = field.find('=');
      uint64_t v = 0;
      if (eq == std::string_view::npos || !parse_u64(field.substr(eq + 1), v)) continue;
      std::string_view key = field.substr(0, eq);
      uint64_t* slot = key == "rbytes" ? &d.read_bytes
                       : key == "wbytes" ? &d.write_bytes
                       : key == "rios"   ? &d.reads
                       : key == "wios"   ? &d.writes
                                         : nullptr;
      if (slot != nullptr) *slot = kept ? v : add_saturating(*slot, v);
    }
  });
}

bool block_device_name(const Sysroot& root, uint32_t major, uint32_t minor, FixedText<32>& out) {
  int fd = open_host_file(root, "/proc/partitions");
  if (fd < 0) return false;
  char buf[512];
  LineReader reader(fd, buf);
  std::string_view line, a, b, blocks, name;
  bool found = false;
  while (!found && reader.next_whole_line(line)) {
    uint64_t ma = 0, mi = 0;
    if (!next_field(line, a) || !next_field(line, b) || !next_field(line, blocks) || !next_field(line, name)) continue;
    if (!parse_u64(a, ma) || !parse_u64(b, mi) || ma != major || mi != minor) continue;
    out.clear();
    out.add(name);
    found = !out.overflowed();
  }
  close_fd(fd);
  return found;
}

namespace {

// An interface's counters; false for an entry that has none (not an interface).
bool read_interface(const Sysroot& root, std::string_view name, NetInterface& out) {
  out = NetInterface{};
  out.name.add(name);
  CgroupDir stats;  // a directory to read numbers from, as the cgroup readers do
  stats.found = true;
  stats.path.add("/sys/class/net/").add(name).add("/statistics");
  if (stats.path.overflowed()) return false;
  read_figure(root, stats, "rx_bytes", out.rx_bytes);
  read_figure(root, stats, "tx_bytes", out.tx_bytes);
  read_figure(root, stats, "rx_packets", out.rx_packets);
  read_figure(root, stats, "tx_packets", out.tx_packets);
  return out.rx_bytes.has || out.tx_bytes.has || out.rx_packets.has || out.tx_packets.has;
}

void add_figure(Figure& sum, const Figure& f) {
  if (f.has) sum.set(add_saturating(sum.value, f.value));
}

}  // namespace

void read_net_stats(const Sysroot& root, NetStats& out) {
  out.has = false;
  out.count = 0;
  out.more = 0;
  out.rest = NetInterface{};
  NetInterface iface;
  out.has = for_each_dir_entry(root, "/sys/class/net", [&](const DirEntry& e) {
    // Interfaces are links (live) or directories (a copied tree); a plain file is not one.
    if (e.name == "lo" || e.type == DT_REG || !read_interface(root, e.name, iface)) return true;
    if (out.count < kMaxInterfaces && !iface.name.overflowed()) {
      out.interfaces[out.count++] = iface;
      return true;
    }
    ++out.more;
    add_figure(out.rest.rx_bytes, iface.rx_bytes);
    add_figure(out.rest.tx_bytes, iface.tx_bytes);
    add_figure(out.rest.rx_packets, iface.rx_packets);
    add_figure(out.rest.tx_packets, iface.tx_packets);
    return true;
  }) || out.count > 0;
}

}  // namespace cgview
