#include "io_stats.hpp"

#include "debug_log.hpp"
#include "stat_files.hpp"

namespace cgview {

namespace {

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
  close_host_file(fd);
  return found;
}

bool locate_served_io(const Config& config, CgroupDir& dir) {
  bool at_top = false;
  return locate_controller(config, "blkio", dir, &at_top) && !(at_top && !dir.v2);
}

void say_served_io_cgroup(const Config& config) {
  CgroupDir dir;
  if (!locate_controller(without_debug_lines(config), "blkio", dir) || dir.v2) return;
  bool at_top = false;
  locate_controller(config, "blkio", dir, &at_top);  // aloud
  DebugLine(config) << "blkio (v1): " << dir.path.view()
                    << (at_top ? ": the hierarchy's top, /proc/diskstats is the host's" : "");
}

bool read_served_io_stats(const Config& config, IoStats& io) {
  CgroupDir dir;
  if (!locate_served_io(config, dir)) return false;
  read_io_stats(config.root, dir, io);
  return io.has && io.more == 0;
}

}  // namespace cgview
