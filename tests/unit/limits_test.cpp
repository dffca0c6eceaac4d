// cpus_for_quota, Quota ordering, derive_memory and the usage readers, on
// hand-built inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "cpu_usage.hpp"
#include "memory_view.hpp"
#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;

TEST(CpusForQuota, Rounding) {
  const Quota q04{40000, 100000}, q14{140000, 100000}, q15{150000, 100000}, q25{250000, 100000},
      q20{200000, 100000}, q05{50000, 100000};
  EXPECT_EQ(cpus_for_quota(q04, Rounding::Ceil, 8), 1u);
  EXPECT_EQ(cpus_for_quota(q04, Rounding::Floor, 8), 1u);  // 0 -> at least 1
  EXPECT_EQ(cpus_for_quota(q04, Rounding::Round, 8), 1u);
  EXPECT_EQ(cpus_for_quota(q14, Rounding::Ceil, 8), 2u);
  EXPECT_EQ(cpus_for_quota(q14, Rounding::Floor, 8), 1u);
  EXPECT_EQ(cpus_for_quota(q14, Rounding::Round, 8), 1u);
  EXPECT_EQ(cpus_for_quota(q15, Rounding::Round, 8), 2u);  // half rounds up
  EXPECT_EQ(cpus_for_quota(q25, Rounding::Ceil, 8), 3u);
  EXPECT_EQ(cpus_for_quota(q25, Rounding::Floor, 8), 2u);
  EXPECT_EQ(cpus_for_quota(q25, Rounding::Round, 8), 3u);
  EXPECT_EQ(cpus_for_quota(q20, Rounding::Ceil, 8), 2u);
  EXPECT_EQ(cpus_for_quota(q20, Rounding::Floor, 8), 2u);
  EXPECT_EQ(cpus_for_quota(q05, Rounding::Round, 8), 1u);
  // Clamped to |A|.
  EXPECT_EQ(cpus_for_quota({300000, 100000}, Rounding::Ceil, 2), 2u);
  EXPECT_EQ(cpus_for_quota({UINT64_MAX, 1}, Rounding::Ceil, 64), 64u);
  EXPECT_EQ(cpus_for_quota({UINT64_MAX, 1}, Rounding::Round, 64), 64u);
  // Other periods; no overflow with huge values.
  EXPECT_EQ(cpus_for_quota({1, 3}, Rounding::Ceil, 8), 1u);
  EXPECT_EQ(cpus_for_quota({7, 3}, Rounding::Ceil, 8), 3u);
  EXPECT_EQ(cpus_for_quota({UINT64_MAX - 1, UINT64_MAX}, Rounding::Ceil, 8), 1u);
  EXPECT_EQ(cpus_for_quota({UINT64_MAX, UINT64_MAX / 2}, Rounding::Floor, 8), 2u);
  // A zero period is no quota.
  EXPECT_EQ(cpus_for_quota({100000, 0}, Rounding::Ceil, 6), 6u);
}

TEST(QuotaOrder, LessThan) {
  EXPECT_TRUE((Quota{50000, 100000}).less_than({100000, 100000}));
  EXPECT_FALSE((Quota{100000, 100000}).less_than({50000, 100000}));
  EXPECT_FALSE((Quota{100000, 100000}).less_than({200000, 200000}));  // equal
  EXPECT_TRUE((Quota{1, 3}).less_than({1, 2}));
  EXPECT_TRUE((Quota{UINT64_MAX - 1, UINT64_MAX}).less_than({UINT64_MAX, UINT64_MAX}));
}

namespace {

MemoryLimits limited(uint64_t limit) {
  MemoryLimits m;
  m.has_limit = true;
  m.limit = limit;
  m.levels.add(limit, 0);
  return m;
}

// A host whose free memory does not bound the view: all of it free.
HostMemory host(uint64_t total, uint64_t swap_total) {
  HostMemory h;
  h.total = h.free = total;
  h.swap_total = h.swap_free = swap_total;
  return h;
}

}  // namespace

