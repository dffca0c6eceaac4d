// Malformed cgroup and host files, in a copied fixture. Each must give the host's
// answer (no quota / no limit / the real CPUs / the host's meminfo) and never crash;
// a file that only lacks its trailing newline must still parse.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cgroup_search.hpp"
#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;
using namespace std::literals;

namespace {

struct Bad {
  const char* label;
  std::string bytes;
  bool missing = false;
};

// 100 KB of leading zeros before a value that would be valid: only a reader
// that silently truncated could mistake it for a number.
std::string long_line(std::string_view tail) { return std::string(100 * 1024, '0') + std::string(tail) + "\n"; }

// Variations every single-number file gets.
std::vector<Bad> bad_numbers(std::string_view valid) {
  return {
      {"empty", ""},
      {"newline only", "\n"},
      {"garbage", "garbage\n"},
      {"nul bytes", "\0\0\0\0\n"s},
      {"nul inside", std::string(valid.substr(0, 2)) + "\0"s + std::string(valid.substr(2)) + "\n"},
      {"negative", "-" + std::string(valid) + "\n"},
      {"above 2^64", "18446744073709551616\n"},
      {"far above 2^64", "99999999999999999999999999\n"},
      {"hex", "0x40000000\n"},
      {"two values", std::string(valid) + " " + std::string(valid) + "\n"},
      {"long line", long_line(valid)},
      {"missing", "", true},
  };
}

}  // namespace

class Malformed : public CopiedFixture {
 protected:
  void apply(const std::string& rel, const Bad& bad) {
    if (bad.missing) {
      std::error_code ec;
      std::filesystem::remove(path(rel), ec);
    } else {
      write(rel, bad.bytes);
    }
  }

  std::unique_ptr<Limits> limits(bool expect_ok = true) {
    bool ok = false;
    auto l = limits_for(config(), &ok);
    EXPECT_EQ(ok, expect_ok);
    return l;
  }

  // The host's CPUs with no quota.
  void expect_no_quota(unsigned host_n, const char* host_online) {
    auto l = limits();
    EXPECT_FALSE(l->cpu.has_quota);
    EXPECT_EQ(l->cpu.count, host_n);
    EXPECT_EQ(cpu_list(l->cpu.visible), host_online);
    Rendered online = render_to_string(VirtualFile::CpuOnline, config(), *l);
    EXPECT_EQ(online.text, std::string(host_online) + "\n");
  }

  // No memory limit, and /proc/meminfo exactly as the (copied) host file.
  void expect_meminfo_passthrough(bool expect_limit = false) {
    auto l = limits();
    EXPECT_EQ(l->memory.has_limit, expect_limit);
    Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
    std::string host = read("proc/meminfo");
    // Either the host's bytes, or a failure (the shim then serves the real file).
    if (r.ok) {
      EXPECT_EQ(r.text, host);
    } else {
      SUCCEED();
    }
  }
};

// ---- cpu.max (v2) ----

TEST_F(Malformed, CpuMax) {
  copy_fixture("docker-v2-private-ns");
  const std::string rel = "sys/fs/cgroup/cpu.max";
  std::vector<Bad> cases = bad_numbers("150000 100000");
  cases.push_back({"negative period", "150000 -100000\n"});
  cases.push_back({"period above 2^64", "150000 18446744073709551616\n"});
  cases.push_back({"zero quota", "0 100000\n"});
  cases.push_back({"zero period", "150000 0\n"});
  cases.push_back({"no period", "150000\n"});
  cases.push_back({"max without period", "max\n"});
  cases.push_back({"three fields", "150000 100000 1\n"});
  cases.push_back({"fraction", "1.5 1\n"});
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.label);
    apply(rel, bad);
    expect_no_quota(8, "0-7");
  }
}

TEST_F(Malformed, CpuMaxWithoutNewlineStillParses) {
  copy_fixture("docker-v2-private-ns");
  write("sys/fs/cgroup/cpu.max", "150000 100000");
  auto l = limits();
  EXPECT_TRUE(l->cpu.has_quota);
  EXPECT_EQ(l->cpu.count, 2u);
  write("sys/fs/cgroup/cpu.max", "  300000   100000  \n");  // extra spaces are fine
  EXPECT_EQ(limits()->cpu.count, 3u);
}

// A malformed level does not hide a good one elsewhere in the walk.
TEST_F(Malformed, CpuMaxBadLevelSkipped) {
  copy_fixture("k8s-pod-v2");
  write("sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/"
        "cri-containerd-abcdef.scope/cpu.max",
        "garbage\n");
  auto l = limits();
  EXPECT_TRUE(l->cpu.has_quota);
  EXPECT_EQ(l->cpu.count, 2u);  // the pod slice's 200000 100000
  write("sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cpu.max",
        "-1 100000\n");
  expect_no_quota(8, "0-7");
}

// ---- v1 cpu.cfs_quota_us / cpu.cfs_period_us ----

TEST_F(Malformed, CfsQuota) {
  copy_fixture("docker-v1-host-ns");
  const std::string rel = "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us";
  std::vector<Bad> cases = bad_numbers("200000");
  cases.push_back({"zero", "0\n"});
  cases.push_back({"minus one", "-1\n"});
  cases.push_back({"below int64 min", "-9223372036854775809\n"});
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.label);
    apply(rel, bad);
    expect_no_quota(8, "0-7");
  }
}

TEST_F(Malformed, CfsPeriod) {
  copy_fixture("docker-v1-host-ns");
  const std::string rel = "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us";
  std::vector<Bad> cases = bad_numbers("100000");
  cases.push_back({"zero", "0\n"});
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.label);
    apply(rel, bad);
    expect_no_quota(8, "0-7");
  }
}

TEST_F(Malformed, CfsWithoutNewlineStillParses) {
  copy_fixture("docker-v1-host-ns");
  write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "300000");
  write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000");
  auto l = limits();
  EXPECT_TRUE(l->cpu.has_quota);
  EXPECT_EQ(l->cpu.count, 3u);
}

// ---- memory.max (v2) ----

TEST_F(Malformed, MemoryMax) {
  copy_fixture("docker-v2-private-ns");
  const std::string rel = "sys/fs/cgroup/memory.max";
  std::vector<Bad> cases = bad_numbers("1073741824");
  cases.push_back({"zero", "0\n"});
  cases.push_back({"2^62", "4611686018427387904\n"});
  cases.push_back({"2^63", "9223372036854775808\n"});
  cases.push_back({"v1 unlimited", "9223372036854771712\n"});
  cases.push_back({"2^64-1", "18446744073709551615\n"});
  cases.push_back({"suffix", "1G\n"});
  write("sys/fs/cgroup/memory.swap.max", "max\n");  // else the swap lines stay the container's
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.label);
    apply(rel, bad);
    expect_meminfo_passthrough();
  }
}

// A swap allowance holds without a memory limit (Kubernetes gives pods with
// no memory limit `memory.swap.max 0`): only the swap lines change.
TEST_F(Malformed, SwapAllowanceWithoutMemoryLimit) {
  copy_fixture("docker-v2-private-ns");  // swap.max 512 MiB, swap.current 10 MiB
  write("sys/fs/cgroup/memory.max", "garbage\n");
  auto l = limits();
  EXPECT_FALSE(l->memory.has_limit);
  ASSERT_TRUE(l->memory.has_swap_allowance);
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
  ASSERT_TRUE(r.ok);
  std::vector<std::string> host = split_lines(read("proc/meminfo")), got = split_lines(r.text);
  ASSERT_EQ(host.size(), got.size());
  for (size_t i = 0; i < host.size(); ++i) {
    std::string key = meminfo_key(host[i]);
    if (key != "SwapTotal" && key != "SwapFree") {
      EXPECT_EQ(got[i], host[i]);
    }
  }
  EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), 524288);
  EXPECT_EQ(meminfo_kb(r.text, "SwapFree"), 524288 - 10240);

  write("sys/fs/cgroup/memory.swap.max", "0\n");
  l = limits();
  r = render_to_string(VirtualFile::Meminfo, config(), *l);
  EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), 0);
  EXPECT_EQ(meminfo_kb(r.text, "SwapFree"), 0);
  EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), meminfo_kb(read("proc/meminfo"), "MemTotal"));
}

