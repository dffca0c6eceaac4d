// The /proc/meminfo lines cgview rewrites, and how (docs/design.md, Memory): shared
// by /proc/meminfo and the NUMA nodes' meminfo files.
#include "meminfo_lines.hpp"

#include "int128.hpp"
#include "key_index.hpp"
#include "text.hpp"

namespace cgview {

namespace {

// The kernel prints "Key:" padded to 16 columns, the kB value right-aligned in 8.
// Written by hand, in place in the sink and with fixed-size copies (loads and
// stores, no call): it runs for some fifty lines on every open.
void put_kb_line(Sink& out, std::string_view key, uint64_t bytes) {
  // "00" to "99": two digits for each division.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char digits[40];  // the number ends at digits[20]; the copy below reads 20 bytes from its start
  size_t n = 0;
  uint64_t kb = bytes >> 10;
  while (kb >= 100) {
    __builtin_memcpy(digits + 20 - (n += 2), kPairs + 2 * (kb % 100), 2);
    kb /= 100;
  }
  if (kb >= 10) __builtin_memcpy(digits + 20 - (n += 2), kPairs + 2 * kb, 2);
  else digits[20 - ++n] = char('0' + kb);
  char* line = out.room();  // Sink::kMaxRoom (64) bytes: at most 17 + 7 + 20 + 4 are written
  if (line == nullptr) return;
  size_t len = key.size() < 16 ? key.size() : 16;
  const char* k = key.data();
  if (len >= 8) {  // two words, overlapping
    __builtin_memcpy(line, k, 8);
    __builtin_memcpy(line + len - 8, k + len - 8, 8);
  } else if (len >= 4) {
    __builtin_memcpy(line, k, 4);
    __builtin_memcpy(line + len - 4, k + len - 4, 4);
  } else {
    for (size_t i = 0; i < len; ++i) line[i] = k[i];
  }
  line[len++] = ':';
  __builtin_memset(line + len, ' ', 24);  // past any padding
  len += (len < 16 ? 16 - len : 0) + (n < 8 ? 8 - n : 0);
  __builtin_memcpy(line + len, digits + 20 - n, 20);  // the n digits, then scratch
  len += n;
  __builtin_memcpy(line + len, " kB\n", 4);
  out.wrote(len + 4);
}

// The meminfo lines cgview rewrites.
enum class Line : unsigned char {
  MemTotal, MemFree, MemAvailable, Buffers, Cached, Active, Inactive, ActiveAnon, InactiveAnon,
  ActiveFile, InactiveFile, Shmem, Mapped, AnonPages, Dirty, Writeback, Unevictable, Slab,
  SReclaimable, KReclaimable, SUnreclaim, SwapTotal, SwapFree,
  SwapCached, KernelStack, PageTables, SecPageTables, AnonHugePages, ShmemHugePages, FileHugePages,
  Mlocked, ShmemPmdMapped, FilePmdMapped,  // no cgroup counts them: the host's, bounded (part_value)
  HighTotal, HighFree, LowTotal, LowFree,  // a 32-bit kernel's: the view's split (derive_high_memory)
  CmaTotal, CmaFree,  // memory set aside for contiguous allocations: the host's, bounded
  Unaccepted, NfsUnstable, WritebackTmp, Bounce, ShadowCallStack,  // the host's, bounded
  Percpu, VmallocUsed, Zswap, Zswapped,  // /proc/meminfo only
  MemUsed, FilePages  // a node's meminfo only: its names for total - free and for Cached
};
bool node_only(Line line) { return line == Line::MemUsed || line == Line::FilePages; }
// /proc/meminfo's names that a node's file does not have (drivers/base/node.c).
bool proc_only(Line line) {
  return line == Line::MemAvailable || line == Line::Buffers || line == Line::Cached || line == Line::SwapTotal ||
         line == Line::SwapFree || line == Line::CmaTotal || line == Line::CmaFree ||
         (line >= Line::Percpu && line <= Line::Zswapped);
}

constexpr size_t kLineCount = size_t(Line::FilePages) + 1;

struct LineName {
  Line line;
  std::string_view name;  // the host's key
};
constexpr LineName kLineNameTable[] = {
    {Line::MemTotal, "MemTotal"}, {Line::MemFree, "MemFree"}, {Line::MemAvailable, "MemAvailable"},
    {Line::Buffers, "Buffers"}, {Line::Cached, "Cached"}, {Line::Active, "Active"}, {Line::Inactive, "Inactive"},
    {Line::ActiveAnon, "Active(anon)"}, {Line::InactiveAnon, "Inactive(anon)"}, {Line::ActiveFile, "Active(file)"},
    {Line::InactiveFile, "Inactive(file)"}, {Line::Shmem, "Shmem"}, {Line::Mapped, "Mapped"},
    {Line::AnonPages, "AnonPages"}, {Line::Dirty, "Dirty"}, {Line::Writeback, "Writeback"},
    {Line::Unevictable, "Unevictable"}, {Line::Slab, "Slab"}, {Line::SReclaimable, "SReclaimable"},
    {Line::KReclaimable, "KReclaimable"}, {Line::SUnreclaim, "SUnreclaim"}, {Line::SwapTotal, "SwapTotal"},
    {Line::SwapFree, "SwapFree"}, {Line::SwapCached, "SwapCached"}, {Line::KernelStack, "KernelStack"},
    {Line::PageTables, "PageTables"}, {Line::SecPageTables, "SecPageTables"},
    {Line::AnonHugePages, "AnonHugePages"}, {Line::ShmemHugePages, "ShmemHugePages"},
    {Line::FileHugePages, "FileHugePages"}, {Line::Mlocked, "Mlocked"}, {Line::ShmemPmdMapped, "ShmemPmdMapped"},
    {Line::FilePmdMapped, "FilePmdMapped"}, {Line::HighTotal, "HighTotal"}, {Line::HighFree, "HighFree"},
    {Line::LowTotal, "LowTotal"}, {Line::LowFree, "LowFree"}, {Line::CmaTotal, "CmaTotal"},
    {Line::CmaFree, "CmaFree"}, {Line::Unaccepted, "Unaccepted"}, {Line::NfsUnstable, "NFS_Unstable"},
    {Line::WritebackTmp, "WritebackTmp"}, {Line::Bounce, "Bounce"}, {Line::ShadowCallStack, "ShadowCallStack"},
    {Line::Percpu, "Percpu"}, {Line::VmallocUsed, "VmallocUsed"},
    {Line::Zswap, "Zswap"}, {Line::Zswapped, "Zswapped"}, {Line::MemUsed, "MemUsed"},
    {Line::FilePages, "FilePages"},
};
static_assert(sizeof kLineNameTable / sizeof kLineNameTable[0] == kLineCount, "every Line has a name");

// The names indexed by Line, for lookups by name.
constexpr std::array<std::string_view, kLineCount> line_names() {
  std::array<std::string_view, kLineCount> names{};
  for (const LineName& l : kLineNameTable) names[size_t(l.line)] = l.name;
  return names;
}
constexpr auto kLineList = line_names();
constexpr KeyIndex<kLineCount, key_text_bytes(kLineList)> kLineNames(kLineList);

// Lines a kernel never shows above another, their whole: mlocked pages are
// unevictable; huge pages are anonymous memory, shmem or page cache;
// PMD-mapped huge pages are huge pages.
bool whole_of(Line part, Line& whole) {
  switch (part) {
    case Line::Mlocked: whole = Line::Unevictable; return true;
    case Line::AnonHugePages: whole = Line::AnonPages; return true;
    case Line::ShmemHugePages: whole = Line::Shmem; return true;
    case Line::FileHugePages: whole = Line::Cached; return true;
    case Line::ShmemPmdMapped: whole = Line::ShmemHugePages; return true;
    case Line::FilePmdMapped: whole = Line::FileHugePages; return true;
    // The pool holds them compressed: the cgroup's counters keep it below them;
    // for a host's line standing in, a bound.
    case Line::Zswap: whole = Line::Zswapped; return true;
    default: return false;
  }
}

// The memory.stat key of a part, where the cgroup counts it.
bool part_key(Line part, StatKey& key) {
  switch (part) {
    case Line::AnonHugePages: key = StatKey::AnonHuge; return true;
    case Line::ShmemHugePages: key = StatKey::ShmemHuge; return true;
    case Line::FileHugePages: key = StatKey::FileHuge; return true;
    case Line::Zswap: key = StatKey::Zswap; return true;
    default: return false;  // Mlocked and the PMD-mapped lines: no cgroup counts them
  }
}

bool container_value(const MemoryFigures& f, Line line, std::string_view host_value, uint64_t& bytes);

// What the cgroup's anonymous, page cache and slab figures leave of its usage
// (not of MemTotal - MemFree, which a host short of free memory makes larger):
// the most its other kernel memory (stacks, page tables, per-CPU and vmalloc
// areas, the zswap pool, bounce buffers) can be. A figure memory.stat lacks
// counts as none of it.
uint64_t kernel_room(const MemoryFigures& f) {
  const uint64_t used = f.in_use;
  const MemoryStat& s = f.stat;
  uint64_t counted = add_saturating(add_saturating(s.get(StatKey::Anon), s.get(StatKey::Cache)), s.get(StatKey::Slab));
  return counted < used ? used - counted : 0;
}

// A host-wide figure's share for the container: in the proportion of its
// usage to the host's memory in use. Kernel memory (stacks, page tables)
// grows with the processes and memory it serves, so the share is of the
// right size where the host's whole is not: the whole host's page tables in
// a container holding 1/32 of its memory would be 32 times too many.
uint64_t host_share(const MemoryFigures& f, uint64_t host_bytes) {
  Product128 p = multiply_u64(host_bytes, f.host_share_q32);  // at most host_bytes << 32
  return p.high << 32 | p.low >> 32;
}

// The most a host's line standing in for a key memory.stat lacks may show:
// memory in use at most what the view shows used, the page cache's parts at
// most the Cached it shows, pages in swap (Zswapped) at most MemTotal and the
// swap used. (Kernel memory is a share within the kernel room: kernel_share.)
uint64_t stand_in_cap(const MemoryFigures& f, Line line) {
  const uint64_t used = f.total - f.free;
  if (line == Line::Zswapped) {  // pages in swap: at most the swap used, where the view has swap lines
    uint64_t swap_used = f.swap_total - f.swap_free;
    return f.has_swap && swap_used < f.total ? swap_used : f.total;
  }
  if (line != Line::Shmem && line != Line::Mapped && line != Line::Dirty && line != Line::NfsUnstable) return used;
  return f.stat.has(StatKey::Cache) && f.stat.get(StatKey::Cache) < used ? f.stat.get(StatKey::Cache) : used;
}

// The most `whole` can show in the view: its container value, or where that
// is the host's own (its key missing), its own whole's, and so on up to a
// line with no whole, whose stand-in cap bounds it; a kernel prints no part
// above its whole. Only where the view has memory figures.
bool view_bound(const MemoryFigures& f, Line whole, uint64_t& bound) {
  if (!f.has_memory) return false;
  if (container_value(f, whole, {}, bound)) return true;
  Line up;
  if (whole_of(whole, up)) return view_bound(f, up, bound);
  bound = stand_in_cap(f, whole);
  return true;
}

// A part: the cgroup's figure where memory.stat has it, else the host's; at
// most what the view shows of its whole. A host's value that is not above
// that stays the host's line.
bool part_value(const MemoryFigures& f, Line part, Line whole, std::string_view host_value, uint64_t& bytes) {
  uint64_t bound = 0;
  bool bounded = view_bound(f, whole, bound);
  // Parts of a second line too: PMD-mapped pages are mapped pages (Mapped),
  // the zswap pool is kernel memory.
  uint64_t second = 0;
  bool has_second = part == Line::ShmemPmdMapped || part == Line::FilePmdMapped ? view_bound(f, Line::Mapped, second)
                    : part == Line::Zswap && f.has_memory ? (second = kernel_room(f), true)
                                                          : false;
  if (has_second && (!bounded || second < bound)) bound = second, bounded = true;
  StatKey key;
  if (part_key(part, key) && f.stat.has(key)) {
    bytes = f.stat.get(key);
    if (bounded && bytes > bound) bytes = bound;
    return true;
  }
  if (!bounded || !kb_value_saturated(host_value, bytes) || bytes <= bound) return false;
  bytes = bound;
  return true;
}

// The container's value for a line, `host_value` the text after the host's
// key; false = keep the host's line.
bool container_value(const MemoryFigures& f, Line line, std::string_view host_value, uint64_t& bytes) {
  if (line == Line::SwapTotal || line == Line::SwapFree) {
    bytes = line == Line::SwapTotal ? f.swap_total : f.swap_free;
    return f.has_swap;
  }
  if (!f.has_memory) return false;
  Line whole;
  if (whole_of(line, whole)) return part_value(f, line, whole, host_value, bytes);
  // The cgroup's figure; where memory.stat lacks the key (an older kernel, a
  // malformed file) the host's line stays, but never above its stand-in cap:
  // a host figure the container could not hold would mislead more than a
  // bound one.
  const uint64_t used = f.total - f.free;
  auto host_within = [&](uint64_t cap) {
    // Not a figure, or within the cap: the host's line as it is.
    if (!kb_value_saturated(host_value, bytes) || bytes <= cap) return false;
    bytes = cap;
    return true;
  };
  auto stat_within = [&](StatKey k, uint64_t cap) {
    if (!f.stat.has(k)) return host_within(cap);
    bytes = f.stat.get(k);
    return true;
  };
  auto stat = [&](StatKey k) { return stat_within(k, stand_in_cap(f, line)); };
  // Kernel memory no cgroup file breaks down (v1; a key older kernels lack;
  // lines no cgroup counts): the host's line's share, within the kernel room.
  auto kernel_share = [&] {
    if (!kb_value_saturated(host_value, bytes)) return false;
    uint64_t share = host_share(f, bytes), room = kernel_room(f);
    bytes = share < room ? share : room;
    return true;
  };
  auto kernel_stat = [&](StatKey k) {
    if (!f.stat.has(k)) return kernel_share();
    bytes = f.stat.get(k);
    return true;
  };
  // v1 reports no slab: the container's is then 0, never the host's, which
  // free and busybox would add to buff/cache beyond MemTotal.
  auto stat_or_zero = [&](StatKey k) {
    bytes = f.stat.has(k) ? f.stat.get(k) : 0;
    return true;
  };
  auto stat_sum = [&](StatKey a, StatKey b) {
    if (!f.stat.has(a) || !f.stat.has(b)) return host_within(used);
    uint64_t sum = f.stat.get(a) + f.stat.get(b);
    bytes = sum < f.total ? sum : f.total;
    return true;
  };
  switch (line) {
    case Line::MemTotal: bytes = f.total; return true;
    case Line::MemFree: bytes = f.free; return true;
    case Line::MemAvailable: bytes = f.available; return true;
    case Line::MemUsed: bytes = f.total - f.free; return true;
    case Line::Buffers: bytes = 0; return true;
    case Line::Cached:
    case Line::FilePages:
      // Stat counters can lag memory.usage: never let free + cache exceed total.
      if (!stat_within(StatKey::Cache, used)) return false;
      if (bytes > used) bytes = used;
      return true;
    case Line::Active: return stat_sum(StatKey::ActiveAnon, StatKey::ActiveFile);
    case Line::Inactive: return stat_sum(StatKey::InactiveAnon, StatKey::InactiveFile);
    case Line::ActiveAnon: return stat(StatKey::ActiveAnon);
    case Line::InactiveAnon: return stat(StatKey::InactiveAnon);
    case Line::ActiveFile: return stat(StatKey::ActiveFile);
    case Line::InactiveFile: return stat(StatKey::InactiveFile);
    case Line::Shmem: return stat(StatKey::Shmem);  // parts of Cached
    case Line::Mapped: return stat(StatKey::Mapped);
    case Line::Dirty: return stat(StatKey::Dirty);
    case Line::AnonPages: return stat(StatKey::Anon);
    case Line::Writeback: return stat(StatKey::Writeback);
    case Line::Unevictable: return stat(StatKey::Unevictable);
    case Line::Slab: return stat_or_zero(StatKey::Slab);  // derive_memory sums the parts where it must
    case Line::SReclaimable:
    case Line::KReclaimable: return stat_or_zero(StatKey::SlabReclaimable);
    case Line::SUnreclaim: return stat_or_zero(StatKey::SlabUnreclaimable);
    // Host-wide kernel figures a busy host can hold more of than the
    // container has in all: the cgroup's own where memory.stat has them.
    case Line::SwapCached: return stat(StatKey::SwapCached);
    case Line::KernelStack: return kernel_stat(StatKey::KernelStack);
    case Line::PageTables: return kernel_stat(StatKey::PageTables);
    case Line::SecPageTables: return kernel_stat(StatKey::SecPageTables);
    case Line::Percpu: return kernel_stat(StatKey::Percpu);
    case Line::VmallocUsed: return kernel_stat(StatKey::Vmalloc);
    case Line::Zswapped:
      // Pages in swap: at most the swap used where the view has swap lines.
      if (!stat(StatKey::Zswapped)) return false;
      if (f.has_swap && bytes > f.swap_total - f.swap_free) bytes = f.swap_total - f.swap_free;
      return true;
    // High and low memory add up to MemTotal and to MemFree, as the kernel
    // prints them; where the host's split is unknown (no HighTotal and
    // HighFree before SwapFree), each at most its whole.
    case Line::HighTotal:
      bytes = f.high_total;
      return f.has_high || host_within(f.total);
    case Line::HighFree:
      bytes = f.high_free;
      return f.has_high || host_within(f.free);
    case Line::LowTotal:
      bytes = f.total - f.high_total;
      return f.has_high || host_within(f.total);
    case Line::LowFree:
      bytes = f.free - f.high_free;
      return f.has_high || host_within(f.free);
    // Part of MemTotal and of MemFree (CmaFree at most CmaTotal follows, as
    // the host's CmaFree is at most its CmaTotal).
    case Line::CmaTotal: return host_within(f.total);
    case Line::CmaFree: return host_within(f.free);
    // Memory not yet accepted from the hypervisor is free memory (mm/page_alloc.c
    // counts it in both); NFS pages not yet committed are page cache; bounce
    // buffers, FUSE's temporary writeback pages and arm64's shadow stacks are
    // kernel memory.
    case Line::Unaccepted: return host_within(f.free);
    case Line::NfsUnstable: return host_within(stand_in_cap(f, line));
    case Line::WritebackTmp:
    case Line::Bounce:
    case Line::ShadowCallStack: return kernel_share();
    case Line::SwapTotal:
    case Line::SwapFree: break;  // above
    case Line::Mlocked:
    case Line::AnonHugePages:
    case Line::ShmemHugePages:
    case Line::FileHugePages:
    case Line::ShmemPmdMapped:
    case Line::FilePmdMapped:
    case Line::Zswap: break;  // parts: part_value, above
  }
  return false;
}

}  // namespace

bool container_figures(const Config& config, const Limits& limits, std::string_view host_meminfo,
                       MemoryFigures& figures) {
  HostMemory host_memory;
  MemoryUsage usage;
  // Without a limit or swap allowance: no cgroup reads.
  const MemoryLimits& memory = limits.memory;
  if (!(memory.has_limit || memory.has_swap_allowance) || !host_memory_from_meminfo(host_meminfo, host_memory))
    return false;
  read_memory_usage(config.root, limits.cgroups.of(Controller::Memory), memory, usage, host_meminfo);
  return derive_memory(memory, usage, host_memory, figures);
}

namespace {

// Called with each line of `text` that rewrite_meminfo_lines rewrites and the
// container's value for it; false stops the walk. One walk, out of line, for
// both users: the library's size is a budget (docs/performance.md).
using LineVisitor = bool (*)(void* context, const KeyedLine& line, uint64_t bytes);

[[gnu::noinline]] bool for_each_rewritten(std::string_view text, std::string_view prefix,
                                          const MemoryFigures& figures, LineVisitor visit, void* context) {
  std::string_view rest = text;
  KeyedLine line;
  while (next_keyed_line(rest, ':', line)) {
    uint64_t bytes = 0;
    bool in_kb = line.separated && line.rest.size() >= 3 &&
                 __builtin_memcmp(line.rest.data() + line.rest.size() - 3, " kB", 3) == 0;
    if (!in_kb || !line.key.starts_with(prefix)) continue;
    int which = kLineNames.find(std::string_view(line.key.data() + prefix.size(), line.key.size() - prefix.size()));
    if (which == kLineNames.kNone || (prefix.empty() ? node_only(Line(which)) : proc_only(Line(which))) ||
        !container_value(figures, Line(which), line.rest, bytes))
      continue;
    if (!visit(context, line, bytes)) return false;
  }
  return true;
}

struct Rewrite {
  std::string_view text, prefix;
  Sink& out;
  const char* run;  // start of host text not yet written
};

}  // namespace

void rewrite_meminfo_lines(std::string_view text, std::string_view prefix, const MemoryFigures& figures, Sink& out) {
  Rewrite r{text, prefix, out, text.data()};
  for_each_rewritten(
      text, prefix, figures,
      [](void* context, const KeyedLine& line, uint64_t bytes) {
        Rewrite& r = *static_cast<Rewrite*>(context);
        std::string_view name = line.key.substr(r.prefix.size());
        r.out.put(std::string_view(r.run, size_t(name.data() - r.run)));
        put_kb_line(r.out, name, bytes);
        r.run = line.rest.data() + line.rest.size();  // past this line and its newline, if any
        if (r.run != r.text.data() + r.text.size()) ++r.run;
        return true;
      },
      &r);
  out.put(std::string_view(r.run, size_t(text.data() + text.size() - r.run)));
}

bool rewritten_host_values(std::string_view text, std::string_view prefix, const MemoryFigures& figures,
                           uint64_t& total, uint64_t& free) {
  struct Found {
    std::string_view prefix;
    uint64_t total = 0, free = 0;
    bool has_total = false, has_free = false;
  } found{prefix};
  bool numbers = for_each_rewritten(
      text, prefix, figures,
      [](void* context, const KeyedLine& line, uint64_t) {
        Found& f = *static_cast<Found*>(context);
        uint64_t host = 0;
        if (!kb_value(line.rest, host)) return false;
        std::string_view name = line.key.substr(f.prefix.size());
        if (name == "MemTotal" && !f.has_total) f.total = host, f.has_total = true;
        if (name == "MemFree" && !f.has_free) f.free = host, f.has_free = true;
        return true;
      },
      &found);
  total = found.total;
  free = found.free;
  return numbers;
}

uint64_t shared_memory_stand_in_cap(const MemoryFigures& figures) { return stand_in_cap(figures, Line::Shmem); }

}  // namespace cgview
