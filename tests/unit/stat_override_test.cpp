// /proc/stat where the cgroup's CPU time is the whole host's (its cpuacct
// cgroup is the hierarchy's root): busy is what the host's own cpuN lines
// say A's CPUs did (user with nice, system with irq and softirq, as cpuacct
// counts them), scaled by N/|A| where N is below |A| (CGVIEW_CPUS, or a quota
// from another hierarchy). So `cgview run --cpus 1` on a half-idle host shows
// about half idle, and a cpuset or taskset on a host whose other CPUs are
// busy shows its own CPUs as they are, not 100% busy.
#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace cgview;

namespace {

class StatOverride : public cgview_test::CopiedFixture {
 protected:
  std::string aggregate(bool override_cpus) {
    Config config = this->config();
    if (override_cpus) {
      EXPECT_TRUE(set_cpus_override(config, "1"));
    }
    auto limits = cgview_test::limits_for(config);
    auto r = cgview_test::render_to_string(VirtualFile::Stat, config, *limits);
    EXPECT_TRUE(r.ok);
    return cgview_test::split_lines(r.text).front();
  }
};

// v1-cpuset-quota: a private cgroupns (paths "/"), A = {2,3,6} of 0-7;
// cpuacct.stat user 120034, system 20117; uptime 12349.67 s -> 1234967 ticks.
// The host's lines of A: user + nice 27940 + 43477 + 52802 = 124219, system
// + irq + softirq 25343 + 11515 + 16205 = 53063.
TEST_F(StatOverride, TheRootCgroupsTimeIsScaledToN) {
  copy_fixture("v1-cpuset-quota");
  // Not the hierarchy's root (no release_agent): the time is the container's, unscaled.
  // N = 1: idle = 1234967 - 120034 - 20117 = 1094816.
  EXPECT_EQ(aggregate(true), "cpu  120034 0 20117 1094816 0 0 0 0 0 0");
  write("sys/fs/cgroup/cpu,cpuacct/release_agent", "\n");
  // The real root: A's lines x 1/3 -> user 41406, system 17687; idle 1234967 - 59093 = 1175874.
  EXPECT_EQ(aggregate(true), "cpu  41406 0 17687 1175874 0 0 0 0 0 0");
  // Without an override N comes from the quota (2.5 -> 3 = |A|): A's lines as they are,
  // not the root's time of all eight CPUs (120034 of user over 8 CPUs' worth).
  std::string unscaled = aggregate(false);
  EXPECT_EQ(cgview_test::fields(unscaled)[1], "124219") << unscaled;
  EXPECT_EQ(cgview_test::fields(unscaled)[3], "53063") << unscaled;
}

// A quota below |A| scales as an override does: a v1 process put in a cpu
// cgroup with a quota but left in the root cpuacct (cgexec -g cpu:..., or cpu
// and cpuacct mounted apart) would otherwise see its N CPUs 100% busy
// whenever the host is.
TEST_F(StatOverride, AQuotaScalesTheRootCgroupsTimeToo) {
  copy_fixture("v1-cpuset-quota");
  write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "100000\n");  // N = 1 of A = {2,3,6}
  EXPECT_EQ(aggregate(false), "cpu  120034 0 20117 1094816 0 0 0 0 0 0");  // the container's own time
  write("sys/fs/cgroup/cpu,cpuacct/release_agent", "\n");
  EXPECT_EQ(aggregate(false), "cpu  41406 0 17687 1175874 0 0 0 0 0 0");
}

// A cpuset (or taskset) on a host whose time is the root's: V = A = {2,3,6},
// nothing to scale, and the aggregate is A's lines, which V's cpuN lines split.
TEST_F(StatOverride, ACpusetInTheRootCgroupShowsItsOwnCpus) {
  copy_fixture("v1-cpuset-quota");
  write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  write("sys/fs/cgroup/cpu,cpuacct/release_agent", "\n");
  auto limits = cgview_test::limits_for(config());
  ASSERT_EQ(cgview_test::cpu_list(limits->cpu.visible), "2-3,6");
  auto r = cgview_test::render_to_string(VirtualFile::Stat, config(), *limits);
  ASSERT_TRUE(r.ok);
  auto lines = cgview_test::split_lines(r.text);
  // idle: 3 x 1234967 - 124219 - 53063 = 3527619.
  EXPECT_EQ(lines.at(0), "cpu  124219 0 53063 3527619 0 0 0 0 0 0");
  EXPECT_EQ(lines.at(1).substr(0, 5), "cpu2 ");
  EXPECT_EQ(lines.at(3).substr(0, 5), "cpu6 ");
}

// cgroup v2: the root alone has no cgroup.type.
TEST_F(StatOverride, V2RootHasNoCgroupType) {
  copy_fixture("docker-v2-private-ns");
  std::string container = aggregate(true);
  std::filesystem::remove(path("sys/fs/cgroup/cgroup.type"));
  std::string root = aggregate(true);
  // The container's cpu.stat user_usec 33748351 -> 3374 ticks. The root's: A = 0-7,
  // N = 1: the host's user + nice 422809 over its eight lines / 8 = 52851.
  EXPECT_EQ(cgview_test::fields(container)[1], "3374") << container;
  EXPECT_EQ(cgview_test::fields(root)[1], "52851") << root;
}

}  // namespace