TEST(DeriveMemory, Basic) {
  MemoryUsage u;
  u.has_usage = true;
  u.usage = 300 << 20;
  u.stat.set(StatKey::ActiveFile, 10 << 20);
  u.stat.set(StatKey::InactiveFile, 20 << 20);
  u.stat.set(StatKey::SlabReclaimable, 5 << 20);
  u.stat.set(StatKey::Cache, 40 << 20);
  MemoryFigures f;
  ASSERT_TRUE(derive_memory(limited(1024 << 20), u, host(uint64_t(16) << 30, 2 << 30), f));
  EXPECT_EQ(f.total, uint64_t(1024) << 20);
  EXPECT_EQ(f.free, uint64_t(724) << 20);
  EXPECT_EQ(f.available, uint64_t(759) << 20);
  EXPECT_TRUE(f.has_stat_lines);
  EXPECT_EQ(f.stat.get(StatKey::Cache), uint64_t(40) << 20);
  EXPECT_FALSE(f.has_swap);
}

TEST(DeriveMemory, UsageAboveLimitAndHostBelowLimit) {
  MemoryUsage u;
  u.has_usage = true;
  u.usage = 2000;
  u.stat.set(StatKey::ActiveFile, 5000);
  u.stat.set(StatKey::Cache, 9000);
  MemoryFigures f;
  ASSERT_TRUE(derive_memory(limited(1000), u, host(4000, 0), f));
  EXPECT_EQ(f.total, 1000u);
  EXPECT_EQ(f.free, 0u);
  EXPECT_EQ(f.available, 1000u);               // never above MemTotal
  EXPECT_EQ(f.stat.get(StatKey::Cache), 1000u);  // clamped to total
  ASSERT_TRUE(derive_memory(limited(8000), u, host(4000, 0), f));
  EXPECT_EQ(f.total, 4000u);  // min(L, H)
  EXPECT_EQ(f.free, 2000u);
}

// An override below the usage (`cgview run --memory 512M` in a cgroup holding
// 1400 MiB, mostly page cache): the figures are what a real 512 MiB limit
// would leave, the excess reclaimed from the inactive page cache first, and
// the lines keep their sums (the helper's report: Inactive 512 MiB beside
// Inactive(anon) 1.8 MiB and Inactive(file) 512 MiB, Active + Inactive above
// MemTotal, `free` showing 0 used).
TEST(DeriveMemory, OverrideBelowTheUsageTakesThePageCacheFirst) {
  const uint64_t MiB = 1 << 20;
  MemoryUsage u;
  u.has_usage = true;
  u.usage = 1400 * MiB;
  u.stat.set(StatKey::ActiveAnon, 90 * MiB);
  u.stat.set(StatKey::InactiveAnon, 10 * MiB);
  u.stat.set(StatKey::Anon, 100 * MiB);
  u.stat.set(StatKey::ActiveFile, 200 * MiB);
  u.stat.set(StatKey::InactiveFile, 1050 * MiB);
  u.stat.set(StatKey::Cache, 1250 * MiB);
  u.stat.set(StatKey::Mapped, 300 * MiB);
  u.stat.set(StatKey::SlabReclaimable, 40 * MiB);
  MemoryFigures f;
  ASSERT_TRUE(derive_memory(limited(512 * MiB), u, host(uint64_t(16) << 30, 0), f));
  EXPECT_EQ(f.total, 512 * MiB);
  EXPECT_EQ(f.free, 0u);
  EXPECT_EQ(f.stat.get(StatKey::InactiveFile), 162 * MiB);  // 1050 less the 888 over the limit
  EXPECT_EQ(f.stat.get(StatKey::ActiveFile), 200 * MiB);
  EXPECT_EQ(f.stat.get(StatKey::Cache), 362 * MiB);
  EXPECT_EQ(f.stat.get(StatKey::Mapped), 300 * MiB);
  EXPECT_EQ(f.stat.get(StatKey::ActiveAnon), 90 * MiB);  // anonymous memory is not reclaimed
  EXPECT_EQ(f.stat.get(StatKey::Anon), 100 * MiB);
  EXPECT_EQ(f.available, 402 * MiB);  // the page cache left and the reclaimable slab
  uint64_t lru = f.stat.get(StatKey::ActiveAnon) + f.stat.get(StatKey::InactiveAnon) +
                 f.stat.get(StatKey::ActiveFile) + f.stat.get(StatKey::InactiveFile);
  EXPECT_LE(lru, f.total);
}