TEST_F(Malformed, MemoryMaxWithoutNewlineStillParses) {
  copy_fixture("docker-v2-private-ns");
  write("sys/fs/cgroup/memory.max", "1073741824");
  auto l = limits();
  EXPECT_TRUE(l->memory.has_limit);
  EXPECT_EQ(l->memory.limit, 1073741824u);
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
  EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), 1048576);
}

TEST_F(Malformed, MemoryLimitJustBelow2To62IsALimit) {
  copy_fixture("docker-v2-private-ns");
  write("sys/fs/cgroup/memory.max", "4611686018427387903\n");
  // A limit, but at or above the host's 16384000 kB: no limit, the host's
  // memory lines (the swap allowance still changes the swap lines).
  {
    auto l = limits();
    EXPECT_FALSE(l->memory.has_limit);
    Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
    EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), 16384000);
    EXPECT_EQ(meminfo_kb(r.text, "MemFree"), 9876544);
    EXPECT_EQ(meminfo_kb(r.text, "Cached"), 3253728);
    EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), 524288);
  }
  write("sys/fs/cgroup/memory.max", std::to_string(uint64_t(16384000) * 1024 - 4096) + "\n");
  auto l = limits();
  EXPECT_TRUE(l->memory.has_limit);  // just below the host's: a limit
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
  EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), 16383996);
  // MemFree = the smallest headroom, at most the host's MemFree (9876544 kB).
  EXPECT_EQ(meminfo_kb(r.text, "MemFree"), 9876544);
}

// ---- v1 memory.limit_in_bytes and memory.stat ----

// With limit_in_bytes unusable, hierarchical_memory_limit (2147483648) in memory.stat still holds.
TEST_F(Malformed, LimitInBytesFallsBackToHierarchical) {
  copy_fixture("docker-v1-host-ns");
  const std::string rel = "sys/fs/cgroup/memory/memory.limit_in_bytes";
  std::vector<Bad> cases = bad_numbers("2147483648");
  cases.push_back({"2^62", "4611686018427387904\n"});
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.label);
    apply(rel, bad);
    auto l = limits();
    EXPECT_TRUE(l->memory.has_limit);
    EXPECT_EQ(l->memory.limit, 2147483648u);
    EXPECT_EQ(l->memory.limit_source.file.view(),
              "/sys/fs/cgroup/memory/memory.stat:hierarchical_memory_limit");
    Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
    EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), 2097152);
    EXPECT_EQ(meminfo_kb(r.text, "MemFree"), 1572864);
  }
}

TEST_F(Malformed, LimitInBytesWithoutNewlineStillParses) {
  copy_fixture("docker-v1-host-ns");
  write("sys/fs/cgroup/memory/memory.limit_in_bytes", "1073741824");
  auto l = limits();
  EXPECT_EQ(l->memory.limit, 1073741824u);
  EXPECT_EQ(l->memory.limit_source.file.view(), "/sys/fs/cgroup/memory/memory.limit_in_bytes");
}

// Both v1 sources unusable: no limit at all.
TEST_F(Malformed, V1LimitAndStatBothBad) {
  copy_fixture("docker-v1-host-ns");
  write("sys/fs/cgroup/memory/memory.stat", "garbage\n");
  for (const Bad& bad : bad_numbers("2147483648")) {
    SCOPED_TRACE(bad.label);
    apply("sys/fs/cgroup/memory/memory.limit_in_bytes", bad);
    expect_meminfo_passthrough();
  }
}

// v1 limits at or above the host's memory are no limits: a 32 GiB limit on
// a 16 GB host, or a 32-bit kernel's "unlimited" (2^31 - 1 pages of 4 KiB,
// below cgview's 2^62). The memsw limit beside them then leaves the host's
// swap: memory in use stops at the host's MemTotal, so up to memsw - MemTotal
// of swap can be used, more than the host has. Before, the allowance was
// memsw - L: 1 GiB in the first case, no swap at all in the second.
TEST_F(Malformed, V1LimitsAboveTheHostKeepTheHostsSwap) {
  for (auto [limit, memsw] : {std::pair<std::string, std::string>{"34359738368", "35433480192"},
                              {"8796093018112", "8796093018112"}}) {
    SCOPED_TRACE(limit);
    copy_fixture("docker-v1-host-ns");
    const std::string dir = "sys/fs/cgroup/memory/";
    write(dir + "memory.limit_in_bytes", limit + "\n");
    write(dir + "memory.memsw.limit_in_bytes", memsw + "\n");
    std::string stat = read(dir + "memory.stat");
    for (auto [key, value] : {std::pair<std::string, std::string>{"hierarchical_memory_limit ", limit},
                              {"hierarchical_memsw_limit ", memsw}}) {
      size_t at = stat.find(key) + key.size();
      stat.replace(at, stat.find('\n', at) - at, value);
    }
    write(dir + "memory.stat", stat);
    EXPECT_TRUE(limits()->memory.has_swap_allowance);
    expect_meminfo_passthrough();
  }
}

// SwapFree is never above the host's: the swap other containers use is not free here.
TEST_F(Malformed, SwapFreeIsAtMostTheHosts) {
  copy_fixture("docker-v2-private-ns");  // swap.max 512 MiB, swap.current 10 MiB
  std::string host = read("proc/meminfo");
  size_t at = host.find("SwapFree:");
  host.replace(at, host.find('\n', at) - at, "SwapFree:         102400 kB");
  write("proc/meminfo", host);
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *limits());
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), 524288);
  EXPECT_EQ(meminfo_kb(r.text, "SwapFree"), 102400);
  // Without a SwapFree line, the host's swap reads as all free, as sysinfo would not say less.
  host.erase(at, host.find('\n', at) + 1 - at);
  write("proc/meminfo", host);
  r = render_to_string(VirtualFile::Meminfo, config(), *limits());
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), 524288);
}

// The swap in use unreadable (its file missing, empty, malformed): no swap
// view, the host's swap lines and /proc/swaps, never a SwapFree made of no
// swap used. The memory lines stay the container's. An allowance of none
// needs no usage.
TEST_F(Malformed, SwapInUseUnreadableGivesTheHostsSwapLines) {
  struct Layout {
    const char* fixture;
    const char* swap_used;
  };
  for (Layout layout : {Layout{"docker-v2-private-ns", "sys/fs/cgroup/memory.swap.current"},
                        Layout{"docker-v1-host-ns", "sys/fs/cgroup/memory/memory.memsw.usage_in_bytes"}}) {
    for (const Bad& bad : bad_numbers("10485760")) {
      SCOPED_TRACE(std::string(layout.fixture) + ": " + bad.label);
      copy_fixture(layout.fixture);
      const std::string host = read("proc/meminfo");
      apply(layout.swap_used, bad);
      auto l = limits();
      ASSERT_TRUE(l->memory.has_limit);
      ASSERT_TRUE(l->memory.has_swap_allowance);
      Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
      ASSERT_TRUE(r.ok);
      EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), meminfo_kb(host, "SwapTotal"));
      EXPECT_EQ(meminfo_kb(r.text, "SwapFree"), meminfo_kb(host, "SwapFree"));
      EXPECT_LT(meminfo_kb(r.text, "MemTotal"), meminfo_kb(host, "MemTotal"));  // the container's
      EXPECT_FALSE(render_to_string(VirtualFile::Swaps, config(), *l).ok);     // the host's file
    }
  }
  copy_fixture("docker-v2-private-ns");
  write("sys/fs/cgroup/memory.swap.max", "0\n");
  std::filesystem::remove(path("sys/fs/cgroup/memory.swap.current"));
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *limits());
  EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), 0);
  EXPECT_EQ(meminfo_kb(r.text, "SwapFree"), 0);
}

