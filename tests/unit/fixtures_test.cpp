// Every fixture sysroot against the hand-computed values in tests/fixtures/EXPECTED.md:
// limits (N, V, quota, L, cgroup directories) and the four rendered files.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;

namespace {

constexpr const char* kV2 = "/sys/fs/cgroup";
constexpr const char* kV1Cpu = "/sys/fs/cgroup/cpu,cpuacct";
constexpr const char* kV1Cpuset = "/sys/fs/cgroup/cpuset";
constexpr const char* kV1Memory = "/sys/fs/cgroup/memory";
constexpr const char* kK8s =
    "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/"
    "cri-containerd-abcdef.scope";
constexpr const char* kInner = "/sys/fs/cgroup/worker/inner";
constexpr const char* kColon = "/sys/fs/cgroup/system.slice/system-getty.slice/getty@tty1.service/sub:with:colons";
constexpr const char* kHybridCpu = "/sys/fs/cgroup/cpu,cpuacct/user.slice/user-1000.slice/session-3.scope";
constexpr const char* kHybridMemory = "/sys/fs/cgroup/memory/user.slice/user-1000.slice/session-3.scope";

struct Meminfo {
  bool passthrough;
  uint64_t total, free, available, cached, swap_total, swap_free;  // kB
};
constexpr Meminfo kH4{true, 8145212, 5120448, 6610140, 1512380, 1048572, 1048572};
constexpr Meminfo kH8{true, 16384000, 9876544, 13081464, 3253728, 2097148, 2045948};

struct Case {
  const char* name;
  const char* online;  // the host's online list
  unsigned n;
  const char* visible;
  bool has_quota;
  bool has_limit;
  uint64_t limit;
  // Host paths (no sysroot prefix); nullptr = not found.
  const char* cpu_dir;
  const char* cpuacct_dir;
  const char* cpuset_dir;
  const char* memory_dir;
  Meminfo meminfo;
};

const Case kCases[] = {
    {"docker-v2-private-ns", "0-7", 2, "0-1", true, true, 1073741824, kV2, kV2, kV2, kV2,
     {false, 1048576, 741376, 843776, 102400, 524288, 514048}},
    {"k8s-pod-v2", "0-7", 2, "0-1", true, true, 536870912, kK8s, kK8s, kK8s, kK8s,
     {false, 524288, 299008, 369664, 71680, 2097148, 2045948}},
    {"docker-v1-host-ns", "0-7", 2, "0-1", true, true, 2147483648, kV1Cpu, kV1Cpu, kV1Cpuset, kV1Memory,
     {false, 2097152, 1572864, 1769472, 204800, 1048576, 1030144}},
    {"v1-cpuset-quota", "0-7", 3, "2-3,6", true, false, 0, kV1Cpu, kV1Cpu, kV1Cpuset, kV1Memory, kH8},
    {"v1-cpuset-small", "0-7", 2, "4-5", true, false, 0, kV1Cpu, kV1Cpu, kV1Cpuset, kV1Memory, kH8},
    {"hybrid", "0-3", 2, "0-1", true, true, 536870912, kHybridCpu, kHybridCpu, kV1Cpuset, kHybridMemory,
     {false, 524288, 319488, 368640, 51200, 1048572, 1048572}},
    {"no-limits", "0-3", 4, "0-3", false, false, 0, kV2, kV2, kV2, kV2, kH4},
    {"fractional-0.4", "0-3", 1, "0", true, false, 0, kV2, kV2, kV2, kV2, kH4},
    {"fractional-1.4", "0-3", 2, "0-1", true, false, 0, kV2, kV2, kV2, kV2, kH4},
    {"fractional-2.5", "0-3", 3, "0-2", true, false, 0, kV2, kV2, kV2, kV2, kH4},
    {"limit-above-host", "0-7", 8, "0-7", false, false, 0, kV2, kV2, kV2, kV2, kH8},
    {"systemd-colon", "0-7", 1, "0", true, true, 268435456, kColon, kColon, kColon, kColon,
     {false, 262144, 210944, 231424, 20480, 2097148, 2045948}},
    {"sub-cgroup", "0-3", 1, "0", true, true, 805306368, "/sys/fs/cgroup/worker/inner", "/sys/fs/cgroup/worker/inner",
     "/sys/fs/cgroup/worker/inner", "/sys/fs/cgroup/worker/inner",
     {false, 786432, 622592, 673792, 51200, 1048572, 1048572}},
    {"memory-on-parent", "0-3", 1, "0", true, true, 805306368, kInner, kInner, kInner, "/sys/fs/cgroup/worker",
     {false, 786432, 622592, 673792, 51200, 1048572, 1048572}},
    {"sibling-shares-limit", "0-3", 1, "0", true, true, 134217728, kInner, kInner, kInner, kInner,
     {false, 131072, 32768, 39936, 8192, 1048572, 1048572}},
    {"unshare-no-mount", "0-3", 1, "0", true, true, 805306368, kInner, kInner, kInner, kInner,
     {false, 786432, 622592, 673792, 51200, 1048572, 1048572}},
    {"outside-ns-root", "0-3", 2, "0-1", true, true, 1073741824, kV2, kV2, kV2, kV2,
     {false, 1048576, 638976, 770048, 131072, 1048572, 1048572}},
    {"no-cgroup", "0-3", 4, "0-3", false, false, 0, nullptr, nullptr, nullptr, nullptr, kH4},
    {"escaped-mountinfo", "0-3", 1, "0", true, true, 536870912, "/sys/fs/cgroup x", "/sys/fs/cgroup x",
     "/sys/fs/cgroup x", "/sys/fs/cgroup x", {false, 524288, 421888, 460800, 36864, 1048572, 1048572}},
    {"v1-double-mount", "0-3", 4, "0-3", false, true, 268435456, kV1Cpu, kV1Cpu, kV1Cpuset, kV1Memory,
     {false, 262144, 196608, 228352, 32768, 1048572, 1048572}},
    {"demo-64cpu", "0-63", 2, "0-1", true, true, 1073741824, kV2, kV2, kV2, kV2,
     {false, 1048576, 786432, 915456, 131072, 1048576, 1048576}},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class FixtureTest : public ::testing::TestWithParam<Case> {};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string s = info.param.name;
  for (char& c : s)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

void expect_dir(const Limits& limits, Controller c, const char* expected) {
  const CgroupDir& d = limits.cgroups.of(c);
  if (expected == nullptr) {
    EXPECT_FALSE(d.found) << controller_name(c) << " unexpectedly at " << d.path.view();
    return;
  }
  EXPECT_TRUE(d.found) << controller_name(c);
  EXPECT_EQ(d.path.view(), expected) << controller_name(c);
}

TEST_P(FixtureTest, Limits) {
  const Case& c = GetParam();
  bool ok = false;
  auto limits = limits_for(fixture_config(c.name), &ok);
  ASSERT_TRUE(ok);
  EXPECT_EQ(limits->cpu.count, c.n);
  EXPECT_EQ(cpu_list(limits->cpu.visible), c.visible);
  EXPECT_EQ(cpu_list(limits->cpu.online), c.online);
  EXPECT_EQ(limits->cpu.has_quota, c.has_quota);
  EXPECT_EQ(limits->memory.has_limit, c.has_limit);
  if (c.has_limit) {
    EXPECT_EQ(limits->memory.limit, c.limit);
  }
  expect_dir(*limits, Controller::Cpu, c.cpu_dir);
  expect_dir(*limits, Controller::Cpuacct, c.cpuacct_dir);
  expect_dir(*limits, Controller::Cpuset, c.cpuset_dir);
  expect_dir(*limits, Controller::Memory, c.memory_dir);
}

TEST_P(FixtureTest, CpuOnline) {
  const Case& c = GetParam();
  Config config = fixture_config(c.name);
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::CpuOnline, config, *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, std::string(c.visible) + "\n");
}

// The lines cgview may replace (docs/design.md, Memory); all others are the host's.
const std::set<std::string> kVirtualKeys = {
    "MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "Active", "Inactive",
    "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Shmem", "Mapped",
    "AnonPages", "Slab", "SReclaimable", "SUnreclaim", "KReclaimable", "Dirty", "Writeback", "Unevictable",
    "SwapTotal", "SwapFree", "SwapCached", "KernelStack", "PageTables", "SecPageTables", "AnonHugePages",
    "ShmemHugePages", "FileHugePages", "Percpu", "VmallocUsed", "Zswap", "Zswapped", "Mlocked", "ShmemPmdMapped",
    "FilePmdMapped"};

TEST_P(FixtureTest, Meminfo) {
  const Case& c = GetParam();
  Config config = fixture_config(c.name);
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::Meminfo, config, *limits);
  ASSERT_TRUE(r.ok);
  std::string host = read_fixture_file(c.name, "proc/meminfo");
  if (c.meminfo.passthrough) {
    EXPECT_EQ(r.text, host);
  }
  EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), int64_t(c.meminfo.total));
  EXPECT_EQ(meminfo_kb(r.text, "MemFree"), int64_t(c.meminfo.free));
  EXPECT_EQ(meminfo_kb(r.text, "MemAvailable"), int64_t(c.meminfo.available));
  EXPECT_EQ(meminfo_kb(r.text, "Cached"), int64_t(c.meminfo.cached));
  EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), int64_t(c.meminfo.swap_total));
  EXPECT_EQ(meminfo_kb(r.text, "SwapFree"), int64_t(c.meminfo.swap_free));
  if (!c.meminfo.passthrough) {
    EXPECT_EQ(meminfo_kb(r.text, "Buffers"), 0);
  }

  // Same keys in the same order; every line cgview does not own is byte-identical.
  std::vector<std::string> got = split_lines(r.text), want = split_lines(host);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(meminfo_key(got[i]), meminfo_key(want[i])) << "line " << i;
    if (kVirtualKeys.count(meminfo_key(want[i])) == 0) {
      EXPECT_EQ(got[i], want[i]) << "line " << i;
    }
  }
  EXPECT_EQ(r.text.back(), '\n');
}