// More anonymous memory than the override: no page cache is left, and every
// figure shrinks in proportion, so the sums still hold.
TEST(DeriveMemory, OverrideBelowTheAnonymousMemoryShrinksEveryFigure) {
  MemoryUsage u;
  u.has_usage = true;
  u.usage = 1000;
  u.stat.set(StatKey::ActiveAnon, 700);
  u.stat.set(StatKey::InactiveAnon, 100);
  u.stat.set(StatKey::Anon, 800);
  u.stat.set(StatKey::ActiveFile, 50);
  u.stat.set(StatKey::InactiveFile, 100);
  u.stat.set(StatKey::Cache, 150);
  u.stat.set(StatKey::Zswapped, 5000);  // in swap, not in memory: kept
  MemoryFigures f;
  ASSERT_TRUE(derive_memory(limited(400), u, host(4000, 0), f));
  EXPECT_EQ(f.stat.get(StatKey::InactiveFile), 0u);
  EXPECT_EQ(f.stat.get(StatKey::ActiveFile), 0u);
  EXPECT_EQ(f.stat.get(StatKey::Cache), 0u);
  EXPECT_EQ(f.stat.get(StatKey::ActiveAnon), 329u);  // 700 x 400 / 850
  EXPECT_EQ(f.stat.get(StatKey::InactiveAnon), 47u);
  EXPECT_EQ(f.stat.get(StatKey::Anon), 376u);
  EXPECT_EQ(f.stat.get(StatKey::Zswapped), 5000u);
  EXPECT_EQ(f.available, 0u);
}

// MemFree is the least headroom over the levels with a limit: a parent's limit
// shared with a sibling leaves less room than the own cgroup's usage says.
TEST(DeriveMemory, SmallestHeadroom) {
  MemoryLimits m = limited(1000);  // the own cgroup's limit
  m.levels.add(800, 12);           // a parent's, smaller
  m.levels.add(5000, 4);           // a grandparent's, larger but nearly used up
  m.limit = 800;
  MemoryUsage u;
  u.has_usage = true;
  u.usage = 100;
  u.level_usage[1] = 600;   // the parent: this cgroup and a sibling
  u.level_usage[2] = 4950;  // the grandparent
  u.stat.set(StatKey::InactiveFile, 30);
  MemoryFigures f;
  ASSERT_TRUE(derive_memory(m, u, host(1 << 20, 0), f));
  EXPECT_EQ(f.total, 800u);
  EXPECT_EQ(f.free, 50u);        // 5000 - 4950, not 800 - 100
  EXPECT_EQ(f.available, 80u);   // free + the own reclaimable cache
  u.level_usage[2] = 0;          // unread: counts as the own usage, never less
  ASSERT_TRUE(derive_memory(m, u, host(1 << 20, 0), f));
  EXPECT_EQ(f.free, 200u);       // 800 - 600
}

// Never above the host: MemFree <= host MemFree, MemAvailable <= host MemAvailable.
TEST(DeriveMemory, NeverAboveTheHost) {
  MemoryUsage u;
  u.has_usage = true;
  u.usage = 100;
  u.stat.set(StatKey::ActiveFile, 400);
  HostMemory h = host(100000, 0);
  h.free = 150;
  MemoryFigures f;
  ASSERT_TRUE(derive_memory(limited(1000), u, h, f));
  EXPECT_EQ(f.free, 150u);
  EXPECT_EQ(f.available, 550u);  // no host MemAvailable known (sysinfo): free + cache
  h.has_available = true;
  h.available = 300;
  ASSERT_TRUE(derive_memory(limited(1000), u, h, f));
  EXPECT_EQ(f.available, 300u);
  // A host showing less available than free (its reserves): MemFree follows
  // MemAvailable down, so free <= available holds in the view too.
  h.available = 120;
  ASSERT_TRUE(derive_memory(limited(1000), u, h, f));
  EXPECT_EQ(f.available, 120u);
  EXPECT_EQ(f.free, 120u);
}