std::vector<Bad> bad_stat_files() {
  return {
      {"empty", ""},
      {"garbage", "garbage\nmore garbage here\n"},
      {"nul bytes", std::string(64, '\0')},
      {"negative values", "file -5\nactive_file -1\ninactive_file -2\ntotal_cache -5\n"},
      {"above 2^64", "file 18446744073709551616\ntotal_cache 18446744073709551616\n"},
      {"long line", std::string(100 * 1024, 'x') + "\n"},
      {"missing", "", true},
  };
}

// memory.stat unreadable: the memory view cannot be formed, so meminfo is the host's
// (docs/design.md rule 9); the limit itself (from memory.max) is unaffected.
TEST_F(Malformed, MemoryStatV2) {
  copy_fixture("docker-v2-private-ns");
  for (const Bad& bad : bad_stat_files()) {
    SCOPED_TRACE(bad.label);
    apply("sys/fs/cgroup/memory.stat", bad);
    expect_meminfo_passthrough(true);
    EXPECT_EQ(limits()->memory.limit, 1073741824u);
  }
}

TEST_F(Malformed, MemoryStatV1) {
  copy_fixture("docker-v1-host-ns");
  for (const Bad& bad : bad_stat_files()) {
    SCOPED_TRACE(bad.label);
    apply("sys/fs/cgroup/memory/memory.stat", bad);
    expect_meminfo_passthrough(true);
    auto l = limits();
    EXPECT_EQ(l->memory.limit, 2147483648u);  // from memory.limit_in_bytes
    EXPECT_EQ(l->memory.limit_source.file.view(), "/sys/fs/cgroup/memory/memory.limit_in_bytes");
  }
}

TEST_F(Malformed, MemoryStatWithoutNewlineStillParses) {
  copy_fixture("docker-v2-private-ns");
  std::string stat = read("sys/fs/cgroup/memory.stat");
  ASSERT_EQ(stat.back(), '\n');
  stat.pop_back();
  write("sys/fs/cgroup/memory.stat", stat);
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *limits());
  EXPECT_EQ(meminfo_kb(r.text, "MemAvailable"), 843776);
  EXPECT_EQ(meminfo_kb(r.text, "Cached"), 102400);
}

// Only one key present: the rest of the stat lines stay the host's.
TEST_F(Malformed, MemoryStatPartial) {
  copy_fixture("docker-v2-private-ns");
  write("sys/fs/cgroup/memory.stat", "file 104857600\n");
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *limits());
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), 1048576);
  EXPECT_EQ(meminfo_kb(r.text, "MemFree"), 741376);
  EXPECT_EQ(meminfo_kb(r.text, "MemAvailable"), 741376);  // nothing reclaimable known
  EXPECT_EQ(meminfo_kb(r.text, "Cached"), 102400);
}

// ---- usage files ----

TEST_F(Malformed, MemoryCurrent) {
  copy_fixture("docker-v2-private-ns");
  for (const Bad& bad : bad_numbers("314572800")) {
    SCOPED_TRACE(bad.label);
    apply("sys/fs/cgroup/memory.current", bad);
    // A missing usage file means no memory controller here (nor above): no limit at all.
    expect_meminfo_passthrough(!bad.missing);
  }
  write("sys/fs/cgroup/memory.current", "314572800");
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *limits());
  EXPECT_EQ(meminfo_kb(r.text, "MemFree"), 741376);
}

TEST_F(Malformed, V1UsageInBytes) {
  copy_fixture("docker-v1-host-ns");
  for (const Bad& bad : bad_numbers("536870912")) {
    SCOPED_TRACE(bad.label);
    apply("sys/fs/cgroup/memory/memory.usage_in_bytes", bad);
    // A missing usage file means no memory controller here (nor above): no limit at all.
    expect_meminfo_passthrough(!bad.missing);
  }
}

// A usage file that is there but cannot be opened (mode 000 for another
// user; here a symlink loop, which fails for root too) keeps the memory
// cgroup where it is: only a missing file sends the search to an ancestor,
// whose figures (its usage counts its other children too) would pass for the
// container's. The view is then the host's.
TEST_F(Malformed, AnUnopenableUsageFileIsNotAMissingOne) {
  copy_fixture("memory-on-parent");  // worker/inner has no memory files: worker's are used
  EXPECT_EQ(limits()->cgroups.of(Controller::Memory).path.view(), "/sys/fs/cgroup/worker");
  std::filesystem::create_symlink("memory.current", path("sys/fs/cgroup/worker/inner/memory.current"));
  auto l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Memory).path.view(), "/sys/fs/cgroup/worker/inner");
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
  if (r.ok) {  // else the shim serves the real file
    EXPECT_EQ(r.text, read("proc/meminfo"));
  }
  // The same one level up: the search stops at worker, not at the root.
  std::filesystem::remove(path("sys/fs/cgroup/worker/inner/memory.current"));
  std::filesystem::remove(path("sys/fs/cgroup/worker/memory.current"));
  std::filesystem::create_symlink("memory.current", path("sys/fs/cgroup/worker/memory.current"));
  EXPECT_EQ(limits()->cgroups.of(Controller::Memory).path.view(), "/sys/fs/cgroup/worker");
}

// ---- cpuset files ----

std::vector<Bad> bad_cpu_lists() {
  return {
      {"empty", ""},
      {"garbage", "garbage\n"},
      {"nul bytes", "\0\0\0\n"s},
      {"nul inside", "2-3\0,6\n"s},
      {"negative", "-2-3\n"},
      {"reversed", "6-2\n"},
      {"above 2^64", "18446744073709551616\n"},
      {"above NR_CPUS", "2-3,8192\n"},
      {"trailing comma", "2-3,6,\n"},
      {"long line", std::string(100 * 1024, '0') + "2\n"},
      {"missing", "", true},
  };
}

// Both v1 cpuset files unusable: A = the online CPUs (0-7); quota 2.5 -> N 3, V 0-2.
TEST_F(Malformed, CpusetV1) {
  copy_fixture("v1-cpuset-quota");
  for (const Bad& bad : bad_cpu_lists()) {
    SCOPED_TRACE(bad.label);
    apply("sys/fs/cgroup/cpuset/cpuset.effective_cpus", bad);
    apply("sys/fs/cgroup/cpuset/cpuset.cpus", bad);
    auto l = limits();
    EXPECT_FALSE(l->cpu.has_cpuset);
    EXPECT_EQ(cpu_list(l->cpu.affinity), "0-7");
    EXPECT_EQ(l->cpu.count, 3u);
    EXPECT_EQ(cpu_list(l->cpu.visible), "0-2");
  }
}

// effective_cpus unusable, cpuset.cpus fine: the configured list is used.
TEST_F(Malformed, CpusetV1FallsBackToCpus) {
  copy_fixture("v1-cpuset-quota");
  write("sys/fs/cgroup/cpuset/cpuset.effective_cpus", "garbage\n");
  auto l = limits();
  EXPECT_EQ(cpu_list(l->cpu.visible), "2-3,6");
  EXPECT_EQ(l->cpu.cpuset_source.file.view(), "/sys/fs/cgroup/cpuset/cpuset.cpus");
}

TEST_F(Malformed, CpusetWithoutNewlineStillParses) {
  copy_fixture("v1-cpuset-quota");
  write("sys/fs/cgroup/cpuset/cpuset.effective_cpus", "4-5");
  auto l = limits();
  EXPECT_EQ(l->cpu.count, 2u);
  EXPECT_EQ(cpu_list(l->cpu.visible), "4-5");
}

