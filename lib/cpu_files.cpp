#include "cpu_files.hpp"

#include <iterator>

#include "host_files.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

constexpr std::string_view kCpuDir = "/sys/devices/system/cpu/cpu";

// Indexed by CpuFile, after Online.
constexpr std::string_view kTopologyNames[] = {
    "core_cpus_list", "thread_siblings_list", "core_siblings_list", "package_cpus_list", "die_cpus_list",
    "cluster_cpus_list", "book_siblings_list", "drawer_siblings_list",
    "core_cpus", "thread_siblings", "core_siblings", "package_cpus", "die_cpus",
    "cluster_cpus", "book_siblings", "drawer_siblings",
};
static_assert(std::size(kTopologyNames) == kCpuFileKinds - 1);

bool is_list(CpuFile kind) { return kind >= CpuFile::CoreCpusList && kind <= CpuFile::DrawerSiblingsList; }

}  // namespace

bool split_cpu_file(VirtualFile file, CpuFile& kind, unsigned& cpu) {
  uint32_t v = uint32_t(file);
  if (v < kCpuFilesFrom || v >= kCpuFilesFrom + kCpuFileKinds * kMaxCpus) return false;
  kind = CpuFile((v - kCpuFilesFrom) / kMaxCpus);
  cpu = (v - kCpuFilesFrom) % kMaxCpus;
  return true;
}

bool cpu_file_name(std::string_view name) {
  if (name == "online") return true;
  for (std::string_view n : kTopologyNames)
    if (name == n) return true;
  return false;
}

bool cpu_file_for(std::string_view path, VirtualFile& out) {
  if (path.substr(0, kCpuDir.size()) != kCpuDir) return false;
  path.remove_prefix(kCpuDir.size());
  size_t digits = 0;
  while (digits < path.size() && path[digits] >= '0' && path[digits] <= '9') ++digits;
  // The kernel names them cpu0, cpu12: no sign, no leading zero.
  if (digits == 0 || digits > 4 || (digits > 1 && path[0] == '0')) return false;
  uint64_t cpu = 0;
  if (!parse_u64(path.substr(0, digits), cpu) || cpu >= kMaxCpus) return false;
  std::string_view rest = path.substr(digits);
  if (rest == "/online") {
    out = cpu_file(CpuFile::Online, unsigned(cpu));
    return true;
  }
  constexpr std::string_view kTopology = "/topology/";
  if (rest.substr(0, kTopology.size()) != kTopology) return false;
  rest.remove_prefix(kTopology.size());
  for (unsigned i = 0; i < kCpuFileKinds - 1; ++i) {
    if (rest == kTopologyNames[i]) {
      out = cpu_file(CpuFile(i + 1), unsigned(cpu));
      return true;
    }
  }
  return false;
}

void cpu_file_path(CpuFile kind, unsigned cpu, PathText& out) {
  out.clear();
  out.add(kCpuDir).add_u64(cpu);
  if (kind == CpuFile::Online) out.add("/online");
  else out.add("/topology/").add(kTopologyNames[unsigned(kind) - 1]);
}

bool render_cpu_file(const Config& config, const Limits& limits, CpuFile kind, unsigned cpu, Sink& out) {
  PathText path;
  cpu_file_path(kind, cpu, path);
  char buf[4096];  // a mask of 8192 CPUs is 2303 bytes; a list of them at most 4 KiB only when absurd
  ssize_t n = read_host_file(config.root, path.view(), buf);
  if (n < 0 || limits.cpu.visible.empty()) return false;  // missing on the host: the real open says so
  std::string_view host(buf, size_t(n));
  bool shown = cpu < kMaxCpus && limits.cpu.visible.has(cpu);
  if (kind == CpuFile::Online) {
    out.put(shown ? "1\n" : "0\n");
    return out.finish();
  }
  CpuSet set;
  MaskShape shape;
  if (is_list(kind) ? !parse_cpu_list(host, set) : !parse_cpu_mask(host, set, shape)) return false;
  set.intersect(limits.cpu.visible);
  // A CPU outside V (shown off-line) with no sibling in V reads as the
  // lowest CPU of V does: an empty set would be one more distinct "core" to
  // programs that count distinct core_cpus_list contents over every cpuK
  // (psutil's cpu_count(logical=False)), more cores than CPUs. A real kernel
  // has no topology files at all for an off-line CPU; hiding them would
  // take interposing the stat family (see README, What programs see).
  if (set.empty() && !shown) {
    unsigned lowest = 0;
    while (!limits.cpu.visible.has(lowest)) ++lowest;  // V is not empty
    if (lowest != cpu) return render_cpu_file(config, limits, kind, lowest, out);
  }
  if (is_list(kind)) put_cpu_list(set, out);
  else put_cpu_mask(set, shape, out);  // a subset of the host's: it fits the shape
  out.put('\n');
  return out.finish();
}

}  // namespace cgview