// Splits cpuinfo into the text before the first block and one block per id.
void split_cpuinfo(const std::string& text, std::string& header, std::map<unsigned, std::string>& blocks) {
  std::string* current = &header;
  for (const std::string& line : split_lines(text)) {
    if (line.rfind("processor", 0) == 0) {
      unsigned id = unsigned(std::stoul(line.substr(line.find(':') + 1)));
      current = &blocks[id];
    }
    *current += line + "\n";
  }
}

TEST_P(FixtureTest, Cpuinfo) {
  const Case& c = GetParam();
  Config config = fixture_config(c.name);
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::Cpuinfo, config, *limits);
  ASSERT_TRUE(r.ok);
  std::string host = read_fixture_file(c.name, "proc/cpuinfo");
  std::string host_header, got_header;
  std::map<unsigned, std::string> host_blocks, got_blocks;
  split_cpuinfo(host, host_header, host_blocks);
  split_cpuinfo(r.text, got_header, got_blocks);
  std::vector<unsigned> want_ids = expand_ids(c.visible), got_ids;
  for (const auto& [id, block] : got_blocks) got_ids.push_back(id);
  EXPECT_EQ(got_ids, want_ids);
  EXPECT_EQ(got_header, host_header);
  // Each kept block byte for byte, in order, but for "siblings" and "cpu
  // cores", which count V's CPUs and cores in the package.
  auto without_counts = [](const std::string& text) {
    std::string out;
    for (const std::string& line : split_lines(text))
      if (line.rfind("siblings", 0) != 0 && line.rfind("cpu cores", 0) != 0) out += line + "\n";
    return out;
  };
  std::string expected = host_header;
  for (unsigned id : want_ids) expected += host_blocks[id];
  EXPECT_EQ(without_counts(r.text), without_counts(expected));
  for (const std::string& line : split_lines(r.text)) {
    if (line.rfind("siblings", 0) == 0 || line.rfind("cpu cores", 0) == 0) {
      EXPECT_LE(std::stoul(line.substr(line.find(':') + 1)), want_ids.size()) << line;
    }
  }
  if (std::string(c.visible) == c.online) {
    EXPECT_EQ(r.text, host);
  }
}

bool is_cpu_line(const std::string& line) { return line.rfind("cpu", 0) == 0; }

TEST_P(FixtureTest, Stat) {
  const Case& c = GetParam();
  Config config = fixture_config(c.name);
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::Stat, config, *limits);
  ASSERT_TRUE(r.ok);
  std::string host = read_fixture_file(c.name, "proc/stat");
  if (std::string(c.visible) == c.online) {
    EXPECT_EQ(r.text, host);  // unrestricted: the host's file
    return;
  }
  std::vector<std::string> got = split_lines(r.text), want = split_lines(host);
  // Non-CPU lines pass through in order; the CPU lines sit where the host's were.
  std::vector<std::string> got_other, want_other;
  for (const auto& l : got)
    if (!is_cpu_line(l)) got_other.push_back(l);
  for (const auto& l : want)
    if (!is_cpu_line(l)) want_other.push_back(l);
  EXPECT_EQ(got_other, want_other);
  ASSERT_GE(got.size(), c.n + 1);
  ASSERT_EQ(got[0].substr(0, 5), "cpu  ");
  std::vector<unsigned> ids;
  std::vector<uint64_t> sum(10, 0), aggregate;
  std::vector<std::string> aggregate_fields = fields(got[0]);
  for (size_t k = 1; k < aggregate_fields.size(); ++k) aggregate.push_back(std::stoull(aggregate_fields[k]));
  ASSERT_EQ(aggregate.size(), 10u);
  for (size_t i = 1; i <= c.n; ++i) {
    std::vector<std::string> f = fields(got[i]);
    ASSERT_EQ(f.size(), 11u) << got[i];
    ASSERT_EQ(f[0].substr(0, 3), "cpu");
    ids.push_back(unsigned(std::stoul(f[0].substr(3))));
    for (size_t k = 0; k < 10; ++k) sum[k] += std::stoull(f[k + 1]);
  }
  EXPECT_EQ(ids, expand_ids(c.visible));
  EXPECT_EQ(sum, aggregate);
  size_t cpu_lines = size_t(std::count_if(got.begin(), got.end(), is_cpu_line));
  EXPECT_EQ(cpu_lines, c.n + 1);
  EXPECT_TRUE(r.text.back() == '\n');
}

INSTANTIATE_TEST_SUITE_P(All, FixtureTest, ::testing::ValuesIn(kCases), case_name);

// CGVIEW_CPU_ROUNDING across the fixtures where the modes differ (EXPECTED.md).
struct RoundingCase {
  const char* fixture;
  const char* rounding;
  unsigned n;
  const char* visible;
};

const RoundingCase kRoundingCases[] = {
    {"fractional-0.4", "ceil", 1, "0"},      {"fractional-0.4", "floor", 1, "0"},
    {"fractional-0.4", "round", 1, "0"},     {"fractional-1.4", "ceil", 2, "0-1"},
    {"fractional-1.4", "floor", 1, "0"},     {"fractional-1.4", "round", 1, "0"},
    {"fractional-2.5", "ceil", 3, "0-2"},    {"fractional-2.5", "floor", 2, "0-1"},
    {"fractional-2.5", "round", 3, "0-2"},   {"docker-v2-private-ns", "floor", 1, "0"},
    {"docker-v2-private-ns", "round", 2, "0-1"}, {"v1-cpuset-quota", "floor", 2, "2-3"},
    {"v1-cpuset-quota", "round", 3, "2-3,6"}, {"systemd-colon", "floor", 1, "0"},
    {"systemd-colon", "round", 1, "0"},      {"no-limits", "floor", 4, "0-3"},
    {"no-limits", "round", 4, "0-3"},        {"v1-cpuset-small", "floor", 2, "4-5"},
};

void PrintTo(const RoundingCase& c, std::ostream* os) { *os << c.fixture << " " << c.rounding; }

class RoundingTest : public ::testing::TestWithParam<RoundingCase> {};

TEST_P(RoundingTest, CountAndViews) {
  const RoundingCase& c = GetParam();
  Config config = fixture_config(c.fixture, c.rounding);
  bool ok = false;
  auto limits = limits_for(config, &ok);
  ASSERT_TRUE(ok);
  EXPECT_EQ(limits->cpu.count, c.n);
  EXPECT_EQ(cpu_list(limits->cpu.visible), c.visible);
  Rendered online = render_to_string(VirtualFile::CpuOnline, config, *limits);
  EXPECT_EQ(online.text, std::string(c.visible) + "\n");
  Rendered cpuinfo = render_to_string(VirtualFile::Cpuinfo, config, *limits);
  std::string header;
  std::map<unsigned, std::string> blocks;
  split_cpuinfo(cpuinfo.text, header, blocks);
  std::vector<unsigned> ids;
  for (const auto& [id, b] : blocks) ids.push_back(id);
  EXPECT_EQ(ids, expand_ids(c.visible));
}