TEST_F(Malformed, CpusetV2) {
  copy_fixture("docker-v2-private-ns");
  for (const Bad& bad : bad_cpu_lists()) {
    SCOPED_TRACE(bad.label);
    apply("sys/fs/cgroup/cpuset.cpus.effective", bad);
    auto l = limits();
    EXPECT_EQ(cpu_list(l->cpu.affinity), "0-7");
    EXPECT_EQ(l->cpu.count, 2u);
    EXPECT_EQ(cpu_list(l->cpu.visible), "0-1");
  }
}

// A v2 parent that keeps the cpuset controller from its children: the leaf
// has no cpuset files; the parent's effective CPUs are its own, and are
// named as the cpuset (under a sysroot they also make A).
TEST_F(Malformed, CpusetV2OnlyAtAnAncestor) {
  copy_fixture("sub-cgroup");
  remove("sys/fs/cgroup/worker/inner/cpuset.cpus");
  remove("sys/fs/cgroup/worker/inner/cpuset.cpus.effective");
  write("sys/fs/cgroup/worker/cpuset.cpus.effective", "1-2\n");
  auto l = limits();
  EXPECT_TRUE(l->cpu.has_cpuset);
  EXPECT_EQ(l->cpu.cpuset_source.file.view(), "/sys/fs/cgroup/worker/cpuset.cpus.effective");
  EXPECT_EQ(cpu_list(l->cpu.affinity), "1-2");
  EXPECT_EQ(l->cpu.cpuset_count, 2u);
}

// A cpuset with no online CPU in it: no CPU view at all (every answer real).
TEST_F(Malformed, CpusetOutsideOnline) {
  copy_fixture("v1-cpuset-quota");
  write("sys/fs/cgroup/cpuset/cpuset.effective_cpus", "8-9\n");
  limits(false);
}

// ---- /sys/devices/system/cpu/online ----

TEST_F(Malformed, CpuOnline) {
  copy_fixture("docker-v2-private-ns");
  std::vector<Bad> cases = bad_cpu_lists();
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.label);
    apply("sys/devices/system/cpu/online", bad);
    limits(false);
  }
  write("sys/devices/system/cpu/online", "0-7");  // no newline
  auto l = limits();
  EXPECT_EQ(l->cpu.count, 2u);
}

// NUMA node files (the fixture has one node, 0, and V = 0-1 of 0-7): a
// node list or mask, node/online, or a node meminfo the kernel could not
// have written leaves the host's file.
TEST_F(Malformed, NodeFiles) {
  copy_fixture("docker-v2-private-ns");
  const VirtualFile list = cpu_file({CpuFile::NodeCpuList, 0, 0}), map = cpu_file({CpuFile::NodeCpuMap, 0, 0}),
                    mem = cpu_file({CpuFile::NodeMeminfo, 0, 0});
  write("sys/devices/system/node/node0/cpulist", "0-7\n");
  write("sys/devices/system/node/node0/cpumap", "ff\n");
  EXPECT_EQ(render_to_string(list, config(), *limits()).text, "0-1\n");
  EXPECT_EQ(render_to_string(map, config(), *limits()).text, "03\n");
  ASSERT_TRUE(render_to_string(mem, config(), *limits()).ok);
  for (const Bad& bad : bad_cpu_lists()) {
    if (std::string_view(bad.label) == "empty") continue;  // a node without CPUs
    SCOPED_TRACE(bad.label);
    apply("sys/devices/system/node/node0/cpulist", bad);
    EXPECT_FALSE(render_to_string(list, config(), *limits()).ok);
    apply("sys/devices/system/node/node0/cpumap", bad);
    if (!bad.missing) write("sys/devices/system/node/node0/cpumap", "zz," + std::string(bad.bytes));
    EXPECT_FALSE(render_to_string(map, config(), *limits()).ok);
    apply("sys/devices/system/node/online", bad);
    EXPECT_FALSE(render_to_string(mem, config(), *limits()).ok);
  }
  write("sys/devices/system/node/online", "0\n");
  const std::string node = read("sys/devices/system/node/node0/meminfo");
  for (const char* total : {"Node 0 MemTotal:  99999999999999999999 kB\n", "Node 0 MemTotal: -5 kB\n",
                            "Node 0 MemTotal: 5 MB\n", "Node 0 MemTotal:\n", "Node 0 MemTotal 12 kB\n", ""}) {
    SCOPED_TRACE(total);
    std::string text = node;
    text.replace(0, text.find('\n') + 1, total);
    write("sys/devices/system/node/node0/meminfo", text);
    EXPECT_FALSE(render_to_string(mem, config(), *limits()).ok);
  }
  write("sys/devices/system/node/node0/meminfo", std::string(5000, 'x'));  // more than a page
  EXPECT_FALSE(render_to_string(mem, config(), *limits()).ok);
}

// /sys/devices/system/cpu/offline: the host's off-line CPUs and its online
// ones outside V (quota 1.5 of 0-7: V 0-1); any list the kernel could not
// have written, or none, leaves the host's file. The kernel writes a leading
// comma before CPUs at or above nr_cpu_ids when none below is off line.
TEST_F(Malformed, CpuOffline) {
  copy_fixture("docker-v2-private-ns");
  const std::string rel = "sys/devices/system/cpu/offline";
  write(rel, "\n");
  EXPECT_EQ(render_to_string(VirtualFile::CpuOffline, config(), *limits()).text, "2-7\n");
  write(rel, "8-15\n");  // possible CPUs never brought online
  EXPECT_EQ(render_to_string(VirtualFile::CpuOffline, config(), *limits()).text, "2-15\n");
  // CPUs at or above nr_cpu_ids, none off line below it: the kernel's comma first.
  write(rel, ",16-31\n");
  EXPECT_EQ(render_to_string(VirtualFile::CpuOffline, config(), *limits()).text, "2-7,16-31\n");
  write(rel, ",8\n");
  EXPECT_EQ(render_to_string(VirtualFile::CpuOffline, config(), *limits()).text, "2-8\n");
  for (const char* odd : {",\n", ",,16-31\n", ",-3\n"}) {
    SCOPED_TRACE(odd);
    write(rel, odd);
    EXPECT_FALSE(render_to_string(VirtualFile::CpuOffline, config(), *limits()).ok);
  }
  for (const Bad& bad : bad_cpu_lists()) {
    if (std::string_view(bad.label) == "empty") continue;  // no ids: the same as "\n"
    SCOPED_TRACE(bad.label);
    apply(rel, bad);
    EXPECT_FALSE(render_to_string(VirtualFile::CpuOffline, config(), *limits()).ok);
  }
  // Nothing hidden: the host's file byte for byte.
  copy_fixture("no-limits");
  write(rel, "\n");
  EXPECT_EQ(render_to_string(VirtualFile::CpuOffline, config(), *limits()).text, "\n");
}

TEST_F(Malformed, CpuOnlineMissing) {
  copy_fixture("no-limits");
  remove("sys/devices/system/cpu/online");
  limits(false);
}

// The file gone after the view was formed (within its half second a process
// chroots away from /sys, or unmounts it): not served, so the real open's
// error is the answer, as for the files rendered from the host's.
TEST_F(Malformed, CpuOnlineGoneAfterTheViewWasFormed) {
  copy_fixture("no-limits");
  auto l = limits();
  ASSERT_TRUE(render_to_string(VirtualFile::CpuOnline, config(), *l).ok);
  remove("sys/devices/system/cpu/online");
  EXPECT_FALSE(render_to_string(VirtualFile::CpuOnline, config(), *l).ok);
}

// ---- /proc/self/mountinfo and /proc/self/cgroup ----

