// cpus_for_quota, Quota ordering, derive_memory and the usage readers, on
// hand-built inputs.
#include <gtest/gtest.h>

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
  return m;
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
  ASSERT_TRUE(derive_memory(limited(1024 << 20), u, uint64_t(16) << 30, 2 << 30, f));
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
  ASSERT_TRUE(derive_memory(limited(1000), u, 4000, 0, f));
  EXPECT_EQ(f.total, 1000u);
  EXPECT_EQ(f.free, 0u);
  EXPECT_EQ(f.available, 1000u);               // never above MemTotal
  EXPECT_EQ(f.stat.get(StatKey::Cache), 1000u);  // clamped to total
  ASSERT_TRUE(derive_memory(limited(8000), u, 4000, 0, f));
  EXPECT_EQ(f.total, 4000u);  // min(L, H)
  EXPECT_EQ(f.free, 2000u);
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
  ASSERT_TRUE(derive_memory(m, u, 5000, 500, f));
  EXPECT_TRUE(f.has_swap);
  EXPECT_EQ(f.swap_total, 500u);  // min(allowance, host)
  EXPECT_EQ(f.swap_free, 300u);
  u.swap_used = 900;
  ASSERT_TRUE(derive_memory(m, u, 5000, 500, f));
  EXPECT_EQ(f.swap_free, 0u);
}

TEST(DeriveMemory, SwapAllowanceWithoutALimit) {
  MemoryLimits m;
  m.has_swap_allowance = true;
  m.swap_allowance = 0;
  MemoryUsage none;  // no usage needed: only the swap lines change
  MemoryFigures f;
  ASSERT_TRUE(derive_memory(m, none, 5000, 500, f));
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
  EXPECT_FALSE(derive_memory(MemoryLimits{}, u, 5000, 0, f));  // no limit
  EXPECT_FALSE(derive_memory(limited(1000), u, 0, 0, f));      // unknown host total
  MemoryUsage none;
  EXPECT_FALSE(derive_memory(limited(1000), none, 5000, 0, f));  // unreadable usage
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
