#include <gtest/gtest.h>

#include <string>

#include "memory_stat.hpp"

using namespace cgview;
using namespace std::literals;

TEST(MemoryStat, V2Names) {
  MemoryStat s;
  parse_memory_stat(
      "anon 184549376\nfile 104857600\nkernel 8060928\nshmem 4194304\nfile_mapped 34951168\n"
      "inactive_anon 169869312\nactive_anon 18874368\ninactive_file 62914560\nactive_file 37748736\n"
      "slab_reclaimable 4194304\nslab_unreclaimable 2097152\nslab 6291456\n"
      "file_dirty 12288\nfile_writeback 4096\nunevictable 8192\n"
      "kernel_stack 196608\npagetables 1441792\nsec_pagetables 4096\npercpu 122880\nvmalloc 8192\n"
      "zswap 12288\nzswapped 40960\nswapcached 16384\nanon_thp 2097152\nfile_thp 4194304\nshmem_thp 6291456\n"
      "total_cache 1\nhierarchical_memory_limit 2\ntotal_rss_huge 3\n",
      true, s);
  EXPECT_EQ(s.get(StatKey::Anon), 184549376u);
  EXPECT_EQ(s.get(StatKey::Cache), 104857600u);
  EXPECT_EQ(s.get(StatKey::Shmem), 4194304u);
  EXPECT_EQ(s.get(StatKey::Mapped), 34951168u);
  EXPECT_EQ(s.get(StatKey::InactiveAnon), 169869312u);
  EXPECT_EQ(s.get(StatKey::ActiveAnon), 18874368u);
  EXPECT_EQ(s.get(StatKey::InactiveFile), 62914560u);
  EXPECT_EQ(s.get(StatKey::ActiveFile), 37748736u);
  EXPECT_EQ(s.get(StatKey::SlabReclaimable), 4194304u);
  EXPECT_EQ(s.get(StatKey::SlabUnreclaimable), 2097152u);
  EXPECT_EQ(s.get(StatKey::Slab), 6291456u);
  EXPECT_EQ(s.get(StatKey::Dirty), 12288u);
  EXPECT_EQ(s.get(StatKey::Writeback), 4096u);
  EXPECT_EQ(s.get(StatKey::Unevictable), 8192u);
  EXPECT_EQ(s.get(StatKey::KernelStack), 196608u);
  EXPECT_EQ(s.get(StatKey::PageTables), 1441792u);
  EXPECT_EQ(s.get(StatKey::SecPageTables), 4096u);
  EXPECT_EQ(s.get(StatKey::Percpu), 122880u);
  EXPECT_EQ(s.get(StatKey::Vmalloc), 8192u);
  EXPECT_EQ(s.get(StatKey::Zswap), 12288u);
  EXPECT_EQ(s.get(StatKey::Zswapped), 40960u);
  EXPECT_EQ(s.get(StatKey::SwapCached), 16384u);
  EXPECT_EQ(s.get(StatKey::AnonHuge), 2097152u);  // not v1's total_rss_huge
  EXPECT_EQ(s.get(StatKey::FileHuge), 4194304u);
  EXPECT_EQ(s.get(StatKey::ShmemHuge), 6291456u);
  // v1 names mean nothing in a v2 file.
  EXPECT_FALSE(s.has(StatKey::HierarchicalLimit));
  EXPECT_EQ(s.get(StatKey::Cache), 104857600u);
  for (int k = 0; k < int(StatKey::HierarchicalLimit); ++k) EXPECT_TRUE(s.has(StatKey(k))) << k;
}

TEST(MemoryStat, V1Names) {
  MemoryStat s;
  parse_memory_stat(
      "cache 1\nrss 2\nactive_file 3\ninactive_file 4\n"
      "hierarchical_memory_limit 2147483648\nhierarchical_memsw_limit 3221225472\n"
      "total_cache 209715200\ntotal_rss 306184192\ntotal_shmem 8388608\ntotal_mapped_file 52428800\n"
      "total_inactive_anon 275251200\ntotal_active_anon 39321600\ntotal_inactive_file 117440512\n"
      "total_active_file 83886080\nfile 5\nslab_reclaimable 6\n",
      false, s);
  EXPECT_EQ(s.get(StatKey::Cache), 209715200u);  // total_cache, not cache or file
  EXPECT_EQ(s.get(StatKey::Anon), 306184192u);
  EXPECT_EQ(s.get(StatKey::Shmem), 8388608u);
  EXPECT_EQ(s.get(StatKey::Mapped), 52428800u);
  EXPECT_EQ(s.get(StatKey::InactiveAnon), 275251200u);
  EXPECT_EQ(s.get(StatKey::ActiveAnon), 39321600u);
  EXPECT_EQ(s.get(StatKey::InactiveFile), 117440512u);
  EXPECT_EQ(s.get(StatKey::ActiveFile), 83886080u);
  EXPECT_EQ(s.get(StatKey::HierarchicalLimit), 2147483648u);
  EXPECT_EQ(s.get(StatKey::HierarchicalMemswLimit), 3221225472u);
  EXPECT_FALSE(s.has(StatKey::SlabReclaimable));  // v1 has no slab keys
  EXPECT_FALSE(s.has(StatKey::Slab));
}