// A process whose main thread has exited: the kernel gives /proc/self no
// mountinfo (the open fails) and shows v1's root cgroups; the asking thread's
// /proc/thread-self files describe the process, and give the same view.
TEST_F(Malformed, AnExitedMainThreadsFilesAreReadFromThreadSelf) {
  copy_fixture("docker-v1-host-ns");
  auto expected = limits();
  ASSERT_TRUE(expected->memory.has_limit);
  std::string mountinfo = read("proc/self/mountinfo"), cgroup = read("proc/self/cgroup");
  remove("proc/self/mountinfo");
  write("proc/self/cgroup", "4:memory:/\n3:cpuset:/\n2:cpu,cpuacct:/\n0::/\n");
  write("proc/thread-self/mountinfo", mountinfo);
  write("proc/thread-self/cgroup", cgroup);
  auto l = limits();
  EXPECT_TRUE(l->memory.has_limit);
  EXPECT_EQ(l->memory.limit, expected->memory.limit);
  EXPECT_EQ(l->cpu.count, expected->cpu.count);
  EXPECT_EQ(l->cgroups.of(Controller::Memory).path.view(), expected->cgroups.of(Controller::Memory).path.view());
}

void expect_no_cgroups(const Limits& l) {
  for (Controller c : {Controller::Cpu, Controller::Cpuacct, Controller::Cpuset, Controller::Memory})
    EXPECT_FALSE(l.cgroups.of(c).found) << controller_name(c);
  EXPECT_FALSE(l.cpu.has_quota);
  EXPECT_FALSE(l.memory.has_limit);
  EXPECT_EQ(l.cpu.count, 8u);
}

std::vector<Bad> bad_line_files() {
  return {
      {"empty", ""},
      {"newline only", "\n\n"},
      {"garbage", "garbage\nmore: garbage: here\n"},
      {"nul bytes", std::string(200, '\0')},
      {"long line", std::string(100 * 1024, 'x') + "\n"},
      {"long line, no newline", std::string(100 * 1024, 'x')},
      {"missing", "", true},
  };
}

TEST_F(Malformed, Mountinfo) {
  copy_fixture("docker-v2-private-ns");
  std::vector<Bad> cases = bad_line_files();
  cases.push_back({"cgroup line without separator",
                   "1113 1112 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime cgroup2 cgroup rw\n"});
  cases.push_back({"nul in fstype", "1113 1112 0:30 / /sys/fs/cgroup rw - cgroup\0 cgroup rw\n"s});
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.label);
    apply("proc/self/mountinfo", bad);
    auto l = limits();
    expect_no_cgroups(*l);
    expect_meminfo_passthrough();
  }
}

TEST_F(Malformed, MountinfoWithoutNewlineStillParses) {
  copy_fixture("docker-v2-private-ns");
  write("proc/self/mountinfo",
        "1113 1112 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate");
  auto l = limits();
  EXPECT_TRUE(l->cgroups.of(Controller::Memory).found);
  EXPECT_EQ(l->cpu.count, 2u);
  EXPECT_EQ(l->memory.limit, 1073741824u);
}

// A line longer than the reader's buffer is skipped whole; its tail is not a new line.
TEST_F(Malformed, MountinfoLongLineSkipped) {
  copy_fixture("docker-v2-private-ns");
  std::string real = read("proc/self/mountinfo");
  // The long line's tail looks like a cgroup2 mount of another directory.
  std::string decoy = "9 9 0:9 " + std::string(100 * 1024, 'a') +
                      "\n";
  std::string tail_decoy = std::string(100 * 1024, 'b') + " 9 9 0:9 / /sys/fs/cgroup/decoy rw - cgroup2 cgroup rw\n";
  write("proc/self/mountinfo", decoy + tail_decoy + real);
  auto l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Memory).path.view(), "/sys/fs/cgroup");
  EXPECT_EQ(l->cpu.count, 2u);
}

// A cgroup mount made over another one at the same mount point hides it: the
// later line in mountinfo is what the path shows. Here the later mount shows
// the hierarchy's root, so the container's files sit under docker/<id>.
TEST_F(Malformed, LaterMountOnTheSameMountPointWins) {
  copy_fixture("docker-v1-host-ns");
  const std::string id = "4f2a9c1e7b3d5a6f8e0c2b4d6a8f1e3c5b7d9f0a2c4e6b8d1f3a5c7e9b0d2f4a";
  const std::string inner = "sys/fs/cgroup/memory/docker/" + id;
  std::filesystem::create_directories(path(inner));
  for (const auto& entry : std::filesystem::directory_iterator(path("sys/fs/cgroup/memory"))) {
    if (entry.is_regular_file())
      std::filesystem::rename(entry.path(), path(inner) + "/" + entry.path().filename().string());
  }
  write("proc/self/mountinfo", read("proc/self/mountinfo") +
                                   "1201 1122 0:38 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n");
  auto l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Memory).path.view(), "/sys/fs/cgroup/memory/docker/" + id);
  EXPECT_EQ(l->memory.limit, 2147483648u);
}

// A later mount on the same point with other controllers still hides the
// earlier one for the controllers it held: they are not found at all.
TEST_F(Malformed, AMountOverAnotherHidesAllItsControllers) {
  copy_fixture("docker-v1-host-ns");
  write("proc/self/mountinfo", read("proc/self/mountinfo") +
                                   "1201 1122 0:39 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,pids\n");
  auto l = limits();
  EXPECT_FALSE(l->cgroups.of(Controller::Memory).found);
  EXPECT_FALSE(l->memory.has_limit);
  EXPECT_TRUE(l->cgroups.of(Controller::Cpu).found);  // elsewhere: untouched
}

TEST_F(Malformed, ProcSelfCgroup) {
  copy_fixture("docker-v2-private-ns");
  std::vector<Bad> cases = bad_line_files();
  cases.push_back({"relative path", "0::relative\n"});
  cases.push_back({"no id", "::/\n"});
  cases.push_back({"nul in path", "0::\0/\n"s});
  cases.push_back({"path too long", "0::/" + std::string(100 * 1024, 'p') + "\n"});
  cases.push_back({"path just over PathText", "0::/" + std::string(600, 'p') + "\n"});
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.label);
    apply("proc/self/cgroup", bad);
    auto l = limits();
    expect_no_cgroups(*l);
    expect_meminfo_passthrough();
  }
}

TEST_F(Malformed, ProcSelfCgroupWithoutNewlineStillParses) {
  copy_fixture("docker-v2-private-ns");
  write("proc/self/cgroup", "0::/");
  auto l = limits();
  EXPECT_TRUE(l->cgroups.of(Controller::Cpu).found);
  EXPECT_EQ(l->cpu.count, 2u);
}

TEST_F(Malformed, ProcSelfCgroupLongLineSkipped) {
  copy_fixture("docker-v2-private-ns");
  write("proc/self/cgroup", std::string(100 * 1024, 'z') + "\n0::/\n");
  auto l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Cpu).path.view(), "/sys/fs/cgroup");
  EXPECT_EQ(l->cpu.count, 2u);
}

// A path into a directory that does not exist: no files, so no limits.
TEST_F(Malformed, ProcSelfCgroupUnknownDirectory) {
  copy_fixture("docker-v2-private-ns");
  write("proc/self/cgroup", "0::/not/there\n");
  auto l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Cpu).path.view(), "/sys/fs/cgroup/not/there");
  // The walks reach the mount point, whose cpu.max and memory.max still apply,
  // but there is no usage in the process's own directory, so meminfo is the host's.
  EXPECT_TRUE(l->cpu.has_quota);
  EXPECT_EQ(l->cpu.count, 2u);
  EXPECT_EQ(l->memory.limit, 1073741824u);
  // Memory figures come from the nearest directory with the memory files: the
  // mount point's, as for a cgroup whose parent did not pass +memory down.
  EXPECT_EQ(l->cgroups.of(Controller::Memory).path.view(), "/sys/fs/cgroup");
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
  EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), 1048576);
  EXPECT_EQ(meminfo_kb(r.text, "MemFree"), 741376);
}