// A long-running host keeps little free and much cache, which it would give
// up for the container: MemAvailable is the container's headroom and own
// reclaimable memory as far as the host has memory available, not capped by
// the host's MemFree (a 1 GiB container using 256 MiB read 326 MiB available
// on a host with 200 MB free of 200 GB available).
TEST(DeriveMemory, AvailableIsNotBoundedByTheHostsFree) {
  MemoryUsage u;
  u.has_usage = true;
  u.usage = 256 << 20;
  u.stat.set(StatKey::InactiveFile, 100 << 20);
  u.stat.set(StatKey::SlabReclaimable, 23 << 20);
  HostMemory h = host(uint64_t(256) << 30, 0);
  h.free = 200 << 20;
  h.has_available = true;
  h.available = uint64_t(200) << 30;
  MemoryFigures f;
  ASSERT_TRUE(derive_memory(limited(1024 << 20), u, h, f));
  EXPECT_EQ(f.free, uint64_t(200) << 20);        // still never above the host's MemFree
  EXPECT_EQ(f.available, uint64_t(891) << 20);   // 1024 - 256 + 123
  h.available = 500 << 20;                       // a host short of memory bounds it
  ASSERT_TRUE(derive_memory(limited(1024 << 20), u, h, f));
  EXPECT_EQ(f.available, uint64_t(500) << 20);
}

TEST(LimitLevels, KeepsTheSmallestWhenFull) {
  LimitLevels l;
  for (int i = 0; i < kMaxLimitLevels; ++i) l.add(uint64_t(1000 + i), size_t(10 + i));
  l.add(5, 99);     // smaller than all: replaces the largest
  l.add(99999, 98); // larger than all: dropped
  l.add(3, 10);     // same level again: its smaller limit
  ASSERT_EQ(l.count, kMaxLimitLevels);
  uint64_t largest = 0;
  bool has5 = false, has3 = false;
  for (int i = 0; i < l.count; ++i) {
    largest = std::max(largest, l.at[i].limit);
    has5 |= l.at[i].limit == 5 && l.at[i].path_len == 99;
    has3 |= l.at[i].limit == 3 && l.at[i].path_len == 10;
  }
  EXPECT_TRUE(has5);
  EXPECT_TRUE(has3);
  EXPECT_EQ(largest, uint64_t(1000 + kMaxLimitLevels - 2));
}

TEST(DeriveMemory, Swap) {
  MemoryLimits m = limited(1000);
  m.has_swap_allowance = true;
  m.swap_allowance = 600;
  MemoryUsage u;
  u.has_usage = true;
  u.usage = 100;
  u.has_swap_used = true;
  u.swap_used = 200;
  MemoryFigures f;
  ASSERT_TRUE(derive_memory(m, u, host(5000, 500), f));
  EXPECT_TRUE(f.has_swap);
  EXPECT_EQ(f.swap_total, 500u);  // min(allowance, host)
  EXPECT_EQ(f.swap_free, 300u);
  u.swap_used = 900;
  ASSERT_TRUE(derive_memory(m, u, host(5000, 500), f));
  EXPECT_EQ(f.swap_free, 0u);
}

TEST(DeriveMemory, SwapAllowanceWithoutALimit) {
  MemoryLimits m;
  m.has_swap_allowance = true;
  m.swap_allowance = 0;
  MemoryUsage none;  // no usage needed: only the swap lines change
  MemoryFigures f;
  ASSERT_TRUE(derive_memory(m, none, host(5000, 500), f));
  EXPECT_FALSE(f.has_memory);
  EXPECT_TRUE(f.has_swap);
  EXPECT_EQ(f.swap_total, 0u);
  EXPECT_EQ(f.swap_free, 0u);
}