INSTANTIATE_TEST_SUITE_P(Modes, RoundingTest, ::testing::ValuesIn(kRoundingCases),
                         [](const ::testing::TestParamInfo<RoundingCase>& info) {
                           std::string s = std::string(info.param.fixture) + "_" + info.param.rounding;
                           for (char& ch : s)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

// /proc/stat numbers by hand.
// docker-v2-private-ns: cpu.stat user_usec 33748351 -> 3374 ticks, system_usec 14463579 -> 1446;
// uptime 12346.67 s -> 1234667 ticks; N = 2: idle = 2 x 1234667 - (3374 + 1446) = 2464514.
TEST(StatNumbers, DockerV2ByHand) {
  Config config = fixture_config("docker-v2-private-ns");
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::Stat, config, *limits);
  ASSERT_TRUE(r.ok);
  std::vector<std::string> lines = split_lines(r.text);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], "cpu  3374 0 1446 2464514 0 0 0 0 0 0");
  EXPECT_EQ(lines[1], "cpu0 1687 0 723 1232257 0 0 0 0 0 0");
  EXPECT_EQ(lines[2], "cpu1 1687 0 723 1232257 0 0 0 0 0 0");
  EXPECT_EQ(lines[3].substr(0, 5), "intr ");
}

// docker-v1-host-ns: cpuacct.stat user 41230, system 9112 (ticks); uptime 12348.67 -> 1234867;
// N = 2: idle = 2469734 - 50342 = 2419392; per CPU 20615 / 4556 / 1209696.
TEST(StatNumbers, DockerV1ByHand) {
  Config config = fixture_config("docker-v1-host-ns");
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::Stat, config, *limits);
  ASSERT_TRUE(r.ok);
  std::vector<std::string> lines = split_lines(r.text);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "cpu  41230 0 9112 2419392 0 0 0 0 0 0");
  EXPECT_EQ(lines[1], "cpu0 20615 0 4556 1209696 0 0 0 0 0 0");
  EXPECT_EQ(lines[2], "cpu1 20615 0 4556 1209696 0 0 0 0 0 0");
}

// v1-cpuset-quota: user 120034, system 20117; uptime 12349.67 -> 1234967; N = 3:
// idle = 3704901 - 140151 = 3564750. Shares: user 40012/40011/40011,
// system 6706/6706/6705, idle 1188250 each. Ids are the real ones (2, 3, 6).
TEST(StatNumbers, UnevenSharesKeepRealIds) {
  Config config = fixture_config("v1-cpuset-quota");
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::Stat, config, *limits);
  ASSERT_TRUE(r.ok);
  std::vector<std::string> lines = split_lines(r.text);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], "cpu  120034 0 20117 3564750 0 0 0 0 0 0");
  EXPECT_EQ(lines[1], "cpu2 40012 0 6706 1188250 0 0 0 0 0 0");
  EXPECT_EQ(lines[2], "cpu3 40011 0 6706 1188250 0 0 0 0 0 0");
  EXPECT_EQ(lines[3], "cpu6 40011 0 6705 1188250 0 0 0 0 0 0");
}

// The StatClock keeps idle from going backwards: a floor above the computed
// idle is what gets shown, and a lower floor is raised to the computed value.
TEST(StatNumbers, ClockNeverGoesBackwards) {
  Config config = fixture_config("docker-v2-private-ns");
  auto limits = limits_for(config);
  StatClock clock;
  clock.idle_floor = 3000000;
  Rendered high = render_to_string(VirtualFile::Stat, config, *limits, &clock);
  ASSERT_TRUE(high.ok);
  EXPECT_EQ(split_lines(high.text)[0], "cpu  3374 0 1446 3000000 0 0 0 0 0 0");
  EXPECT_EQ(split_lines(high.text)[1], "cpu0 1687 0 723 1500000 0 0 0 0 0 0");

  StatClock low;
  low.idle_floor = 5;
  Rendered r = render_to_string(VirtualFile::Stat, config, *limits, &low);
  EXPECT_EQ(split_lines(r.text)[0], "cpu  3374 0 1446 2464514 0 0 0 0 0 0");
  EXPECT_EQ(low.idle_floor.load(), 2464514u);
}

// When N changes (docker update, an in-place pod resize), idle carries on from
// where it was instead of jumping by the change x the whole uptime.
class StatRebase : public CopiedFixture {
 protected:
  // The CPU lines ("cpu ..." first, then "cpuN ...") after setting the
  // quota, uptime and busy time.
  std::vector<std::string> cpu_lines(StatClock& clock, const char* cpu_max, const char* uptime, const char* user_usec) {
    write("sys/fs/cgroup/cpu.max", cpu_max);
    write("proc/uptime", uptime);
    write("sys/fs/cgroup/cpu.stat", std::string("usage_usec ") + user_usec + "\nuser_usec " + user_usec +
                                        "\nsystem_usec 0\n");
    auto limits = limits_for(config());
    Rendered r = render_to_string(VirtualFile::Stat, config(), *limits, &clock);
    std::vector<std::string> lines;
    for (const std::string& line : split_lines(r.text))
      if (line.rfind("cpu", 0) == 0) lines.push_back(line);
    return lines;
  }
  std::string idle_after(StatClock& clock, const char* cpu_max, const char* uptime, const char* user_usec) {
    std::vector<std::string> lines = cpu_lines(clock, cpu_max, uptime, user_usec);
    return lines.empty() ? "render failed" : fields(lines[0])[4];
  }
};

TEST_F(StatRebase, FewerCpusKeepIdleGrowing) {
  copy_fixture("demo-64cpu");
  StatClock clock;
  // N = 4 at 1000 s (100000 ticks), nothing used: idle 400000.
  EXPECT_EQ(idle_after(clock, "400000 100000\n", "1000.00 0.00\n", "0"), "400000");
  // N = 1 from the next read, 10 s later, 5 s used: the interval still counts
  // at 4 CPUs (when N changed within it is unknown): 400000 + 4 x 1000 - 500.
  EXPECT_EQ(idle_after(clock, "100000 100000\n", "1010.00 0.00\n", "5000000"), "403500");
  // Then it grows at one CPU's rate: + 1000 ticks in 10 s with nothing used
  // (without the rebase it stayed at 400000, the floor, until uptime tripled).
  EXPECT_EQ(idle_after(clock, "100000 100000\n", "1020.00 0.00\n", "5000000"), "404500");
}

TEST_F(StatRebase, MoreCpusDoNotMakeIdleJump) {
  copy_fixture("demo-64cpu");
  StatClock clock;
  EXPECT_EQ(idle_after(clock, "100000 100000\n", "1000.00 0.00\n", "0"), "100000");
  // N = 8 from here: 100000 + 1 x 1000 = 101000, not 8 x 101000.
  EXPECT_EQ(idle_after(clock, "800000 100000\n", "1010.00 0.00\n", "0"), "101000");
  EXPECT_EQ(idle_after(clock, "800000 100000\n", "1020.00 0.00\n", "0"), "109000");
}

// The cpuN lines never go down either. At a change each line starts from the
// largest value an old line would show now, then grows by its share.
TEST_F(StatRebase, CpuLinesNeverGoDownWhenNGrows) {
  copy_fixture("demo-64cpu");
  StatClock clock;
  // N = 1: user 1000 ticks, idle 100000 - 1000.
  auto one = cpu_lines(clock, "100000 100000\n", "1000.00 0.00\n", "10000000");
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[1], "cpu0 1000 0 0 99000 0 0 0 0 0 0");
  // N = 8, 10 s and 10 s of CPU later: the one old line would show user 2000,
  // idle 99000 now, so every line starts there (not 2000 / 8 and 99000 / 8).
  auto eight = cpu_lines(clock, "800000 100000\n", "1010.00 0.00\n", "20000000");
  ASSERT_EQ(eight.size(), 9u);
  EXPECT_EQ(eight[0], "cpu  2000 0 0 99000 0 0 0 0 0 0");
  for (size_t i = 1; i < eight.size(); ++i) EXPECT_EQ(fields(eight[i])[1], "2000") << eight[i];
  for (size_t i = 1; i < eight.size(); ++i) EXPECT_EQ(fields(eight[i])[4], "99000") << eight[i];
  // 10 s later, nothing used: idle +8000 in all, +1000 on each line.
  auto later = cpu_lines(clock, "800000 100000\n", "1020.00 0.00\n", "20000000");
  EXPECT_EQ(later[0], "cpu  2000 0 0 107000 0 0 0 0 0 0");
  EXPECT_EQ(later[1], "cpu0 2000 0 0 100000 0 0 0 0 0 0");
}

