#include "memory_view.hpp"

#include "input_file.hpp"
#include "int128.hpp"
#include "text.hpp"

namespace cgview {

namespace {

// Usage files, read on every served open: through held fds where those are on.
bool read_number(const Sysroot& root, std::string_view dir, std::string_view name, uint64_t& value) {
  char buf[64];
  return parse_u64(read_value_file(root, dir, name, buf, true), value);
}

uint64_t at_most(uint64_t v, uint64_t cap) { return v < cap ? v : cap; }

uint64_t take(MemoryStat& s, StatKey k, uint64_t wanted) {
  uint64_t taken = at_most(wanted, s.get(k));
  if (s.has(k)) s.set(k, s.get(k) - taken);
  return taken;
}

// The memory.stat figures a limit of `total` would leave of a cgroup using
// `usage` > `total`. Only an override below the usage (CGVIEW_MEMORY, `cgview
// run --memory`) gets here: under a real limit the kernel reclaims until the
// usage fits. As reclaim would, the excess comes off the page cache first,
// inactive before active; what still does not fit (more anonymous and kernel
// memory than the override) shrinks every figure in proportion. Either way the
// lines keep their sums (Inactive is Inactive(anon) + Inactive(file), the
// LRU lists fit in MemTotal), as no line clamped alone would.
void fit_stat_to_limit(MemoryStat& s, uint64_t usage, uint64_t total) {
  uint64_t excess = usage - total;
  uint64_t file_taken = take(s, StatKey::InactiveFile, excess);
  file_taken += take(s, StatKey::ActiveFile, excess - file_taken);
  take(s, StatKey::Cache, file_taken);
  for (StatKey part : {StatKey::Mapped, StatKey::Dirty, StatKey::Writeback, StatKey::Shmem, StatKey::FileHuge})
    if (s.has(part)) s.set(part, at_most(s.get(part), s.get(StatKey::Cache)));
  if (s.has(StatKey::ShmemHuge)) s.set(StatKey::ShmemHuge, at_most(s.get(StatKey::ShmemHuge), s.get(StatKey::Shmem)));
  uint64_t left = usage - file_taken;
  if (left <= total) return;
  for (int k = 0; k < int(StatKey::Count); ++k) {
    StatKey key = StatKey(k);
    bool is_a_size_in_memory = key != StatKey::Zswapped && key != StatKey::HierarchicalLimit &&
                               key != StatKey::HierarchicalMemswLimit;
    if (is_a_size_in_memory && s.has(key)) s.set(key, uint64_t(Int128(s.get(key)) * Int128(total) / Int128(left)));
  }
}

}  // namespace

bool meminfo_kb(std::string_view meminfo, std::string_view key, uint64_t& bytes) {
  size_t at = 0;
  for (;; ++at) {  // the next place `key` starts a line
    at = meminfo.find(key, at);
    if (at == std::string_view::npos) return false;
    if ((at == 0 || meminfo[at - 1] == '\n') && meminfo.size() > at + key.size() && meminfo[at + key.size()] == ':')
      break;
  }
  std::string_view line;
  meminfo.remove_prefix(at + key.size() + 1);
  next_line(meminfo, line);
  return kb_value(line, bytes);
}

namespace {

// Where the run of `c` bytes starting at `at` ends, eight bytes at a time
// while eight are left: the first other byte is the lowest set one of the
// word xor the run's byte.
const char* past_run_of(const char* at, const char* end, char c) {
  const uint64_t run = 0x0101010101010101 * uint8_t(c);
  for (; end - at >= 8; at += 8)
    if (uint64_t other = load_text_word(at) ^ run; other != 0) return at + __builtin_ctzll(other) / 8;
  while (at != end && *at == c) ++at;
  return at;
}

}  // namespace

// The kernel writes a meminfo value as "%8lu kB" after the key's padding:
// spaces, the digits, " kB". That form is read in one pass, the spaces eight
// at a time (it runs for some twenty lines of every served open); any other
// (a tab, a twentieth digit, junk) goes by trim's and parse_u64's full rules,
// which read it alike. (Eight digits at a time cost more instructions here:
// most values have fewer than eight.)
bool kb_value_saturated(std::string_view text, uint64_t& bytes) {
  const char* end = text.data() + text.size();
  const char* digits = past_run_of(text.data(), end, ' ');
  const char* digits_end = end - digits > 19 ? digits + 19 : end;  // more go by parse_u64's overflow check
  const char* c = digits;
  uint64_t kb = 0;
  for (; c != digits_end && unsigned(*c - '0') <= 9; ++c) kb = kb * 10 + unsigned(*c - '0');
  bool kernels_form = c != digits && end - c == 3 && c[0] == ' ' && c[1] == 'k' && c[2] == 'B';
  if (!kernels_form) {
    std::string_view value = trim(text);
    if (value.size() <= 3 || !value.ends_with(" kB")) return false;
    if (!parse_u64(value.substr(0, value.size() - 3), kb)) return false;
  }
  bytes = kb > (UINT64_MAX >> 10) ? UINT64_MAX : kb << 10;
  return true;
}

bool kb_value(std::string_view text, uint64_t& bytes) {
  uint64_t saturated = 0;
  if (!kb_value_saturated(text, saturated) || saturated == UINT64_MAX) return false;
  bytes = saturated;
  return true;
}


namespace {

// The host meminfo lines that stand in for memory.stat keys.
struct HostStatLine {
  std::string_view key;
  StatKey stat;
};
constexpr HostStatLine kHostStatLines[] = {
    {"Cached", StatKey::Cache},
    {"Active(anon)", StatKey::ActiveAnon},
    {"Inactive(anon)", StatKey::InactiveAnon},
    {"Active(file)", StatKey::ActiveFile},
    {"Inactive(file)", StatKey::InactiveFile},
    {"Shmem", StatKey::Shmem},
    {"Mapped", StatKey::Mapped},
    {"AnonPages", StatKey::Anon},
    {"Slab", StatKey::Slab},
    {"SReclaimable", StatKey::SlabReclaimable},
    {"SUnreclaim", StatKey::SlabUnreclaimable},
    {"Dirty", StatKey::Dirty},
    {"Writeback", StatKey::Writeback},
    {"Unevictable", StatKey::Unevictable},
    {"SwapCached", StatKey::SwapCached},
    {"KernelStack", StatKey::KernelStack},
    {"PageTables", StatKey::PageTables},
    {"SecPageTables", StatKey::SecPageTables},
    {"Percpu", StatKey::Percpu},
    {"VmallocUsed", StatKey::Vmalloc},
    {"Zswap", StatKey::Zswap},
    {"Zswapped", StatKey::Zswapped},
    {"AnonHugePages", StatKey::AnonHuge},
    {"ShmemHugePages", StatKey::ShmemHuge},
    {"FileHugePages", StatKey::FileHuge},
};

// `wanted`: the stat keys the caller uses, as parse_memory_stat takes them:
// each line is a scan of the host's text (sysinfo wants one of 25).
bool usage_from_host_meminfo(std::string_view meminfo, MemoryUsage& out, uint32_t wanted) {
  out = MemoryUsage{};
  uint64_t total = 0, free = 0;
  if (!meminfo_kb(meminfo, "MemTotal", total) || !meminfo_kb(meminfo, "MemFree", free) || free > total) return false;
  for (const HostStatLine& line : kHostStatLines) {
    if ((wanted & stat_bit(line.stat)) == 0) continue;
    uint64_t bytes = 0;
    if (meminfo_kb(meminfo, line.key, bytes)) out.stat.set(line.stat, bytes);
  }
  out.has_usage = true;
  out.usage = total - free;
  return true;
}

// Out of line: its buffer then stays off the stack of the cgroup case.
[[gnu::noinline]] void usage_from_host_file(const Sysroot& root, MemoryUsage& out, uint32_t wanted) {
  char text[kMeminfoMax];
  ssize_t n = read_input_file(root, "/proc/meminfo", text);
  if (n > 0) usage_from_host_meminfo(std::string_view(text, size_t(n)), out, wanted);
}

}  // namespace

void read_memory_usage(const Sysroot& root, const CgroupDir& dir, bool want_swap, MemoryUsage& out,
                       std::string_view host_meminfo, uint32_t wanted_stat) {
  out = MemoryUsage{};
  if (!dir.found) {
    if (host_meminfo.empty()) usage_from_host_file(root, out, wanted_stat);
    else usage_from_host_meminfo(host_meminfo, out, wanted_stat);
    return;
  }
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
  // serve the real answer (docs/design.md rule 9).
  if (!read_memory_stat(root, dir, out.stat, wanted_stat) || out.stat.present == 0) out.has_usage = false;
}

void read_memory_usage(const Sysroot& root, const CgroupDir& dir, const MemoryLimits& limits, MemoryUsage& out,
                       std::string_view host_meminfo, uint32_t wanted_stat) {
  read_memory_usage(root, dir, limits.has_swap_allowance, out, host_meminfo, wanted_stat);
  if (!out.has_usage || !dir.found) return;
  std::string_view d = dir.path.view();
  for (int i = 0; i < limits.levels.count; ++i) {
    const LimitLevel& level = limits.levels.at[i];
    out.level_usage[i] = out.usage;
    if (!level.is_ancestor_of(d)) continue;
    uint64_t value = 0;
    if (read_number(root, d.substr(0, level.path_len), dir.v2 ? "memory.current" : "memory.usage_in_bytes", value))
      out.level_usage[i] = value > out.usage ? value : out.usage;  // an ancestor holds at least its child
  }
}

bool derive_memory(const MemoryLimits& limits, const MemoryUsage& usage, const HostMemory& host, MemoryFigures& out) {
  out = MemoryFigures{};
  if (limits.has_limit) {
    if (host.total == 0 || !usage.has_usage) return false;
    out.has_memory = true;
    out.total = at_most(limits.limit, host.total);
    out.in_use = at_most(usage.usage, out.total);
    uint64_t host_in_use = host.total - at_most(host.free, host.total);
    if (out.in_use < host_in_use)
      out.host_share_q32 = uint64_t(Int128(out.in_use) * Int128(uint64_t(1) << 32) / Int128(host_in_use));
    uint64_t headroom = out.total - out.in_use;
    for (int i = 0; i < limits.levels.count; ++i) {  // the smallest headroom (a sibling's use counts)
      const LimitLevel& level = limits.levels.at[i];
      uint64_t used = level.path_len == 0 || usage.level_usage[i] < usage.usage ? usage.usage : usage.level_usage[i];
      headroom = at_most(headroom, level.limit - at_most(used, level.limit));
    }
    out.free = at_most(headroom, host.free);
    out.stat = usage.stat;
    // Kernels before 5.9 have the two slab parts in memory.stat but no "slab":
    // their sum, as the kernel's Slab line is.
    if (!out.stat.has(StatKey::Slab) && out.stat.has(StatKey::SlabReclaimable) &&
        out.stat.has(StatKey::SlabUnreclaimable))
      out.stat.set(StatKey::Slab, add_saturating(out.stat.get(StatKey::SlabReclaimable),
                                                 out.stat.get(StatKey::SlabUnreclaimable)));
    if (usage.usage > out.total) fit_stat_to_limit(out.stat, usage.usage, out.total);
    const MemoryStat& s = out.stat;
    uint64_t reclaimable = add_saturating(add_saturating(s.get(StatKey::ActiveFile), s.get(StatKey::InactiveFile)),
                                          s.get(StatKey::SlabReclaimable));
    // Available: the headroom and the container's own reclaimable memory, as
    // far as the host has memory available. Not bounded by the host's MemFree:
    // the host's cache is reclaimable for the container too, and a long-running
    // host keeps little free (200 MB free of 200 GB available would otherwise
    // make every container look full). Without the host's MemAvailable (sysinfo),
    // its free memory is all that is known to be there.
    uint64_t base = host.has_available ? headroom : out.free;
    out.available = at_most(add_saturating(base, at_most(reclaimable, out.total)), out.total);
    if (host.has_available) out.available = at_most(out.available, host.available);
    // The host may show less available than free (its reserves); then so does
    // no one here: MemFree stays at most MemAvailable, as `free` expects.
    out.free = at_most(out.free, out.available);
    // Zswapped is the size of pages in swap, not in memory: the swap lines bound it.
    for (int k = 0; k < int(StatKey::Count); ++k)
      if (StatKey(k) != StatKey::Zswapped) out.stat.values[k] = at_most(out.stat.values[k], out.total);
    out.has_stat_lines = s.present != 0;
    derive_high_memory(host, out);
  }
  // The swap in use unread (its file missing, unreadable or malformed) forms
  // no swap view: the host's swap lines, not a free swap made of none used.
  // An allowance of none needs no usage.
  const uint64_t swap_total = at_most(limits.swap_allowance, host.swap_total);
  if (limits.has_swap_allowance && (usage.has_swap_used || swap_total == 0)) {
    out.has_swap = true;
    out.swap_total = swap_total;
    out.swap_free = swap_total - at_most(usage.has_swap_used ? usage.swap_used : 0, swap_total);
    // No more free swap than the host has, as MemFree: other containers' swap is not free here.
    out.swap_free = at_most(out.swap_free, host.swap_free);
  }
  return out.has_memory || out.has_swap;
}

void derive_high_memory(const HostMemory& host, MemoryFigures& figures) {
  figures.has_high = host.has_high;
  if (!host.has_high) return;
  uint64_t host_low_total = host.total - at_most(host.high_total, host.total);
  uint64_t host_low_free = host.free - at_most(host.high_free, host.free);
  uint64_t low_total = at_most(host_low_total, figures.total);
  figures.high_total = figures.total - low_total;
  uint64_t low_free = at_most(at_most(host_low_free, figures.free), low_total);
  // What high memory cannot hold is low: it fits there, as free <= total.
  figures.high_free = at_most(figures.free - low_free, figures.high_total);
}

}  // namespace cgview