TEST(DeriveMemory, NotVirtual) {
  MemoryUsage u;
  u.has_usage = true;
  u.usage = 1;
  MemoryFigures f;
  EXPECT_FALSE(derive_memory(MemoryLimits{}, u, host(5000, 0), f));  // no limit
  EXPECT_FALSE(derive_memory(limited(1000), u, host(0, 0), f));      // unknown host total
  MemoryUsage none;
  EXPECT_FALSE(derive_memory(limited(1000), none, host(5000, 0), f));  // unreadable usage
}

TEST(CpuUsage, ReadersOnFixtures) {
  auto v2 = limits_for(fixture_config("docker-v2-private-ns"));
  CpuUsage u;
  ASSERT_TRUE(read_cpu_usage(fixture_config("docker-v2-private-ns").root, v2->cgroups.of(Controller::Cpuacct), u));
  EXPECT_EQ(u.user_ticks, 3374u);
  EXPECT_EQ(u.system_ticks, 1446u);
  auto v1 = limits_for(fixture_config("docker-v1-host-ns"));
  ASSERT_TRUE(read_cpu_usage(fixture_config("docker-v1-host-ns").root, v1->cgroups.of(Controller::Cpuacct), u));
  EXPECT_EQ(u.user_ticks, 41230u);
  EXPECT_EQ(u.system_ticks, 9112u);
  uint64_t ticks = 0;
  ASSERT_TRUE(read_uptime_ticks(fixture_config("docker-v2-private-ns").root, ticks));
  EXPECT_EQ(ticks, 1234667u);
  CgroupDir missing;
  EXPECT_FALSE(read_cpu_usage(fixture_config("docker-v2-private-ns").root, missing, u));
}

// /proc/stat's unit is the kernel's USER_HZ, which every program is told
// (sysconf(_SC_CLK_TCK)): 100 here, alpha's 1024; a sysroot's files are 100's.
TEST(CpuUsage, TicksAreTheKernelsUserHz) {
  EXPECT_EQ(user_hz(Sysroot{}), uint64_t(sysconf(_SC_CLK_TCK)));
  EXPECT_EQ(user_hz(fixture_config("docker-v2-private-ns").root), 100u);
  // Uptime in those ticks agrees with the kernel's own clock.
  Sysroot live;
  uint64_t ticks = 0;
  struct timespec ts;
  ASSERT_TRUE(read_uptime_ticks(live, ticks));
  ASSERT_EQ(clock_gettime(CLOCK_BOOTTIME, &ts), 0);
  EXPECT_NEAR(double(ticks) / double(sysconf(_SC_CLK_TCK)), double(ts.tv_sec), 2.0);
}

TEST(CpuUsage, LiveUptimeAdvances) {
  Sysroot live;
  uint64_t a = 0, b = 0;
  ASSERT_TRUE(read_uptime_ticks(live, a));
  usleep(20000);
  ASSERT_TRUE(read_uptime_ticks(live, b));
  EXPECT_GT(a, 0u);
  EXPECT_GE(b, a + 1);
}

TEST(MemoryUsage, ReadersOnFixtures) {
  auto v1 = limits_for(fixture_config("docker-v1-host-ns"));
  MemoryUsage u;
  read_memory_usage(fixture_config("docker-v1-host-ns").root, v1->cgroups.of(Controller::Memory), true, u);
  EXPECT_TRUE(u.has_usage);
  EXPECT_EQ(u.usage, 536870912u);
  EXPECT_TRUE(u.has_swap_used);
  EXPECT_EQ(u.swap_used, 18874368u);
  EXPECT_EQ(u.stat.get(StatKey::Cache), 209715200u);

  auto v2 = limits_for(fixture_config("k8s-pod-v2"));
  read_memory_usage(fixture_config("k8s-pod-v2").root, v2->cgroups.of(Controller::Memory), true, u);
  EXPECT_EQ(u.usage, 209715200u);  // the scope's, not the pod slice's decoy
  EXPECT_EQ(u.stat.get(StatKey::Cache), 73400320u);
}