// A quota lifted (N = every online CPU, where a fresh process sees the host's
// lines) and restored: a process that has shown synthesized lines keeps them,
// or its lines would jump to the host's and fall back.
TEST_F(StatRebase, LiftingTheQuotaKeepsTheLinesSynthesized) {
  copy_fixture("demo-64cpu");  // 64 CPUs online; the host's cpu line has user 3684878
  StatClock clock;
  auto two = cpu_lines(clock, "200000 100000\n", "1000.00 0.00\n", "10000000");
  ASSERT_EQ(two.size(), 3u);
  EXPECT_EQ(two[1], "cpu0 500 0 0 99500 0 0 0 0 0 0");
  auto all = cpu_lines(clock, "max 100000\n", "1010.00 0.00\n", "10000000");
  ASSERT_EQ(all.size(), 65u);
  EXPECT_EQ(fields(all[0])[1], "1000");  // the cgroup's user time, not the host's
  EXPECT_GE(std::stoull(fields(all[1])[1]), 500u);
  EXPECT_GE(std::stoull(fields(all[1])[4]), 99500u);
  auto back = cpu_lines(clock, "200000 100000\n", "1020.00 0.00\n", "10000000");
  ASSERT_EQ(back.size(), 3u);
  EXPECT_GE(std::stoull(fields(back[1])[1]), std::stoull(fields(all[1])[1]));
  EXPECT_GE(std::stoull(fields(back[1])[4]), std::stoull(fields(all[1])[4]));
  // A process that never saw a restriction still gets the host's lines.
  StatClock fresh;
  EXPECT_EQ(cpu_lines(fresh, "max 100000\n", "1030.00 0.00\n", "10000000")[0].substr(0, 12), "cpu  3684878");
}

TEST_F(StatRebase, CpuLinesNeverGoDownWhenNShrinks) {
  copy_fixture("demo-64cpu");
  StatClock clock;
  auto four = cpu_lines(clock, "400000 100000\n", "1000.00 0.00\n", "0");
  ASSERT_EQ(four.size(), 5u);
  EXPECT_EQ(four[1], "cpu0 0 0 0 100000 0 0 0 0 0 0");
  // N = 1, aggregate idle 403500 (above): the old lines would show user
  // ceil(500 / 4) = 125 and idle ceil(403500 / 4) = 100875 now.
  auto one = cpu_lines(clock, "100000 100000\n", "1010.00 0.00\n", "5000000");
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[1], "cpu0 125 0 0 100875 0 0 0 0 0 0");
  // Then the one line takes all of the growth: 10 s idle, then 3 s busy.
  EXPECT_EQ(cpu_lines(clock, "100000 100000\n", "1020.00 0.00\n", "5000000")[1], "cpu0 125 0 0 101875 0 0 0 0 0 0");
  EXPECT_EQ(cpu_lines(clock, "100000 100000\n", "1030.00 0.00\n", "8000000")[1], "cpu0 425 0 0 102575 0 0 0 0 0 0");
}

// A process moved to another cgroup while it runs (cgclassify, a systemd
// scope change, or out into the root): the new cgroup's CPU time has nothing
// to do with the old one's. Busy carries on from where it was shown and grows
// by the new cgroup's time, as idle carries on across a change of N; without
// that, user fell from the old cgroup's total to the new one's (616 to 0
// ticks in the cgroup v2 VM) and idle jumped up by as much, and a move into
// the root made busy jump by the host's whole CPU time.
TEST_F(StatRebase, AMoveToAnotherCgroupCarriesBusyOn) {
  copy_fixture("demo-64cpu");
  StatClock clock;
  // At the namespace's root, N = 1: 10 s of user time in 1000 s.
  auto before = cpu_lines(clock, "100000 100000\n", "1000.00 0.00\n", "10000000");
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0], "cpu  1000 0 0 99000 0 0 0 0 0 0");
  // Moved into a fresh child cgroup (N = 1 there too), which has used 1 s so far.
  write("proc/self/cgroup", "0::/moved\n");
  write("sys/fs/cgroup/moved/cgroup.type", "domain\n");
  write("sys/fs/cgroup/moved/cpu.max", "100000 100000\n");
  write("sys/fs/cgroup/moved/cpu.stat", "usage_usec 1000000\nuser_usec 1000000\nsystem_usec 0\n");
  write("proc/uptime", "1010.00 0.00\n");
  auto limits = limits_for(config());
  Rendered moved = render_to_string(VirtualFile::Stat, config(), *limits, &clock);
  ASSERT_TRUE(moved.ok);
  // Busy goes on from 1000 (not 100, the new cgroup's total); idle grows by
  // the 10 s at one CPU (1000 ticks) from 99000, not by the 900 ticks busy lost.
  EXPECT_EQ(split_lines(moved.text)[0], "cpu  1000 0 0 100000 0 0 0 0 0 0");
  // From then on busy grows by the new cgroup's time: 3 s more in 10 s.
  write("sys/fs/cgroup/moved/cpu.stat", "usage_usec 4000000\nuser_usec 4000000\nsystem_usec 0\n");
  write("proc/uptime", "1020.00 0.00\n");
  Rendered later = render_to_string(VirtualFile::Stat, config(), *limits_for(config()), &clock);
  EXPECT_EQ(split_lines(later.text)[0], "cpu  1300 0 0 100700 0 0 0 0 0 0");
  EXPECT_EQ(split_lines(later.text)[1], "cpu0 1300 0 0 100700 0 0 0 0 0 0");
  // Back to the first cgroup (which has used 2 s more meanwhile): on from 1300 again.
  write("proc/self/cgroup", "0::/\n");
  write("sys/fs/cgroup/cpu.stat", "usage_usec 12000000\nuser_usec 12000000\nsystem_usec 0\n");
  write("proc/uptime", "1030.00 0.00\n");
  EXPECT_EQ(split_lines(render_to_string(VirtualFile::Stat, config(), *limits_for(config()), &clock).text)[0],
            "cpu  1300 0 0 101700 0 0 0 0 0 0");
  // A process that never saw the other cgroup gets that cgroup's own totals.
  StatClock fresh;
  EXPECT_EQ(split_lines(render_to_string(VirtualFile::Stat, config(), *limits_for(config()), &fresh).text)[0],
            "cpu  1200 0 0 101800 0 0 0 0 0 0");
}

// The kernel's meminfo layout for lines cgview writes: "Key:" padded to 16, %8lu, " kB".
TEST(MeminfoFormat, VirtualLinesKeepKernelLayout) {
  Config config = fixture_config("docker-v2-private-ns");
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::Meminfo, config, *limits);
  ASSERT_TRUE(r.ok);
  std::vector<std::string> lines = split_lines(r.text);
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[0], "MemTotal:        1048576 kB");
  EXPECT_EQ(lines[1], "MemFree:          741376 kB");
  EXPECT_EQ(lines[2], "MemAvailable:     843776 kB");
  EXPECT_EQ(lines[3], "Buffers:               0 kB");
  EXPECT_EQ(lines[4], "Cached:           102400 kB");
  // memory.stat: active_file 37748736 (36864 kB), inactive_file 62914560 (61440 kB),
  // shmem 4194304 (4096), file_mapped 34951168 (34132), anon 184549376 (180224),
  // slab 6291456 (6144), slab_reclaimable 4194304 (4096), slab_unreclaimable 2097152 (2048),
  // active_anon 18874368 (18432), inactive_anon 169869312 (165888).
  EXPECT_EQ(meminfo_kb(r.text, "Active(file)"), 36864);
  EXPECT_EQ(meminfo_kb(r.text, "Inactive(file)"), 61440);
  EXPECT_EQ(meminfo_kb(r.text, "Active(anon)"), 18432);
  EXPECT_EQ(meminfo_kb(r.text, "Inactive(anon)"), 165888);
  EXPECT_EQ(meminfo_kb(r.text, "Active"), 18432 + 36864);
  EXPECT_EQ(meminfo_kb(r.text, "Inactive"), 165888 + 61440);
  EXPECT_EQ(meminfo_kb(r.text, "Shmem"), 4096);
  EXPECT_EQ(meminfo_kb(r.text, "Mapped"), 34132);
  EXPECT_EQ(meminfo_kb(r.text, "AnonPages"), 180224);
  EXPECT_EQ(meminfo_kb(r.text, "Slab"), 6144);
  EXPECT_EQ(meminfo_kb(r.text, "SReclaimable"), 4096);
  EXPECT_EQ(meminfo_kb(r.text, "SUnreclaim"), 2048);
}