// A cgroup's name may end in a blank: the path is taken as the kernel wrote
// it, not trimmed into its neighbour's name.
TEST_F(Malformed, ACgroupNameEndingInABlankIsItsOwn) {
  copy_fixture("docker-v2-private-ns");
  write("proc/self/cgroup", "0::/a \n");
  write("sys/fs/cgroup/a /cpu.max", "100000 100000\n");
  write("sys/fs/cgroup/a/cpu.max", "400000 100000\n");
  auto l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Cpu).path.view(), "/sys/fs/cgroup/a ");
  EXPECT_EQ(l->cpu.count, 1u);
}

// ---- /proc/meminfo ----

TEST_F(Malformed, Meminfo) {
  copy_fixture("docker-v2-private-ns");
  const std::string host = read("proc/meminfo");
  std::vector<Bad> cases = {
      {"empty", ""},
      {"garbage", "garbage\nmore garbage\n"},
      {"nul bytes", std::string(300, '\0')},
      {"nul in MemTotal", "MemTotal:\0 16384000 kB\n"s + host.substr(host.find('\n') + 1)},
      {"negative MemTotal", "MemTotal:       -16384000 kB\n" + host.substr(host.find('\n') + 1)},
      {"MemTotal above 2^64", "MemTotal:       18446744073709551616 kB\n" + host.substr(host.find('\n') + 1)},
      {"MemTotal above 2^54 kB", "MemTotal:       18446744073709551 kB\n" + host.substr(host.find('\n') + 1)},
      {"zero MemTotal", "MemTotal:              0 kB\n" + host.substr(host.find('\n') + 1)},
      {"no MemTotal", host.substr(host.find('\n') + 1)},
      {"long line", host + std::string(100 * 1024, 'm') + "\n"},
      {"missing", "", true},
  };
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.label);
    apply("proc/meminfo", bad);
    auto l = limits();
    EXPECT_EQ(l->cpu.count, 2u);  // the CPU view does not depend on meminfo
    Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
    if (r.ok) {
      EXPECT_EQ(r.text, read("proc/meminfo"));
    }
  }
}

TEST_F(Malformed, MeminfoWithoutNewlineStillParses) {
  copy_fixture("docker-v2-private-ns");
  std::string host = read("proc/meminfo");
  host.pop_back();
  write("proc/meminfo", host);
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *limits());
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), 1048576);
  EXPECT_EQ(meminfo_kb(r.text, "SwapFree"), 514048);
  EXPECT_EQ(split_lines(r.text).back(), split_lines(host).back());
  EXPECT_EQ(r.text.back(), 'B');  // as the host's file, no newline added
}

// ---- /proc/stat inputs ----

TEST_F(Malformed, StatLongLinesPassThrough) {
  copy_fixture("docker-v2-private-ns");
  std::string host = read("proc/stat");
  std::string intr = "intr 1" + std::string(100 * 1024, '0');
  size_t at = host.find("intr ");
  size_t end = host.find('\n', at);
  host.replace(at, end - at, intr);
  write("proc/stat", host);
  Rendered r = render_to_string(VirtualFile::Stat, config(), *limits());
  ASSERT_TRUE(r.ok);
  std::vector<std::string> lines = split_lines(r.text);
  ASSERT_EQ(lines.size(), 10u);  // cpu, cpu0, cpu1, intr, ctxt, btime, processes, running, blocked, softirq
  EXPECT_EQ(lines[0], "cpu  3374 0 1446 2464514 0 0 0 0 0 0");
  EXPECT_EQ(lines[3], intr);
  EXPECT_EQ(lines[4].substr(0, 5), "ctxt ");
}

// Without cgroup CPU time the host's lines for V are kept (ids V only).
TEST_F(Malformed, CpuStatUnreadable) {
  copy_fixture("docker-v2-private-ns");
  const std::string host = read("proc/stat");
  std::vector<Bad> cases = {
      {"empty", ""}, {"garbage", "garbage\n"}, {"no system_usec", "user_usec 5\n"}, {"missing", "", true}};
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.label);
    apply("sys/fs/cgroup/cpu.stat", bad);
    Rendered r = render_to_string(VirtualFile::Stat, config(), *limits());
    ASSERT_TRUE(r.ok);
    std::vector<std::string> got = split_lines(r.text), want = split_lines(host);
    ASSERT_EQ(got.size(), want.size() - 6);  // cpu2..cpu7 dropped
    // The aggregate is the sum of the kept host lines cpu0 + cpu1, added by hand.
    EXPECT_EQ(got[0], "cpu  116526 1065 39418 2132756 1541 0 623 638 0 0");
    EXPECT_EQ(got[1], want[1]);  // cpu0, the host's
    EXPECT_EQ(got[2], want[2]);  // cpu1
    EXPECT_EQ(got[3], want[9]);  // intr
  }
}

// Older kernels print fewer fields per CPU line (8 before 2.6.24's guest, 9
// before 2.6.33's guest_nice): the lines written in place of the host's have
// as many as its own, with the view's figures or the kept lines' sum.
TEST_F(Malformed, StatLinesKeepTheKernelsFieldCount) {
  for (unsigned kept : {8u, 9u}) {
    SCOPED_TRACE(kept);
    copy_fixture("docker-v2-private-ns");
    std::string old_kernel;
    for (const std::string& line : split_lines(read("proc/stat"))) {
      std::vector<std::string> f = fields(line);
      std::string out = line;
      if (line.rfind("cpu", 0) == 0) {
        out = f[0] + (f[0] == "cpu" ? " " : "");
        for (unsigned k = 1; k <= kept; ++k) out += " " + f[k];
      }
      old_kernel += out + "\n";
    }
    write("proc/stat", old_kernel);
    // From the cgroup's CPU time, and (cpu.stat unreadable) the host's lines of V summed.
    for (bool with_usage : {true, false}) {
      if (!with_usage) apply("sys/fs/cgroup/cpu.stat", {"missing", "", true});
      Rendered r = render_to_string(VirtualFile::Stat, config(), *limits());
      ASSERT_TRUE(r.ok);
      std::vector<std::string> got = split_lines(r.text);
      for (size_t i = 0; i < 3; ++i) {
        ASSERT_EQ(got[i].rfind("cpu", 0), 0u) << got[i];
        EXPECT_EQ(fields(got[i]).size(), kept + 1) << got[i];
      }
      EXPECT_EQ(got[3].rfind("intr ", 0), 0u);
    }
  }
}

TEST_F(Malformed, UptimeUnreadable) {
  copy_fixture("docker-v2-private-ns");
  for (const Bad& bad : std::vector<Bad>{{"empty", ""}, {"garbage", "x y\n"}, {"negative", "-5.00 1.00\n"},
                                         {"missing", "", true}}) {
    SCOPED_TRACE(bad.label);
    apply("proc/uptime", bad);
    Rendered r = render_to_string(VirtualFile::Stat, config(), *limits());
    ASSERT_TRUE(r.ok);
    std::vector<std::string> got = split_lines(r.text);
    size_t cpu_lines = 0;
    for (const std::string& l : got) cpu_lines += l.rfind("cpu", 0) == 0;
    EXPECT_EQ(cpu_lines, 3u);
    EXPECT_EQ(got[1].substr(0, 5), "cpu0 ");
    EXPECT_EQ(got[2].substr(0, 5), "cpu1 ");
  }
}

// ---- /proc/cpuinfo layouts ----

// arm32 prints the board after the last block; it must survive the filter.
TEST_F(Malformed, CpuinfoTrailerAfterTheBlocksIsKept) {
  copy_fixture("fractional-1.4");  // V = 0-1
  std::string blocks;
  for (int cpu = 0; cpu < 4; ++cpu)
    blocks += "processor\t: " + std::to_string(cpu) + "\nmodel name\t: ARMv7 Processor rev 4 (v7l)\nBogoMIPS\t: 38.40\n\n";
  const std::string trailer = "Hardware\t: BCM2835\nRevision\t: a02082\nSerial\t\t: 00000000deadbeef\nModel\t\t: Raspberry Pi 3 Model B Rev 1.2\n";
  write("proc/cpuinfo", blocks + trailer);
  Rendered r = render_to_string(VirtualFile::Cpuinfo, config(), *limits());
  ASSERT_TRUE(r.ok);
  std::string expected;
  for (int cpu = 0; cpu < 2; ++cpu)
    expected += "processor\t: " + std::to_string(cpu) + "\nmodel name\t: ARMv7 Processor rev 4 (v7l)\nBogoMIPS\t: 38.40\n\n";
  EXPECT_EQ(r.text, expected + trailer);
}