TEST(MemoryStat, MalformedLinesSkipped) {
  MemoryStat s;
  parse_memory_stat(
      "file\n"                      // no value
      "anon -5\n"                   // negative
      "shmem 99999999999999999999\n"  // > 2^64
      "slab 12 extra\n"             // extra field
      "active_file 0x10\n"
      "garbage line here\n"
      "\n"
      "inactive_file 4096",         // last line without newline still counts
      true, s);
  EXPECT_FALSE(s.has(StatKey::Cache));
  EXPECT_FALSE(s.has(StatKey::Anon));
  EXPECT_FALSE(s.has(StatKey::Shmem));
  EXPECT_FALSE(s.has(StatKey::Slab));
  EXPECT_FALSE(s.has(StatKey::ActiveFile));
  EXPECT_TRUE(s.has(StatKey::InactiveFile));
  EXPECT_EQ(s.get(StatKey::InactiveFile), 4096u);
}

TEST(MemoryStat, ResetsOutput) {
  MemoryStat s;
  s.set(StatKey::Cache, 5);
  parse_memory_stat("", true, s);
  EXPECT_EQ(s.present, 0u);
  EXPECT_EQ(s.get(StatKey::Cache), 0u);
  parse_memory_stat("file 1\0 2\n"sv, true, s);
  EXPECT_FALSE(s.has(StatKey::Cache));
}

TEST(MemoryStat, PrefixNamesDoNotMatch) {
  MemoryStat s;
  // "kernel" and "pagetable" are prefixes of keys; "sec_pagetables_x" has one.
  parse_memory_stat("file_dirtyx 1\nfile_thpx 2\nanon_th 3\nslab_x 4\nfiles 5\nkernel 6\npagetable 7\n"
                    "sec_pagetables_x 8\n",
                    true, s);
  EXPECT_EQ(s.present, 0u);
  parse_memory_stat("total_cache_x 1\ntotal_rss_hug 2\nrss_huge 3\n", false, s);
  EXPECT_EQ(s.present, 0u);
}

TEST(MemoryStat, ARepeatedKeyKeepsItsFirstValue) {
  MemoryStat s;
  parse_memory_stat("file 1\nfile x\nfile 2\nanon junk\nanon 3\n", true, s);
  EXPECT_EQ(s.get(StatKey::Cache), 1u);
  EXPECT_EQ(s.get(StatKey::Anon), 3u) << "the first valid value";
}

// sysinfo asks for Shmem only, _SC_PHYS_PAGES for none: parsing stops there,
// and what it found is what the full parse finds.
TEST(MemoryStat, StopsOnceTheWantedKeysAreFound) {
  std::string_view v1 =
      "cache 1\nrss 2\nhierarchical_memory_limit 268435456\ntotal_cache 10\ntotal_shmem 20\n"
      "total_active_file 30\ntotal_unevictable 40\n";
  MemoryStat shmem, any, every;
  parse_memory_stat(v1, false, shmem, stat_bit(StatKey::Shmem));
  parse_memory_stat(v1, false, any, 0);
  parse_memory_stat(v1, false, every);
  EXPECT_EQ(shmem.get(StatKey::Shmem), 20u);
  EXPECT_FALSE(shmem.has(StatKey::ActiveFile)) << "read past total_shmem";
  EXPECT_EQ(any.present, stat_bit(StatKey::HierarchicalLimit)) << "the first key of ours, then stop";
  EXPECT_EQ(every.get(StatKey::Unevictable), 40u);
  EXPECT_EQ(every.get(StatKey::Shmem), shmem.get(StatKey::Shmem));
  // A key this version lacks (v1 has no slab lines) is not waited for.
  MemoryStat slab;
  parse_memory_stat(v1, false, slab, stat_bit(StatKey::Slab));
  EXPECT_EQ(slab.present, stat_bit(StatKey::HierarchicalLimit));
}