// Discovery details beyond the directory: the mount point length bounds the walks.
TEST(Discovery, MountLengthAndVersion) {
  auto limits = limits_for(fixture_config("sub-cgroup"));
  const CgroupDir& mem = limits->cgroups.of(Controller::Memory);
  ASSERT_TRUE(mem.found);
  EXPECT_TRUE(mem.v2);
  EXPECT_EQ(mem.mount_len, std::string_view("/sys/fs/cgroup").size());

  auto v1 = limits_for(fixture_config("docker-v1-host-ns"));
  EXPECT_FALSE(v1->cgroups.of(Controller::Memory).v2);
  EXPECT_EQ(v1->cgroups.of(Controller::Memory).mount_len, std::string_view("/sys/fs/cgroup/memory").size());
}

// Where each number came from (shown by `cgview show`).
TEST(Sources, QuotaAndLimitSources) {
  auto k8s = limits_for(fixture_config("k8s-pod-v2"));
  EXPECT_EQ(k8s->cpu.quota_source.file.view(),
            "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cpu.max");
  EXPECT_EQ(k8s->memory.limit_source.file.view(),
            "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/memory.max");
  EXPECT_EQ(k8s->cpu.quota.quota, 200000u);
  EXPECT_EQ(k8s->cpu.quota.period, 100000u);

  auto sub = limits_for(fixture_config("sub-cgroup"));
  EXPECT_EQ(sub->cpu.quota_source.file.view(), "/sys/fs/cgroup/cpu.max");
  EXPECT_EQ(sub->memory.limit_source.file.view(), "/sys/fs/cgroup/worker/memory.max");

  auto hybrid = limits_for(fixture_config("hybrid"));
  EXPECT_EQ(hybrid->cpu.quota_source.file.view(), std::string(kHybridCpu) + "/cpu.cfs_quota_us");
  EXPECT_TRUE(hybrid->cpu.has_cpuset);
  EXPECT_EQ(hybrid->cpu.cpuset_source.file.view(), "/sys/fs/cgroup/cpuset/cpuset.effective_cpus");

  auto v2 = limits_for(fixture_config("docker-v2-private-ns"));
  EXPECT_TRUE(v2->memory.has_swap_allowance);
  EXPECT_EQ(v2->memory.swap_allowance, 536870912u);
  HostMemory v2_host;  // H, read when rendering (Limits no longer keeps a copy)
  ASSERT_TRUE(read_host_memory(fixture_config("docker-v2-private-ns").root, v2_host));
  EXPECT_EQ(v2_host.total, uint64_t(16777216000));

  auto v1 = limits_for(fixture_config("docker-v1-host-ns"));
  EXPECT_TRUE(v1->memory.has_swap_allowance);
  EXPECT_EQ(v1->memory.swap_allowance, 1073741824u);

  auto k8s_swap = limits_for(fixture_config("k8s-pod-v2"));
  EXPECT_FALSE(k8s_swap->memory.has_swap_allowance);
}

}  // namespace

// free and busybox count Buffers + Cached + SReclaimable as buff/cache and
// subtract it from total: it must fit beside MemFree (found by tests/compat,
// when v1's missing slab keys let the host's SReclaimable through).
TEST(MeminfoConsistency, FreePlusCacheFitsInTotal) {
  for (const char* fixture : {"docker-v2-private-ns", "k8s-pod-v2", "docker-v1-host-ns", "hybrid", "limit-above-host",
                              "systemd-colon", "sub-cgroup", "outside-ns-root", "escaped-mountinfo", "v1-double-mount",
                              "memory-on-parent", "sibling-shares-limit", "unshare-no-mount",
                              "demo-64cpu"}) {
    SCOPED_TRACE(fixture);
    Config config = fixture_config(fixture);
    auto limits = limits_for(config);
    Rendered r = render_to_string(VirtualFile::Meminfo, config, *limits);
    ASSERT_TRUE(r.ok);
    int64_t total = meminfo_kb(r.text, "MemTotal");
    EXPECT_LE(meminfo_kb(r.text, "MemFree") + meminfo_kb(r.text, "Buffers") + meminfo_kb(r.text, "Cached") +
                  meminfo_kb(r.text, "SReclaimable"),
              total);
  }
}

TEST(MeminfoConsistency, V1HasNoSlabSoItIsZeroNotTheHosts) {
  Config config = fixture_config("docker-v1-host-ns");
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::Meminfo, config, *limits);
  for (const char* key : {"Slab", "SReclaimable", "SUnreclaim", "KReclaimable"}) EXPECT_EQ(meminfo_kb(r.text, key), 0) << key;
  EXPECT_EQ(meminfo_kb(r.text, "Dirty"), 132);  // total_dirty 135168 bytes
  EXPECT_EQ(meminfo_kb(r.text, "Unevictable"), 0);
}

TEST(MeminfoConsistency, V2SlabAndDirtyComeFromMemoryStat) {
  Config config = fixture_config("docker-v2-private-ns");
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::Meminfo, config, *limits);
  EXPECT_EQ(meminfo_kb(r.text, "SReclaimable"), 4096);  // slab_reclaimable 4194304
  EXPECT_EQ(meminfo_kb(r.text, "KReclaimable"), 4096);
  EXPECT_EQ(meminfo_kb(r.text, "Dirty"), 12);  // file_dirty 12288
}

// The host-wide kernel lines (stacks, page tables, per-CPU, vmalloc, zswap,
// huge pages) are the cgroup's where memory.stat has them: a busy host's can
// exceed the container's MemTotal.
TEST(MeminfoConsistency, V2KernelLinesComeFromMemoryStat) {
  Config config = fixture_config("docker-v2-private-ns");
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::Meminfo, config, *limits);
  EXPECT_EQ(meminfo_kb(r.text, "KernelStack"), 192);  // kernel_stack 196608; the host's 16912
  EXPECT_EQ(meminfo_kb(r.text, "PageTables"), 1408);  // pagetables 1441792; the host's 54228
  EXPECT_EQ(meminfo_kb(r.text, "Percpu"), 120);       // percpu 122880; the host's 13824
  EXPECT_EQ(meminfo_kb(r.text, "VmallocUsed"), 8);    // vmalloc 8192; the host's 45332
  EXPECT_EQ(meminfo_kb(r.text, "SwapCached"), 0);     // swapcached 0; the host's 1024
  // No cgroup counterpart: the host's.
  EXPECT_EQ(meminfo_kb(r.text, "VmallocTotal"), 34359738367);
  EXPECT_EQ(meminfo_kb(r.text, "ShmemPmdMapped"), 0);
}

class MeminfoKernelLines : public CopiedFixture {
 protected:
  // Sets the copied host /proc/meminfo's line `key` to `kb`.
  void set_host_line(const std::string& key, int64_t kb) {
    std::string text = read("proc/meminfo");
    size_t at = text.find("\n" + key + ":");
    ASSERT_NE(at, std::string::npos) << key;
    ++at;
    std::string line = key + ":";
    std::string number = std::to_string(kb);
    line.append(line.size() + number.size() < 24 ? 24 - line.size() - number.size() : 1, ' ');
    text.replace(at, text.find('\n', at) - at, line + number + " kB");
    write("proc/meminfo", text);
  }
  // Sets `key`'s value in the copied memory.stat at `rel`.
  void set_stat(const std::string& rel, const std::string& key, const std::string& value) {
    std::string stat = read(rel);
    size_t at = ("\n" + stat).find("\n" + key + " ");  // where the key starts in `stat`
    ASSERT_NE(at, std::string::npos) << key;
    at += key.size() + 1;
    stat.replace(at, stat.find('\n', at) - at, value);
    write(rel, stat);
  }
  std::string meminfo() {
    auto limits = limits_for(config());
    Rendered r = render_to_string(VirtualFile::Meminfo, config(), *limits);
    EXPECT_TRUE(r.ok);
    return r.text;
  }
  // A host figure's share (kB) for a container using `in_use` of the host's
  // `host_in_use` (both kB), as the renderer takes it, in bytes.
  static int64_t host_share_kb(int64_t host_kb, int64_t in_use_kb, int64_t host_in_use_kb) {
    return host_kb * 1024 * in_use_kb / host_in_use_kb >> 10;  // fixture sizes: no overflow
  }
  // What a rendered file leaves for the kernel memory memory.stat does not
  // break down: the memory in use less anonymous memory, page cache and slab.
  static int64_t kernel_room(const std::string& text) {
    return meminfo_kb(text, "MemTotal") - meminfo_kb(text, "MemFree") - meminfo_kb(text, "AnonPages") -
           meminfo_kb(text, "Cached") - meminfo_kb(text, "Slab");
  }
};

