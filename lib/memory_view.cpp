#include "memory_view.hpp"

namespace cgview {

namespace {

bool read_number(const Sysroot& root, std::string_view dir, std::string_view name, uint64_t& value) {
  PathText path;
  path.add(dir).add('/').add(name);
  char buf[64];
  ssize_t n = path.overflowed() ? -1 : read_host_file(root, path.view(), buf);
  return n > 0 && parse_u64(std::string_view(buf, size_t(n)), value);
}

uint64_t at_most(uint64_t v, uint64_t cap) { return v < cap ? v : cap; }

}  // namespace

void read_memory_usage(const Sysroot& root, const CgroupDir& dir, bool want_swap, MemoryUsage& out) {
  out = MemoryUsage{};
  if (!dir.found) return;
  std::string_view d = dir.path.view();
  out.has_usage = read_number(root, d, dir.v2 ? "memory.current" : "memory.usage_in_bytes", out.usage);
  if (!want_swap) {
    // Nothing to read.
  } else if (dir.v2) {
    out.has_swap_used = read_number(root, d, "memory.swap.current", out.swap_used);
  } else {
    uint64_t memsw = 0;
    if (out.has_usage && read_number(root, d, "memory.memsw.usage_in_bytes", memsw)) {
      out.has_swap_used = true;
      out.swap_used = memsw > out.usage ? memsw - out.usage : 0;
    }
  }
  // Without memory.stat the view cannot be formed consistently (Cached, Active...
  // would be the host's, above MemTotal): report usage as unreadable so callers
  // serve the real answer (DESIGN.md rule 9).
  if (!read_memory_stat(root, dir, out.stat) || out.stat.present == 0) out.has_usage = false;
}

bool derive_memory(const MemoryLimits& limits, const MemoryUsage& usage, uint64_t host_total,
                   uint64_t host_swap_total, MemoryFigures& out) {
  out = MemoryFigures{};
  if (!limits.has_limit || host_total == 0 || !usage.has_usage) return false;
  out.total = at_most(limits.limit, host_total);
  out.free = out.total - at_most(usage.usage, out.total);
  const MemoryStat& s = usage.stat;
  uint64_t reclaimable = add_saturating(add_saturating(s.get(StatKey::ActiveFile), s.get(StatKey::InactiveFile)),
                                        s.get(StatKey::SlabReclaimable));
  out.available = at_most(add_saturating(out.free, at_most(reclaimable, out.total)), out.total);
  out.stat = s;
  for (int k = 0; k < int(StatKey::Count); ++k) out.stat.values[k] = at_most(out.stat.values[k], out.total);
  out.has_stat_lines = s.present != 0;
  if (limits.has_swap_allowance) {
    out.has_swap = true;
    out.swap_total = at_most(limits.swap_allowance, host_swap_total);
    out.swap_free = out.swap_total - at_most(usage.has_swap_used ? usage.swap_used : 0, out.swap_total);
  }
  return true;
}

}  // namespace cgview
