// /sys/block/DEV/stat (also /sys/class/block/DEV/stat, and a partition's
// /sys/block/DISK/PART/stat): what iostat reads (sysstat 12 reads these, not
// /proc/diskstats). The same counters as the device's /proc/diskstats line:
// the cgroup's reads and writes completed and sectors, 0 for the rest; as many
// fields as the host's file, in the kernel's "%8lu" columns. Without I/O
// accounting in the cgroup, or at the top of a v1 blkio hierarchy: the host's.
#include "io_stats.hpp"
#include "host_files.hpp"
#include "input_file.hpp"
#include "text.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

constexpr uint32_t kMinorBits = 20;  // the kernel's dev_t: 12 bits of major, 20 of minor

}  // namespace

bool block_stat_name(std::string_view path, std::string_view& name) {
  constexpr std::string_view kBlock = "/sys/block/", kClassBlock = "/sys/class/block/", kStat = "/stat";
  std::string_view rest;
  if (path.starts_with(kBlock)) rest = path.substr(kBlock.size());
  else if (path.starts_with(kClassBlock)) rest = path.substr(kClassBlock.size());
  else return false;
  if (rest.size() <= kStat.size() || !rest.ends_with(kStat)) return false;
  name = rest.substr(0, rest.size() - kStat.size());  // DEV, or DISK/PART
  size_t slash = name.find('/');
  return !name.empty() && name.front() != '.' &&
         (slash == std::string_view::npos || (slash + 1 != name.size() && name.find('/', slash + 1) == std::string_view::npos));
}

bool block_stat_device(const Sysroot& root, std::string_view path, uint32_t& device) {
  constexpr std::string_view kStat = "/stat";
  std::string_view name;
  if (!block_stat_name(path, name)) return false;
  // The device's number, from its "dev" file beside "stat" ("8:0\n").
  PathText dev_path;
  dev_path.add(path.substr(0, path.size() - kStat.size())).add("/dev");
  char text[32];
  ssize_t n = dev_path.overflowed() ? -1 : read_host_file(root, dev_path.view(), text);
  if (n <= 0) return false;
  std::string_view line = trim(std::string_view(text, size_t(n)));
  size_t colon = line.find(':');
  uint64_t major = 0, minor = 0;
  if (colon == std::string_view::npos || !parse_u64(line.substr(0, colon), major) ||
      !parse_u64(line.substr(colon + 1), minor) || major >= (1u << (32 - kMinorBits)) || minor >= (1u << kMinorBits))
    return false;
  device = uint32_t(major << kMinorBits | minor);
  return true;
}

void block_stat_path(uint32_t device, PathText& out) {
  out.add("/sys/dev/block/").add_u64(device >> kMinorBits).add(':');
  out.add_u64(device & ((1u << kMinorBits) - 1)).add("/stat");
}

bool render_block_stat(const Config& config, const Limits& limits, uint32_t device, Sink& out) {
  (void)limits;  // the io controller is not among the cached ones: found here, fresh
  IoStats io;
  if (!read_served_io_stats(config, io)) return false;
  uint32_t major = device >> kMinorBits, minor = device & ((1u << kMinorBits) - 1);
  // The host's file, for its field count (it grew with kernel versions).
  PathText host_path;
  block_stat_path(device, host_path);
  char host[512];
  ssize_t n = host_path.overflowed() ? -1 : read_host_file(config.root, host_path.view(), host);
  if (n <= 0) return false;
  std::string_view rest(host, size_t(n)), field;
  size_t fields = 0;
  while (next_field(rest, field)) ++fields;
  if (fields < 11 || fields > 32) return false;  // not a stat file as the kernel writes it
  const IoDevice* d = io.find(major, minor);
  FixedText<512> line;
  for (size_t i = 0; i < fields; ++i) {
    if (i > 0) line.add(' ');
    line.add_u64(diskstats_field(d, i), 8);
  }
  line.add('\n');
  if (line.overflowed()) return false;
  out.put(line.view());
  return out.finish();
}

}  // namespace cgview