TEST(MemoryUsage, SwapIsReadOnlyWhenWanted) {
  auto v1 = limits_for(fixture_config("docker-v1-host-ns"));
  MemoryUsage u;
  read_memory_usage(fixture_config("docker-v1-host-ns").root, v1->cgroups.of(Controller::Memory), false, u);
  EXPECT_TRUE(u.has_usage);
  EXPECT_EQ(u.usage, 536870912u);
  EXPECT_FALSE(u.has_swap_used);
}

TEST(HostMemory, FromFixtureMeminfo) {
  HostMemory h;
  ASSERT_TRUE(read_host_memory(fixture_config("docker-v2-private-ns").root, h));
  EXPECT_EQ(h.total, uint64_t(16384000) * 1024);
  EXPECT_EQ(h.free, uint64_t(9876544) * 1024);
  EXPECT_EQ(h.swap_total, uint64_t(2097148) * 1024);
  EXPECT_EQ(h.swap_free, uint64_t(2045948) * 1024);
  EXPECT_EQ(h.shared, uint64_t(162684) * 1024);  // Shmem: read from a sysroot's file (sysinfo's sharedram)
}

// One rule for a meminfo text, whether read from a sysroot's file (sysinfo
// under a sysroot) or from the text a renderer holds (/proc/meminfo, swaps):
// each key's first line with a " kB" value; a missing MemFree is MemTotal.
TEST(HostMemory, TheFileAndTheTextAreReadAlike) {
  const std::string texts[] = {
      "MemTotal: 1000 kB\nMemFree: 200 kB\nMemAvailable: 300 kB\nSwapTotal: 50 kB\nSwapFree: 40 kB\n",
      "MemTotal: 1000 kB\nSwapTotal: 50 kB\n",                                 // no MemFree, no MemAvailable
      "MemTotal: 1000 kB\nMemFree: 200 kB\nMemFree: 900 kB\n",                 // the first line counts
      "MemTotal: 1000 kB\nMemFree: 200\nSwapTotal: 7 MB\n",                    // values without " kB"
      "MemTotal: 1000\nMemFree: 200 kB\n", "MemTotal: 0 kB\n", "MemFree: 5 kB\n",  // no usable MemTotal
      "MemTotal: 1000 kB\nMemFree: 200 kB\nMemAvailable: 300 kB\nHighTotal: 600 kB\nHighFree: 50 kB\n"
      "LowTotal: 400 kB\nLowFree: 150 kB\nSwapTotal: 50 kB\nSwapFree: 40 kB\n",  // a 32-bit kernel's
      "MemTotal: 1000 kB\nHighTotal: 600 kB\nSwapFree: 40 kB\n",  // no HighFree: no split
      "MemTotal: 1000 kB\nMemFree: 200 kB\nMemAvailable: 300 kB\nSwapTotal: 50 kB\nSwapFree: 40 kB\n"
      "HighTotal: 600 kB\nHighFree: 50 kB\nShmem: 7 kB\n",  // high memory after SwapFree: not read
  };
  char dir[] = "/tmp/cgview-hostmem-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::filesystem::create_directories(std::string(dir) + "/proc");
  Config config = config_for_dir(dir);
  for (const std::string& text : texts) {
    SCOPED_TRACE(text);
    std::ofstream(std::string(dir) + "/proc/meminfo", std::ios::trunc) << text;
    HostMemory from_file, from_text;
    bool file_ok = read_host_memory(config.root, from_file), text_ok = host_memory_from_meminfo(text, from_text);
    ASSERT_EQ(file_ok, text_ok);
    if (!file_ok) continue;
    EXPECT_EQ(from_file.total, from_text.total);
    EXPECT_EQ(from_file.free, from_text.free);
    EXPECT_EQ(from_file.has_available, from_text.has_available);
    EXPECT_EQ(from_file.available, from_text.available);
    EXPECT_EQ(from_file.swap_total, from_text.swap_total);
    EXPECT_EQ(from_file.swap_free, from_text.swap_free);
    EXPECT_EQ(from_file.has_high, from_text.has_high);
    EXPECT_EQ(from_file.high_total, from_text.high_total);
    EXPECT_EQ(from_file.high_free, from_text.high_free);
  }
  HostMemory h;
  ASSERT_TRUE(host_memory_from_meminfo(texts[1], h));
  EXPECT_EQ(h.free, 1000u * 1024);  // MemFree missing: all of MemTotal
  EXPECT_FALSE(h.has_available);
  ASSERT_TRUE(host_memory_from_meminfo(texts[2], h));
  EXPECT_EQ(h.free, 200u * 1024);
  ASSERT_TRUE(host_memory_from_meminfo(texts[3], h));
  EXPECT_EQ(h.free, 1000u * 1024);  // "MemFree: 200" is no value
  EXPECT_EQ(h.swap_total, 0u);
  EXPECT_FALSE(h.has_high);
  ASSERT_TRUE(host_memory_from_meminfo(texts[7], h));
  EXPECT_TRUE(h.has_high);
  EXPECT_EQ(h.high_total, 600u * 1024);
  EXPECT_EQ(h.high_free, 50u * 1024);
  ASSERT_TRUE(host_memory_from_meminfo(texts[8], h));
  EXPECT_FALSE(h.has_high);
  ASSERT_TRUE(host_memory_from_meminfo(texts[9], h));
  EXPECT_FALSE(h.has_high);
  std::filesystem::remove_all(dir);
}