// ---- /proc/cpuinfo with a line longer than the reader's buffer ----

TEST_F(Malformed, CpuinfoLongFlagsLine) {
  copy_fixture("docker-v2-private-ns");
  std::string host = read("proc/cpuinfo");
  const std::string long_flags = "flags\t\t: " + std::string(100 * 1024, 'f');
  // Replace the flags line of processor 0 (kept) and processor 5 (dropped).
  auto replace_flags_in_block = [&](unsigned id) {
    size_t block = host.find("processor\t: " + std::to_string(id) + "\n");
    ASSERT_NE(block, std::string::npos);
    size_t flags = host.find("flags\t\t:", block);
    size_t end = host.find('\n', flags);
    host.replace(flags, end - flags, long_flags);
  };
  replace_flags_in_block(0);
  replace_flags_in_block(5);
  write("proc/cpuinfo", host);
  Rendered r = render_to_string(VirtualFile::Cpuinfo, config(), *limits());
  ASSERT_TRUE(r.ok);
  size_t second = r.text.find("processor\t: 1\n");
  ASSERT_NE(second, std::string::npos);
  // Block 0 as the host's, but for siblings/cpu cores, which count V (CPUs 0
  // and 1: cores 0 and 1 of package 0).
  std::string block0 = host.substr(0, host.find("processor\t: 1\n"));
  block0.replace(block0.find("siblings\t: 8\n"), 13, "siblings\t: 2\n");
  block0.replace(block0.find("cpu cores\t: 4\n"), 14, "cpu cores\t: 2\n");
  EXPECT_EQ(r.text.substr(0, second), block0);
  EXPECT_EQ(r.text.find("processor\t: 5"), std::string::npos);
  EXPECT_EQ(r.text.size(), host.find("processor\t: 2\n"));  // exactly blocks 0 and 1 (8 -> 2, 4 -> 2: same widths)
}

// ---- found by the fuzzers (tests/fuzz) ----

// The host file's last line is one cgview rewrites and has no newline: the
// renderer once copied the rest of the text from a null pointer.
TEST_F(Malformed, MeminfoLastLineRewrittenWithoutNewline) {
  copy_fixture("docker-v2-private-ns");
  write("proc/meminfo", "HardwareCorrupted:  0 kB\nMemTotal:       16384000 kB");
  auto l = limits();
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, "HardwareCorrupted:  0 kB\nMemTotal:        1048576 kB\n");
}

// Huge cgroup numbers saturate instead of wrapping round to small ones.
TEST_F(Malformed, HugeReclaimableSaturates) {
  copy_fixture("docker-v2-private-ns");
  write("sys/fs/cgroup/memory.stat",
        "file 0\nactive_file 18446744073709551615\ninactive_file 18446744073709551615\nslab_reclaimable 5\n");
  auto l = limits();
  Rendered r = render_to_string(VirtualFile::Meminfo, config(), *l);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(meminfo_kb(r.text, "MemAvailable"), 1048576);  // capped at MemTotal, not wrapped
}

TEST_F(Malformed, HugeCpuTimeSaturates) {
  copy_fixture("docker-v2-private-ns");
  write("sys/fs/cgroup/cpu.stat", "usage_usec 1\nuser_usec 18446744073709551615\nsystem_usec 18446744073709551615\n");
  auto l = limits();
  Rendered r = render_to_string(VirtualFile::Stat, config(), *l);
  ASSERT_TRUE(r.ok);
  // busy saturates above capacity: idle 0, not a wrapped huge number.
  EXPECT_NE(r.text.find("\ncpu0 "), std::string::npos) << r.text;
  EXPECT_EQ(r.text.rfind("cpu  ", 0), 0u);
  std::istringstream first(r.text.substr(0, r.text.find('\n')));
  std::string name, user, nice, system, idle;
  first >> name >> user >> nice >> system >> idle;
  EXPECT_EQ(idle, "0");
}

// ---- a cgroup namespace without its own cgroup2 mount (`unshare -C`) ----

// No cgroup.procs below the mount lists the process, and the search looked
// everywhere: no cgroup of this mount is its own (the mount point here is the
// root cgroup, which limits nothing): the host's view.
TEST_F(Malformed, UnshareWithoutMountNotFoundIsNoCgroup) {
  copy_fixture("unshare-no-mount");
  write("proc/self/stat", "999 (sh) S 1 999 1\n");
  auto l = limits();
  EXPECT_FALSE(l->cgroups.of(Controller::Cpu).found);
  EXPECT_FALSE(l->cpu.has_quota);
  EXPECT_FALSE(l->memory.has_limit);
  expect_meminfo_passthrough(false);
}

// A namespace's own cgroup2 mount (`unshare -Cm` and a fresh mount, as
// runtimes make) whose root cgroup the process was then moved out of:
// /proc/self/cgroup says "/../b". The mount point is the old cgroup, with
// limits that no longer bind the process; searched through and not found
// there, the process gets the host's view, not those limits.
TEST_F(Malformed, MovedOutOfTheNamespacesRootIsNotItsLimits) {
  copy_fixture("unshare-no-mount");
  write("proc/self/mountinfo",
        "1113 1112 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate\n");
  write("proc/self/cgroup", "0::/../b\n");
  write("sys/fs/cgroup/cgroup.type", "domain\n");
  write("sys/fs/cgroup/cpu.max", "100000 100000\n");
  write("sys/fs/cgroup/memory.max", "209715200\n");
  write("sys/fs/cgroup/cgroup.procs", "");
  write("sys/fs/cgroup/worker/inner/cgroup.procs", "");
  auto l = limits();
  EXPECT_FALSE(l->cgroups.of(Controller::Cpu).found);
  EXPECT_FALSE(l->cpu.has_quota);
  EXPECT_FALSE(l->memory.has_limit);
  expect_meminfo_passthrough(false);
  // A path above the mount's root needs no pid to tell: still none.
  remove("proc/self/stat");
  l = limits();
  EXPECT_FALSE(l->cgroups.of(Controller::Cpu).found);
  EXPECT_FALSE(l->cpu.has_quota);
  // Without the pid, where the path could lie below the mount, the search
  // cannot tell: the mount point, as before.
  write("proc/self/cgroup", "0::/x/../y\n");
  l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Cpu).path.view(), "/sys/fs/cgroup");
}

// An unreadable pid: no search, the same fallback.
TEST_F(Malformed, UnshareWithoutMountUnknownPid) {
  copy_fixture("unshare-no-mount");
  const Bad bads[] = {{"empty", ""}, {"garbage", "garbage (sh) S\n"}, {"negative", "-4242 (sh)\n"},
                      {"long line", std::string(100 * 1024, '4') + "\n"}, {"missing", "", true}};
  for (const Bad& bad : bads) {
    SCOPED_TRACE(bad.label);
    apply("proc/self/stat", bad);
    auto l = limits();
    EXPECT_EQ(l->cgroups.of(Controller::Memory).found, false);
    EXPECT_FALSE(l->memory.has_limit);
  }
}