// An older kernel's memory.stat lacks the newer keys (pagetables, percpu,
// swapcached): the keys it has are the cgroup's; SwapCached stays the host's;
// the host's kernel memory lines become the container's share of them (its
// 300 MiB of the host's 6,507,456 kB in use), at most what its anonymous
// memory, page cache and slab leave of its usage (here 18 MiB): the host's
// 53 MiB of page tables are not this container's.
TEST_F(MeminfoKernelLines, KeysAnOlderKernelLacksKeepTheHostsLine) {
  copy_fixture("docker-v2-private-ns");
  write("sys/fs/cgroup/memory.stat",
        "anon 184549376\nfile 104857600\nkernel_stack 196608\nshmem 4194304\nfile_mapped 34951168\n"
        "anon_thp 8388608\ninactive_anon 169869312\nactive_anon 18874368\ninactive_file 62914560\n"
        "active_file 37748736\nunevictable 0\nslab_reclaimable 4194304\nslab_unreclaimable 2097152\n");
  std::string text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "KernelStack"), 192);
  EXPECT_EQ(meminfo_kb(text, "AnonHugePages"), 8192);
  EXPECT_EQ(meminfo_kb(text, "Slab"), 6144);  // no "slab" key before 5.9: its two parts' sum
  ASSERT_EQ(kernel_room(text), 18432);  // 300 MiB used - 176 anonymous - 100 file - 6 slab
  EXPECT_EQ(meminfo_kb(text, "PageTables"), host_share_kb(54228, 307200, 16384000 - 9876544));  // 2559
  EXPECT_EQ(meminfo_kb(text, "Percpu"), host_share_kb(13824, 307200, 16384000 - 9876544));  // 652
  set_host_line("PageTables", 900000);  // a share above the room: the room
  EXPECT_EQ(meminfo_kb(meminfo(), "PageTables"), 18432);
  EXPECT_EQ(meminfo_kb(text, "SwapCached"), 1024);
}

// A 3.10 kernel's v1 memory.stat (RHEL 7) has no shmem, dirty, writeback or
// swapcached: those lines are the host's, but a busy host's 6 GiB of tmpfs is
// no 2 GiB container's: Shmem and Dirty at most the view's Cached, the kernel
// lines at most what its anonymous memory and page cache leave of the memory
// in use, PMD-mapped shmem at most the mapped pages.
TEST_F(MeminfoKernelLines, AnOldV1KernelsMissingKeysAreBoundedByTheView) {
  copy_fixture("docker-v1-host-ns");  // 2 GiB; cache 204800 kB
  std::string old_stat;
  for (const std::string& line : split_lines(read("sys/fs/cgroup/memory/memory.stat"))) {
    bool newer = false;
    for (const char* key : {"shmem ", "dirty ", "writeback ", "swapcached "})
      newer = newer || line.rfind(key, 0) == 0 || line.rfind(std::string("total_") + key, 0) == 0;
    if (!newer) old_stat += line + "\n";
  }
  write("sys/fs/cgroup/memory/memory.stat", old_stat);
  set_host_line("Shmem", 6291456);
  set_host_line("Dirty", 3145728);
  set_host_line("PageTables", 4194304);
  set_host_line("KernelStack", 3145728);
  set_host_line("Writeback", 100);  // below its bound: the host's, as it is
  set_host_line("ShmemHugePages", 2000000);  // parts of the host's Shmem: no more than the Shmem shown
  set_host_line("ShmemPmdMapped", 1000000);
  std::string text = meminfo();
  int64_t total = meminfo_kb(text, "MemTotal"), used = total - meminfo_kb(text, "MemFree");
  ASSERT_EQ(total, 2097152);
  EXPECT_EQ(meminfo_kb(text, "Cached"), 204800);
  EXPECT_EQ(meminfo_kb(text, "Shmem"), 204800);
  EXPECT_EQ(meminfo_kb(text, "Dirty"), 204800);
  const int64_t room = kernel_room(text);
  ASSERT_GT(room, 0);
  ASSERT_LT(room, used);
  EXPECT_EQ(meminfo_kb(text, "PageTables"), room);
  EXPECT_EQ(meminfo_kb(text, "KernelStack"), room);
  EXPECT_EQ(meminfo_kb(text, "Writeback"), 100);
  EXPECT_EQ(meminfo_kb(text, "ShmemHugePages"), 204800);
  ASSERT_LT(meminfo_kb(text, "Mapped"), 204800);
  EXPECT_EQ(meminfo_kb(text, "ShmemPmdMapped"), meminfo_kb(text, "Mapped"));
  // A host figure too large to be bytes is above any cap too (found by the
  // fuzzer), a part's (ShmemHugePages) as a whole's.
  std::string host = read("proc/meminfo");
  for (std::string_view key : {"KernelStack", "ShmemHugePages"}) {
    size_t at = host.find("\n" + std::string(key) + ":") + 1;
    host.replace(at, host.find('\n', at) - at, std::string(key) + ":    18446744073702551615 kB");
  }
  write("proc/meminfo", host);
  text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "KernelStack"), room);
  EXPECT_EQ(meminfo_kb(text, "ShmemHugePages"), 204800);
}

// A memory.stat without the keys for Cached, Active and Inactive (a
// malformed or truncated file): those lines stay the host's, but a host
// figure above what the container can hold is bounded (Cached at most
// MemTotal - MemFree, as the others), not shown beside the
// smaller MemTotal as if the container held it.
TEST_F(MeminfoKernelLines, AHostLineStandingInIsBoundedByTheView) {
  copy_fixture("docker-v2-private-ns");  // 1 GiB limit
  write("sys/fs/cgroup/memory.stat", "anon 184549376\n");
  set_host_line("Cached", 9000000);
  set_host_line("Inactive", 8000000);
  set_host_line("Active", 100);  // below the bound: the host's, as it is
  std::string text = meminfo();
  int64_t total = meminfo_kb(text, "MemTotal"), free = meminfo_kb(text, "MemFree");
  ASSERT_EQ(total, 1048576);
  EXPECT_EQ(meminfo_kb(text, "Cached"), total - free);
  EXPECT_EQ(meminfo_kb(text, "Inactive"), total - free);  // memory in use: at most what the view shows used
  EXPECT_EQ(meminfo_kb(text, "Active"), 100);
}

// v1 reports huge anonymous pages (total_rss_huge, its hierarchy's), but no
// kernel memory lines: those are the container's share of the host's (its
// 512 MiB of the host's 6,507,456 kB in use), within what the cgroup's
// anonymous memory and page cache leave of its usage.
TEST_F(MeminfoKernelLines, V1HasHugeAnonymousPagesButNoKernelLines) {
  copy_fixture("docker-v1-host-ns");
  set_stat("sys/fs/cgroup/memory/memory.stat", "total_rss_huge", "6291456");
  std::string text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "AnonHugePages"), 6144);
  ASSERT_EQ(kernel_room(text), 20480);
  EXPECT_EQ(meminfo_kb(text, "KernelStack"), host_share_kb(16912, 524288, 16384000 - 9876544));  // 1362
  EXPECT_EQ(meminfo_kb(text, "PageTables"), host_share_kb(54228, 524288, 16384000 - 9876544));  // 4369
}