// A 32-bit kernel's high memory in the view, for any host figures (a file's
// may be anything): high and low each within total and free, low first up to
// the host's low memory.
TEST(DeriveMemory, HighMemoryAddsUpForAnyHost) {
  std::mt19937_64 random(20261206);
  auto any = [&] {
    switch (random() % 4) {
      case 0: return uint64_t(0);
      case 1: return UINT64_MAX - random() % 3;
      default: return random() >> (random() % 64);  // of any magnitude
    }
  };
  for (int i = 0; i < 100000; ++i) {
    HostMemory host;
    host.has_high = true;
    host.total = any(), host.free = any(), host.high_total = any(), host.high_free = any();
    MemoryFigures f;
    f.total = any();
    f.free = std::min(any(), f.total);
    derive_high_memory(host, f);
    ASSERT_TRUE(f.has_high);
    ASSERT_LE(f.high_total, f.total);
    ASSERT_LE(f.high_free, f.free);
    ASSERT_LE(f.high_free, f.high_total);
    ASSERT_LE(f.free - f.high_free, f.total - f.high_total);  // low free within low total
    uint64_t host_low = host.total - std::min(host.high_total, host.total);
    ASSERT_EQ(f.total - f.high_total, std::min(host_low, f.total));
  }
  HostMemory none;
  MemoryFigures f;
  f.total = 100, f.free = 50;
  derive_high_memory(none, f);
  EXPECT_FALSE(f.has_high);
}

// The live system: no sysroot. Whatever the machine, the view must be coherent.
TEST(LiveSystem, CoherentView) {
  Config c;
  auto limits = std::make_unique<Limits>();
  ASSERT_TRUE(compute_limits(c, *limits));
  EXPECT_GE(limits->cpu.count, 1u);
  EXPECT_EQ(limits->cpu.visible.count(), limits->cpu.count);
  CpuSet v = limits->cpu.visible;
  v.intersect(limits->cpu.affinity);
  EXPECT_EQ(v, limits->cpu.visible);  // V is a subset of A
  HostMemory host;
  ASSERT_TRUE(read_host_memory(c.root, host));
  EXPECT_GT(host.total, 0u);
  for (VirtualFile f : {VirtualFile::Meminfo, VirtualFile::Cpuinfo, VirtualFile::Stat, VirtualFile::CpuOnline}) {
    Rendered r = render_to_string(f, c, *limits);
    EXPECT_TRUE(r.ok) << int(f);
    EXPECT_FALSE(r.text.empty()) << int(f);
  }
}
