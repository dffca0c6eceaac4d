#include "virtual_files.hpp"

namespace cgview {

VirtualFile virtual_file_for(std::string_view path) {
  if (path == "/proc/meminfo") return VirtualFile::Meminfo;
  if (path == "/proc/cpuinfo") return VirtualFile::Cpuinfo;
  if (path == "/proc/stat") return VirtualFile::Stat;
  if (path == "/sys/devices/system/cpu/online") return VirtualFile::CpuOnline;
  return VirtualFile::None;
}

bool normalize_path(std::string_view path, PathText& out) {
  out.clear();
  if (path.empty() || path.front() != '/') return false;
  bool trailing_slash = path.back() == '/';
  while (!path.empty()) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      std::string_view v = out.view();
      size_t last = v.rfind('/');
      PathText up;
      up.add(v.substr(0, last == std::string_view::npos ? 0 : last));
      out = up;
      continue;
    }
    out.add('/').add(part);
  }
  if (out.size() == 0) out.add('/');
  // "/proc/meminfo/" names a directory: the real open fails (ENOTDIR), so it is not ours.
  if (trailing_slash && out.size() > 1) return false;
  return !out.overflowed() && out.size() < kPathMax;
}

bool render_cpu_online(const Limits& limits, Sink& out) {
  if (limits.cpu.visible.empty()) return false;
  bool first = true;
  for_each_cpu_range(limits.cpu.visible, [&](unsigned low, unsigned high) {
    FixedText<32> range;
    if (!first) range.add(',');
    range.add_u64(low);
    if (high != low) range.add('-').add_u64(high);
    out.put(range.view());
    first = false;
  });
  out.put('\n');
  return out.finish();
}

bool render(VirtualFile file, const Config& config, const Limits& limits, StatClock* clock, Sink& out) {
  switch (file) {
    case VirtualFile::Meminfo: return render_meminfo(config, limits, out);
    case VirtualFile::Cpuinfo: return render_cpuinfo(config, limits, out);
    case VirtualFile::Stat: return render_stat(config, limits, clock, out);
    case VirtualFile::CpuOnline: return render_cpu_online(limits, out);
    case VirtualFile::None: break;
  }
  return false;
}

}  // namespace cgview