// Every line from its own key: distinct values, so a line read from a
// neighbour's key shows. The lines no cgroup file counts are the host's,
// bounded by the view's line they cannot exceed.
TEST_F(MeminfoKernelLines, EachLineFromItsOwnKey) {
  copy_fixture("docker-v2-private-ns");  // 1 GiB limit; swap view 512 MiB, 10 MiB used
  write("sys/fs/cgroup/memory.stat",
        "anon 184549376\nfile 104857600\nkernel_stack 1048576\npagetables 2097152\nsec_pagetables 3145728\n"
        "percpu 4194304\nvmalloc 5242880\nshmem 16777216\nzswap 6291456\nzswapped 7340032\n"
        "file_mapped 34951168\nswapcached 8388608\nanon_thp 9437184\nfile_thp 10485760\nshmem_thp 11534336\n"
        "inactive_anon 169869312\nactive_anon 18874368\ninactive_file 62914560\nactive_file 37748736\n"
        "unevictable 12582912\nslab_reclaimable 4194304\nslab_unreclaimable 2097152\nslab 6291456\n");
  set_host_line("ShmemPmdMapped", 5000);  // below ShmemHugePages: the host's
  set_host_line("FilePmdMapped", 30000);  // above FileHugePages: bounded by it
  set_host_line("AnonHugePages", 77777);
  std::string text = meminfo();
  const std::map<std::string, int64_t> want = {
      {"KernelStack", 1024},  {"PageTables", 2048},     {"SecPageTables", 3072}, {"Percpu", 4096},
      {"VmallocUsed", 5120},  {"Zswap", 6144},          {"Zswapped", 7168},      {"SwapCached", 8192},
      {"AnonHugePages", 9216}, {"FileHugePages", 10240}, {"ShmemHugePages", 11264}, {"Unevictable", 12288},
      {"Mlocked", 12288},     {"ShmemPmdMapped", 5000}, {"FilePmdMapped", 10240}};
  for (const auto& [key, kb] : want) EXPECT_EQ(meminfo_kb(text, key), kb) << key;
}

// Zswapped is the size of pages in swap, not in memory: bounded by the swap
// used where the view has swap lines, and never by MemTotal. FileHugePages is
// page cache: at most Cached.
TEST_F(MeminfoKernelLines, SwapAndCacheBoundTheirLines) {
  copy_fixture("docker-v2-private-ns");
  const std::string stat = "sys/fs/cgroup/memory.stat";
  set_stat(stat, "zswapped", "104857600");  // 100 MiB; 10 MiB of swap used
  set_stat(stat, "file_thp", "209715200");  // 200 MiB of file huge pages; file is 100 MiB
  std::string text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "SwapTotal") - meminfo_kb(text, "SwapFree"), 10240);
  EXPECT_EQ(meminfo_kb(text, "Zswapped"), 10240);
  EXPECT_EQ(meminfo_kb(text, "FileHugePages"), meminfo_kb(text, "Cached"));
  // No swap view: the cgroup's figure, even above the 1 GiB MemTotal.
  remove("sys/fs/cgroup/memory.swap.max");
  set_stat(stat, "zswapped", "2147483648");
  text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "SwapTotal"), 2097148);  // the host's line
  EXPECT_EQ(meminfo_kb(text, "Zswapped"), 2097152);
}

// v1 counts no shmem or file huge pages: the host's lines, but never above
// the view's Shmem and Cached (a host's huge tmpfs could otherwise show more
// shmem huge pages than the container has shmem), nor the PMD-mapped lines
// above those.
TEST_F(MeminfoKernelLines, V1HostHugePagesAtMostTheirWhole) {
  copy_fixture("docker-v1-host-ns");
  set_host_line("ShmemHugePages", 999999);
  set_host_line("FileHugePages", 888888);
  set_host_line("ShmemPmdMapped", 777777);
  set_host_line("FilePmdMapped", 8);
  std::string text = meminfo();
  ASSERT_GT(meminfo_kb(text, "Shmem"), 0);
  ASSERT_LT(meminfo_kb(text, "Shmem"), 777777);
  EXPECT_EQ(meminfo_kb(text, "ShmemHugePages"), meminfo_kb(text, "Shmem"));
  EXPECT_EQ(meminfo_kb(text, "FileHugePages"), meminfo_kb(text, "Cached"));
  EXPECT_EQ(meminfo_kb(text, "ShmemPmdMapped"), meminfo_kb(text, "Shmem"));  // the host's ShmemHugePages' bound
  EXPECT_EQ(meminfo_kb(text, "FilePmdMapped"), 8);  // below its bound: the host's
}

// A host short of free memory bounds MemFree, so the view shows more in use
// than the cgroup's usage: the kernel room is what the cgroup's own figures
// leave of its usage, not of that (512 MiB used: 512 - 292 anonymous - 200
// page cache = 20 MiB, where MemTotal - MemFree would leave 1.3 GiB).
TEST_F(MeminfoKernelLines, TheKernelRoomIsOfTheCgroupsUsage) {
  copy_fixture("docker-v1-host-ns");  // 2 GiB, 512 MiB in use
  set_host_line("MemFree", 204800);
  set_host_line("MemAvailable", 204800);
  set_host_line("PageTables", 4194304);
  std::string text = meminfo();
  ASSERT_EQ(meminfo_kb(text, "MemFree"), 204800);
  ASSERT_GT(kernel_room(text), 1300000);  // what MemTotal - MemFree would leave
  EXPECT_EQ(meminfo_kb(text, "PageTables"), 524288 - 299008 - 204800);
}

// v1 names its swap cache total_swapcached.
TEST_F(MeminfoKernelLines, V1SwapCache) {
  copy_fixture("docker-v1-host-ns");
  set_stat("sys/fs/cgroup/memory/memory.stat", "total_swapcached", "2097152");
  EXPECT_EQ(meminfo_kb(meminfo(), "SwapCached"), 2048);  // the host's 1024
}

// A counter above the limit (a racing read, a bad file) is shown as MemTotal.
TEST_F(MeminfoKernelLines, NeverAboveMemTotal) {
  copy_fixture("docker-v2-private-ns");
  set_stat("sys/fs/cgroup/memory.stat", "kernel_stack", "18446744073709551615");
  std::string text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "KernelStack"), meminfo_kb(text, "MemTotal"));
}

// A 32-bit kernel's high memory (HighTotal, HighFree, LowTotal, LowFree, after
// Mlocked): the view's memory is low memory first, up to the host's, as on a
// machine of its size, and the lines add up to MemTotal and MemFree as the
// kernel's do. The host here: 16,384,000 kB, 884,000 of it low.
class MeminfoHighMemory : public MeminfoKernelLines {
 protected:
  void set_host_high(int64_t high_free, int64_t low_free) {
    std::string text = read("proc/meminfo");
    size_t at = text.find("\nSwapTotal:") + 1;
    text.insert(at, "HighTotal:      15500000 kB\nHighFree:       " + std::to_string(high_free) +
                        " kB\nLowTotal:         884000 kB\nLowFree:        " + std::to_string(low_free) + " kB\n");
    write("proc/meminfo", text);
  }
  void expect_kernels_sums(const std::string& text) {
    int64_t high = meminfo_kb(text, "HighTotal"), low = meminfo_kb(text, "LowTotal");
    int64_t high_free = meminfo_kb(text, "HighFree"), low_free = meminfo_kb(text, "LowFree");
    EXPECT_EQ(high + low, meminfo_kb(text, "MemTotal"));
    EXPECT_EQ(high_free + low_free, meminfo_kb(text, "MemFree"));
    EXPECT_LE(high_free, high);
    EXPECT_LE(low_free, low);
  }
};

TEST_F(MeminfoHighMemory, ALargerViewThanLowMemoryHasHighMemory) {
  copy_fixture("docker-v2-private-ns");  // 1 GiB; MemFree 741376 kB
  set_host_high(9000000, 876544);
  std::string text = meminfo();
  ASSERT_EQ(meminfo_kb(text, "MemTotal"), 1048576);
  ASSERT_EQ(meminfo_kb(text, "MemFree"), 741376);
  EXPECT_EQ(meminfo_kb(text, "LowTotal"), 884000);
  EXPECT_EQ(meminfo_kb(text, "HighTotal"), 1048576 - 884000);
  EXPECT_EQ(meminfo_kb(text, "LowFree"), 741376);  // all of it fits in the host's free low memory
  EXPECT_EQ(meminfo_kb(text, "HighFree"), 0);
  expect_kernels_sums(text);
  // Little low memory free on the host: the rest of MemFree is high, up to HighTotal.
  copy_fixture("docker-v2-private-ns");
  set_host_high(9776544, 100000);
  text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "HighFree"), 1048576 - 884000);
  EXPECT_EQ(meminfo_kb(text, "LowFree"), 741376 - (1048576 - 884000));
  expect_kernels_sums(text);
}

TEST_F(MeminfoHighMemory, ASmallerViewThanLowMemoryHasNone) {
  copy_fixture("docker-v2-private-ns");
  write("sys/fs/cgroup/memory.max", "536870912\n");  // 512 MiB; 300 MiB in use
  set_host_high(9000000, 876544);
  std::string text = meminfo();
  ASSERT_EQ(meminfo_kb(text, "MemTotal"), 524288);
  EXPECT_EQ(meminfo_kb(text, "HighTotal"), 0);
  EXPECT_EQ(meminfo_kb(text, "HighFree"), 0);
  EXPECT_EQ(meminfo_kb(text, "LowTotal"), 524288);
  EXPECT_EQ(meminfo_kb(text, "LowFree"), meminfo_kb(text, "MemFree"));
  expect_kernels_sums(text);
}

