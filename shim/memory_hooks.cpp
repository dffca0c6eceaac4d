// sysinfo, get_phys_pages, get_avphys_pages (sysconf's page counts live in
// cpu_hooks.cpp's sysconf): the same figures /proc/meminfo shows (docs/design.md, Memory).
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <limits>

#include "export.hpp"
#include "meminfo_lines.hpp"
#include "memory_answers.hpp"
#include "real_functions.hpp"
#include "signals_held.hpp"
#include "view_cache.hpp"

using namespace cgview;
using namespace cgview::shim;

namespace cgview::shim {

bool memory_figures(const HostMemory* known_host, MemoryFigures& out, uint32_t wanted_stat, HostMemory* host_used) {
  ErrnoKeeper keep_errno;  // usage files that cannot be read give the real answer, not an errno
  MemoryLimits limits;
  CgroupDir dir;
  if (!current_memory(limits, dir)) return false;  // disabled
  const Sysroot& root = config().root;
  bool has_view = limits.has_limit || limits.has_swap_allowance;
  if (!has_view && root.live()) return false;  // the real answer is right
  // The reads below open files: a handler that left by siglongjmp meanwhile
  // would leave their fds open, where the real call (one system call) leaves
  // none. Signals wait the few microseconds instead, faults' excepted.
  SignalsHeld held(~kFaultSignals);
  HostMemory host;
  if (known_host != nullptr && root.live()) host = *known_host;
  else if (!read_host_memory(root, host)) return false;
  if (host_used != nullptr) *host_used = host;
  out = MemoryFigures{};
  if (has_view) {
    MemoryUsage usage;
    read_memory_usage(root, dir, limits, usage, {}, wanted_stat);
    // Above the limit (only an override below the usage gets there) the
    // excess comes off the page cache: read its keys too, as /proc/meminfo
    // does, so that a figure asked for alone (sysinfo's Shmem) agrees with it.
    // Read again only then: the usual call parses no more of memory.stat.
    uint32_t with_cache = wanted_stat | kStatKeysForOverLimit;
    if (wanted_stat != 0 && with_cache != wanted_stat && usage.has_usage && limits.has_limit && usage.usage > limits.limit)
      read_memory_usage(root, dir, limits, usage, {}, with_cache);
    // A view that cannot be formed (a usage file unreadable) gives the host's
    // figures below: on the live system the real answer, and under a sysroot
    // its host's, as /proc/meminfo, which then passes through.
    if (!derive_memory(limits, usage, host, out)) out = MemoryFigures{};
  }
  if (!out.has_memory) {
    // No limit: the host's memory, so sysinfo agrees with the /proc/meminfo
    // that passes through (under a sysroot, the sysroot's host).
    out.total = host.total;
    out.free = host.free;
    out.available = host.free;
    derive_high_memory(host, out);
  }
  if (!out.has_swap) {  // no swap allowance: the host's swap, as /proc/meminfo shows
    out.has_swap = true;
    out.swap_total = host.swap_total;
    out.swap_free = host.swap_free;
  }
  return true;
}

bool memory_pages(MemoryPages which, long& pages) {
  // Through the same figures as sysinfo and /proc/meminfo, usage included even
  // for the total: where usage cannot be read they all give the real answer,
  // so the page count never disagrees with them.
  MemoryFigures figures;
  if (!memory_figures(nullptr, figures, 0)) return false;  // total and free: no memory.stat key
  uint64_t bytes = which == MemoryPages::Total ? figures.total : figures.free;
  pages = long(bytes / uint64_t(getpagesize()));
  return true;
}

}  // namespace cgview::shim

namespace {

int real_sysinfo(struct sysinfo* info) {
  if (const RealFunctions* r = real_now(); r != nullptr && r->sysinfo != nullptr) return r->sysinfo(info);
  return int(syscall(SYS_sysinfo, info));
}

// The unit sysinfo's figures count in on a machine of the view's size: 1 (bytes) while
// RAM and swap each fit the fields, as a 64-bit kernel gives every program (a 32-bit one,
// through its compat call, until one of them reaches 4 GiB), else a page. The host's own
// unit (a page, for a 32-bit program on a host of 24 GiB) would round a 200 MiB
// container's figures down to pages where its own machine counts bytes.
using SysinfoField = decltype(sysinfo::totalram);
uint64_t unit_for(uint64_t ram, uint64_t swap, uint64_t hosts_unit) {
  constexpr uint64_t kFieldMax = std::numeric_limits<SysinfoField>::max();
  if (ram <= kFieldMax && swap <= kFieldMax) return 1;
  return std::max(hosts_unit, uint64_t(getpagesize()));
}

}  // namespace

CGVIEW_EXPORT int sysinfo(struct sysinfo* info) {
  int result = real_sysinfo(info);
  if (result != 0) return result;
  uint64_t hosts_unit = info->mem_unit != 0 ? info->mem_unit : 1;
  const HostMemory live = host_memory_from_sysinfo(*info);
  HostMemory host;  // the live one, or under a sysroot its /proc/meminfo's
  MemoryFigures f;
  // sharedram: the cgroup's shmem, or the host's within what /proc/meminfo's Shmem line
  // allows it (the Cached key bounds it there).
  if (!memory_figures(&live, f, stat_bit(StatKey::Shmem) | stat_bit(StatKey::Cache), &host)) return result;
  // In bytes; high memory (a 32-bit kernel's) as /proc/meminfo's HighTotal and HighFree.
  uint64_t shared = f.stat.has(StatKey::Shmem) ? f.stat.get(StatKey::Shmem)
                    : f.has_memory             ? std::min(host.shared, shared_memory_stand_in_cap(f))
                                               : host.shared;
  uint64_t unit = unit_for(f.total, f.swap_total, hosts_unit);
  info->mem_unit = uint32_t(unit);
  info->totalram = f.total / unit;
  info->freeram = f.free / unit;
  info->sharedram = shared / unit;
  // Buffers: none in a memory view (the cgroup counts none), else the host's,
  // as /proc/meminfo's Buffers line (a swap allowance alone leaves it).
  info->bufferram = f.has_memory ? 0 : host.buffers / unit;
  info->totalswap = f.swap_total / unit;
  info->freeswap = f.swap_free / unit;
  info->totalhigh = f.has_high ? f.high_total / unit : 0;
  info->freehigh = f.has_high ? f.high_free / unit : 0;
  return result;
}

CGVIEW_EXPORT long get_phys_pages() {
  long pages = 0;
  if (memory_pages(MemoryPages::Total, pages)) return pages;
  if (const RealFunctions* r = real_now(); r != nullptr && r->get_phys_pages != nullptr) return r->get_phys_pages();
  return glibc_sysconf(_SC_PHYS_PAGES);
}

CGVIEW_EXPORT long get_avphys_pages() {
  long pages = 0;
  if (memory_pages(MemoryPages::Free, pages)) return pages;
  if (const RealFunctions* r = real_now(); r != nullptr && r->get_avphys_pages != nullptr) return r->get_avphys_pages();
  return glibc_sysconf(_SC_AVPHYS_PAGES);
}
