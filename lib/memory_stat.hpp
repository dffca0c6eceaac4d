// memory.stat, with v1's and v2's key names mapped onto one set of meanings.
#pragma once

#include <cstdint>

#include "discovery.hpp"

namespace cgview {

enum class StatKey : unsigned char {
  Cache,             // v2 file,               v1 total_cache
  ActiveAnon,        // v2 active_anon,        v1 total_active_anon
  InactiveAnon,      // v2 inactive_anon,      v1 total_inactive_anon
  ActiveFile,        // v2 active_file,        v1 total_active_file
  InactiveFile,      // v2 inactive_file,      v1 total_inactive_file
  Shmem,             // v2 shmem,              v1 total_shmem
  Mapped,            // v2 file_mapped,        v1 total_mapped_file
  Anon,              // v2 anon,               v1 total_rss
  Slab,              // v2 slab
  SlabReclaimable,   // v2 slab_reclaimable
  SlabUnreclaimable, // v2 slab_unreclaimable
  Dirty,             // v2 file_dirty,         v1 total_dirty
  Writeback,         // v2 file_writeback,     v1 total_writeback
  Unevictable,       // v2 unevictable,        v1 total_unevictable
  // Kernel memory, swap cache and huge pages the cgroup is charged for.
  SwapCached,        // v2 swapcached,         v1 total_swapcached
  KernelStack,       // v2 kernel_stack
  PageTables,        // v2 pagetables
  SecPageTables,     // v2 sec_pagetables
  Percpu,            // v2 percpu
  Vmalloc,           // v2 vmalloc
  Zswap,             // v2 zswap
  Zswapped,          // v2 zswapped: swapped out, not in memory (never clamped to the total)
  AnonHuge,          // v2 anon_thp,           v1 total_rss_huge
  ShmemHuge,         // v2 shmem_thp
  FileHuge,          // v2 file_thp
  HierarchicalLimit,       // v1 hierarchical_memory_limit
  HierarchicalMemswLimit,  // v1 hierarchical_memsw_limit
  Count
};

struct MemoryStat {
  uint64_t values[int(StatKey::Count)] = {};
  uint32_t present = 0;  // bit per StatKey
  bool has(StatKey k) const { return (present >> int(k)) & 1; }
  uint64_t get(StatKey k) const { return values[int(k)]; }
  void set(StatKey k, uint64_t v) {
    values[int(k)] = v;
    present |= uint32_t(1) << int(k);
  }
};

constexpr uint32_t stat_bit(StatKey k) { return uint32_t(1) << int(k); }
static_assert(int(StatKey::Count) < 32, "one bit of `present` per key");
inline constexpr uint32_t kEveryStatKey = stat_bit(StatKey::Count) - 1;

// Parses memory.stat text; unknown keys and malformed lines are skipped, and
// a repeated key keeps its first value. It stops once every key in `wanted`
// is found (with 0: once any one is, which tells the file is a memory.stat):
// sysinfo needs one key of some forty lines, _SC_PHYS_PAGES none.
void parse_memory_stat(std::string_view text, bool v2, MemoryStat& out, uint32_t wanted = kEveryStatKey);

// Reads and parses DIR/<cgroup>/memory.stat; false when it cannot be read.
bool read_memory_stat(const Sysroot& root, const CgroupDir& dir, MemoryStat& out, uint32_t wanted = kEveryStatKey);

}  // namespace cgview