// Lines no kernel prints where the split is read (after SwapFree): each at most its whole.
TEST_F(MeminfoHighMemory, OutOfPlaceLinesAreEachBoundedByTheirWhole) {
  copy_fixture("docker-v2-private-ns");
  std::string text = read("proc/meminfo");
  size_t at = text.find("\nDirty:") + 1;
  text.insert(at, "HighTotal:      15500000 kB\nHighFree:        9000000 kB\nLowTotal:         884000 kB\n"
                  "LowFree:          40000 kB\n");
  write("proc/meminfo", text);
  text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "HighTotal"), 1048576);
  EXPECT_EQ(meminfo_kb(text, "HighFree"), 741376);
  EXPECT_EQ(meminfo_kb(text, "LowTotal"), 884000);  // within MemTotal: the host's
  EXPECT_EQ(meminfo_kb(text, "LowFree"), 40000);
}

// Memory set aside for contiguous allocations (arm64 boards and phones): part
// of MemTotal, its free part of MemFree.
TEST_F(MeminfoKernelLines, ContiguousMemoryAtMostTheView) {
  copy_fixture("docker-v2-private-ns");
  std::string host = read("proc/meminfo");
  size_t at = host.find("\nHugePages_Total:") + 1;
  ASSERT_NE(at, 0u);
  write("proc/meminfo", host.substr(0, at) + "CmaTotal:        2097152 kB\nCmaFree:         2000000 kB\n" +
                            host.substr(at));
  std::string text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "CmaTotal"), 1048576);
  EXPECT_EQ(meminfo_kb(text, "CmaFree"), 741376);
  write("proc/meminfo", host.substr(0, at) + "CmaTotal:          65536 kB\nCmaFree:           60000 kB\n" +
                            host.substr(at));
  text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "CmaTotal"), 65536);  // within the view: the host's
  EXPECT_EQ(meminfo_kb(text, "CmaFree"), 60000);
}

// Lines no cgroup file counts, each within the line a kernel keeps it under:
// memory not yet accepted from the hypervisor is free memory, NFS pages not
// yet committed are page cache, bounce buffers and FUSE's temporary pages are
// kernel memory; PMD-mapped pages are mapped pages, and the zswap pool (kernel
// memory) holds at most what it stores.
TEST_F(MeminfoKernelLines, HostOnlyLinesWithinTheLinesThatHoldThem) {
  copy_fixture("docker-v2-private-ns");  // 1 GiB; MemFree 741376 kB, Cached 102400 kB
  const std::string stat = "sys/fs/cgroup/memory.stat";
  set_stat(stat, "file_thp", "62914560");  // 60 MiB of file huge pages, 8 MiB of pages mapped
  set_stat(stat, "file_mapped", "8388608");
  set_stat(stat, "zswapped", "7340032");
  set_stat(stat, "zswap", "104857600");  // a 100 MiB pool for 7 MiB stored: not a kernel's
  std::string host = read("proc/meminfo");
  size_t at = host.find("\nHugePages_Total:") + 1;
  write("proc/meminfo", host.substr(0, at) + "Unaccepted:     40000000 kB\nShadowCallStack:  3000000 kB\n" +
                            host.substr(at));
  set_host_line("NFS_Unstable", 3000000);
  set_host_line("Bounce", 2000000);
  set_host_line("WritebackTmp", 2500000);
  set_host_line("FilePmdMapped", 61440);
  std::string text = meminfo();
  const int64_t room = kernel_room(text);
  ASSERT_GT(room, 0);
  EXPECT_EQ(meminfo_kb(text, "Unaccepted"), meminfo_kb(text, "MemFree"));
  EXPECT_EQ(meminfo_kb(text, "NFS_Unstable"), meminfo_kb(text, "Cached"));
  EXPECT_EQ(meminfo_kb(text, "Bounce"), room);
  EXPECT_EQ(meminfo_kb(text, "WritebackTmp"), room);
  EXPECT_EQ(meminfo_kb(text, "ShadowCallStack"), room);
  EXPECT_EQ(meminfo_kb(text, "FilePmdMapped"), 8192);  // Mapped, below FileHugePages' 61440
  EXPECT_EQ(meminfo_kb(text, "Zswap"), 7168);  // Zswapped
  // Small host figures: the host's (free memory, page cache), or the
  // container's share of the host's (kernel memory).
  write("proc/meminfo", host.substr(0, at) + "Unaccepted:         2048 kB\n" + host.substr(at));
  set_host_line("NFS_Unstable", 8);
  set_host_line("Bounce", 0);
  set_host_line("WritebackTmp", 40000);
  text = meminfo();
  EXPECT_EQ(meminfo_kb(text, "NFS_Unstable"), 8);
  EXPECT_EQ(meminfo_kb(text, "Bounce"), 0);
  EXPECT_EQ(meminfo_kb(text, "WritebackTmp"), host_share_kb(40000, 307200, 16384000 - 9876544));  // 1888
  EXPECT_EQ(meminfo_kb(text, "Unaccepted"), 2048);
}

// v1 memory.swappiness 0 (Docker's --memory-swappiness 0): reclaim at the
// cgroup's limit never swaps it out (the kernel scans only page cache there),
// so the view has no swap, whatever memsw allows; the JDK and LXCFS agree.
// The fixture allows 1 GiB of swap (memsw 3 GiB over a 2 GiB limit) on a host
// with 2 GiB of swap.
class V1Swappiness : public CopiedFixture {
 protected:
  static constexpr const char* kMemory = "sys/fs/cgroup/memory/";
  int64_t swap_total_kb() {
    auto limits = limits_for(config());
    Rendered r = render_to_string(VirtualFile::Meminfo, config(), *limits);
    EXPECT_TRUE(r.ok);
    return meminfo_kb(r.text, "SwapTotal");
  }
};

TEST_F(V1Swappiness, ZeroMeansNoSwapUnderAMemswLimit) {
  copy_fixture("docker-v1-host-ns");
  write(std::string(kMemory) + "memory.swappiness", "60\n");
  EXPECT_EQ(swap_total_kb(), 1048576);  // memsw - L, as before
  write(std::string(kMemory) + "memory.swappiness", "0\n");
  auto limits = limits_for(config());
  ASSERT_TRUE(limits->memory.has_swap_allowance);
  EXPECT_EQ(limits->memory.swap_allowance, 0u);
  EXPECT_NE(limits->memory.swap_source.file.view().find("memory.swappiness"), std::string_view::npos);
  EXPECT_EQ(swap_total_kb(), 0);
}

TEST_F(V1Swappiness, ZeroHidesTheHostsSwapWithoutAMemswLimit) {
  copy_fixture("docker-v1-host-ns");
  write(std::string(kMemory) + "memory.memsw.limit_in_bytes", "9223372036854771712\n");
  write(std::string(kMemory) + "memory.stat",
        std::regex_replace(read(std::string(kMemory) + "memory.stat"),
                           std::regex("hierarchical_memsw_limit [0-9]+"), "hierarchical_memsw_limit 9223372036854771712"));
  EXPECT_EQ(swap_total_kb(), 2097148);  // no allowance: the host's line
  write(std::string(kMemory) + "memory.swappiness", "0\n");
  EXPECT_EQ(swap_total_kb(), 0);
}

// Without a memory limit only the host's reclaim meets the cgroup: swappiness alone changes nothing.
TEST_F(V1Swappiness, ZeroWithoutALimitKeepsTheHostsSwap) {
  copy_fixture("docker-v1-host-ns");
  write(std::string(kMemory) + "memory.limit_in_bytes", "9223372036854771712\n");
  write(std::string(kMemory) + "memory.memsw.limit_in_bytes", "9223372036854771712\n");
  write(std::string(kMemory) + "memory.stat",
        std::regex_replace(std::regex_replace(read(std::string(kMemory) + "memory.stat"),
                                              std::regex("hierarchical_memsw_limit [0-9]+"),
                                              "hierarchical_memsw_limit 9223372036854771712"),
                           std::regex("hierarchical_memory_limit [0-9]+"), "hierarchical_memory_limit 9223372036854771712"));
  write(std::string(kMemory) + "memory.swappiness", "0\n");
  auto limits = limits_for(config());
  EXPECT_FALSE(limits->memory.has_limit);
  EXPECT_FALSE(limits->memory.has_swap_allowance);
}