// Where mountinfo does not tell the depth (the mount's root names a cgroup
// the process is outside of), the search is bounded: a process deeper than
// kCgroupSearchDepth is not found.
TEST_F(Malformed, UnshareWithoutMountSearchIsBounded) {
  copy_fixture("unshare-no-mount");
  write("proc/self/mountinfo",
        "1113 1112 0:30 /elsewhere /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate\n");
  write("sys/fs/cgroup/worker/inner/cgroup.procs", "");
  std::string deep = "sys/fs/cgroup";
  for (int i = 0; i <= kCgroupSearchDepth; ++i) deep += "/d" + std::to_string(i);
  std::filesystem::create_directories(path(deep));
  write(deep + "/cgroup.procs", "4242\n");
  write(deep + "/cpu.max", "50000 100000\n");
  auto l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Cpu).path.view(), "/sys/fs/cgroup");
  EXPECT_FALSE(l->cpu.has_quota);
  // One level up is within reach.
  std::string shallower = deep.substr(0, deep.rfind('/'));
  write(shallower + "/cgroup.procs", "4242\n");
  l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Cpu).path.view(), "/" + shallower);
}

// Where it does ("/.." steps up to the mount's root: a host's /sys/fs/cgroup
// bind-mounted into a container with a private namespace, as kind nodes and
// systemd-in-docker run), the search looks at exactly that depth, deeper
// than the blind bound too, and a listing at another depth is not taken.
TEST_F(Malformed, UnshareWithoutMountSearchUsesTheDepthMountinfoGives) {
  copy_fixture("unshare-no-mount");
  std::string ups;
  for (int i = 0; i < kCgroupSearchDepth + 2; ++i) ups += "/..";
  write("proc/self/mountinfo",
        "1113 1112 0:30 " + ups + " /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate\n");
  write("sys/fs/cgroup/worker/inner/cgroup.procs", "4242\n");  // 2 deep: not where the process is
  std::string deep = "sys/fs/cgroup";
  for (int i = 0; i < kCgroupSearchDepth + 2; ++i) deep += "/k" + std::to_string(i);
  std::filesystem::create_directories(path(deep));
  write(deep + "/cgroup.procs", "4242\n");
  write(deep + "/cpu.max", "25000 100000\n");
  auto l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Cpu).path.view(), "/" + deep);
  EXPECT_TRUE(l->cpu.has_quota);
  // A sibling of the namespace's root ("/../other" in /proc/self/cgroup) is as deep.
  write("proc/self/cgroup", "0::/../k" + std::to_string(kCgroupSearchDepth + 1) + "b\n");
  std::string sibling = deep + "b";
  std::filesystem::create_directories(path(sibling));
  write(deep + "/cgroup.procs", "");
  write(sibling + "/cgroup.procs", "4242\n");
  l = limits();
  EXPECT_EQ(l->cgroups.of(Controller::Cpu).path.view(), "/" + sibling);
}

TEST(CgroupSearch, DepthBelowMount) {
  EXPECT_EQ(depth_below_mount("/..", "/"), 1);
  EXPECT_EQ(depth_below_mount("/../..", "/"), 2);
  EXPECT_EQ(depth_below_mount("/../../..", "/a/b"), 5);
  EXPECT_EQ(depth_below_mount("/../..", "/../sibling"), 2);
  EXPECT_EQ(depth_below_mount("/..", "/../../x"), kAboveMount);
  EXPECT_EQ(depth_below_mount("/", "/../b"), kAboveMount);  // moved out of a namespace's own mount
  EXPECT_EQ(depth_below_mount("/", "/a/../b"), 1);
  EXPECT_EQ(depth_below_mount("/docker/abc", "/"), -1);  // a named root: unknown
  EXPECT_EQ(depth_below_mount("/../x/..", "/"), -1);
}

// "Absent" only when the search looked everywhere the process could be;
// anything that kept it from looking makes the answer "Unknown" (and the
// mount point is used, as without a search).
class CgroupSearchCutShort : public CopiedFixture {
 protected:
  void SetUp() override { copy_fixture("no-cgroup"); }
  Listing search(int depth) {
    PathText out;
    return find_cgroup_listing(config().root, "/cg", 4242, depth, out);
  }
};

TEST_F(CgroupSearchCutShort, ALookedThroughTreeIsAbsent) {
  write("cg/a/cgroup.procs", "1\n");
  write("cg/a/b/cgroup.procs", "2\n");
  write("cg/cgroup.procs", "");
  EXPECT_EQ(search(-1), Listing::Absent);
  EXPECT_EQ(search(2), Listing::Absent);
  write("cg/a/b/cgroup.procs", "2\n4242\n");
  EXPECT_EQ(search(2), Listing::Found);
}

TEST_F(CgroupSearchCutShort, OutOfBudgetIsUnknown) {
  write("cg/cgroup.procs", "");
  for (int i = 0; i <= kCgroupSearchDirs; ++i) write("cg/d" + std::to_string(i) + "/cgroup.procs", "1\n");
  EXPECT_EQ(search(-1), Listing::Unknown);
  EXPECT_EQ(search(1), Listing::Unknown);
}

// A Kubernetes node at its default of 110 pods has about 500 cgroups (pods,
// their containers with the pause one, the system's services): searched
// through, not cut short.
TEST_F(CgroupSearchCutShort, ANodeOf600CgroupsIsSearchedThrough) {
  write("cg/cgroup.procs", "");
  for (int pod = 0; pod < 150; ++pod)
    for (const char* c : {"", "/pause", "/app", "/sidecar"})
      write("cg/pod" + std::to_string(pod) + c + "/cgroup.procs", "1\n");
  EXPECT_EQ(search(2), Listing::Absent);
  write("cg/pod77/app/cgroup.procs", "1\n4242\n");
  EXPECT_EQ(search(2), Listing::Found);
}

// A directory found is used again while it lists the process (each refresh
// reads its cgroup.procs, not the tree); once it does not, the tree is
// searched again.
TEST_F(CgroupSearchCutShort, AFoundDirectoryIsReusedWhileItListsTheProcess) {
  write("cg/cgroup.procs", "");
  write("cg/a/b/cgroup.procs", "4242\n");
  write("cg/a/c/cgroup.procs", "");
  PathText out;
  EXPECT_EQ(find_cgroup_listing(config().root, "/cg", 4242, 2, out), Listing::Found);
  EXPECT_EQ(out.view(), "/cg/a/b");
  // No search: one at depth 1 would find nothing there.
  EXPECT_EQ(find_cgroup_listing(config().root, "/cg", 4242, 1, out), Listing::Found);
  EXPECT_EQ(out.view(), "/cg/a/b");
  // Moved: searched again.
  write("cg/a/b/cgroup.procs", "");
  write("cg/a/c/cgroup.procs", "4242\n");
  EXPECT_EQ(find_cgroup_listing(config().root, "/cg", 4242, 2, out), Listing::Found);
  EXPECT_EQ(out.view(), "/cg/a/c");
  write("cg/a/c/cgroup.procs", "");
  EXPECT_EQ(find_cgroup_listing(config().root, "/cg", 4242, 2, out), Listing::Absent);
}

TEST_F(CgroupSearchCutShort, AnUnreadableListingIsUnknown) {
  write("cg/cgroup.procs", "");
  std::filesystem::create_directories(path("cg/a/cgroup.procs"));  // opens, but reads fail (EISDIR)
  EXPECT_EQ(search(-1), Listing::Unknown);
  EXPECT_EQ(search(1), Listing::Unknown);
}

TEST_F(CgroupSearchCutShort, APathTooLongIsUnknown) {
  write("cg/cgroup.procs", "");
  std::string deep = "cg/" + std::string(200, 'x') + "/" + std::string(200, 'y') + "/" + std::string(150, 'z');
  write(deep + "/cgroup.procs", "4242\n");
  EXPECT_EQ(search(3), Listing::Unknown);
  EXPECT_EQ(search(-1), Listing::Unknown);
}

TEST_F(CgroupSearchCutShort, APathAboveTheMountIsAbsentWithoutASearch) {
  // Not even a readable mount point: a path above the mount's root is never below it.
  PathText out;
  EXPECT_EQ(find_cgroup_listing(config().root, "/no-such-mount", 4242, kAboveMount, out), Listing::Absent);
}
