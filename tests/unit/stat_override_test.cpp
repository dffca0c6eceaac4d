// /proc/stat where the CPU time is the whole host's (the root cgroup) and N is
// below |A| (CGVIEW_CPUS, or a quota from another hierarchy): busy is the
// host's scaled by N/|A|, so `cgview run --cpus 1` on a half-idle host shows
// about half idle, not 100% busy.
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

// v1-cpuset-quota: a private cgroupns (paths "/"), A = {2,3,6}; cpuacct.stat
// user 120034, system 20117; uptime 12349.67 s -> 1234967 ticks.
TEST_F(StatOverride, TheRootCgroupsTimeIsScaledToN) {
  copy_fixture("v1-cpuset-quota");
  // Not the hierarchy's root (no release_agent): the time is the container's, unscaled.
  // N = 1: idle = 1234967 - 120034 - 20117 = 1094816.
  EXPECT_EQ(aggregate(true), "cpu  120034 0 20117 1094816 0 0 0 0 0 0");
  write("sys/fs/cgroup/cpu,cpuacct/release_agent", "\n");
  // The real root: busy x 1/3 -> user 40011, system 6705; idle 1234967 - 46716 = 1188251.
  EXPECT_EQ(aggregate(true), "cpu  40011 0 6705 1188251 0 0 0 0 0 0");
  // Without an override N comes from the quota (2.5 -> 3 = |A|): nothing to scale.
  std::string unscaled = aggregate(false);
  EXPECT_EQ(cgview_test::fields(unscaled)[1], "120034") << unscaled;
}

// A quota below |A| scales the whole host's time as an override does: a v1
// process put in a cpu cgroup with a quota but left in the root cpuacct
// (cgexec -g cpu:..., or cpu and cpuacct mounted apart) would otherwise see
// its N CPUs 100% busy whenever the host is.
TEST_F(StatOverride, AQuotaScalesTheRootCgroupsTimeToo) {
  copy_fixture("v1-cpuset-quota");
  write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "100000\n");  // N = 1 of A = {2,3,6}
  EXPECT_EQ(aggregate(false), "cpu  120034 0 20117 1094816 0 0 0 0 0 0");  // the container's own time
  write("sys/fs/cgroup/cpu,cpuacct/release_agent", "\n");
  EXPECT_EQ(aggregate(false), "cpu  40011 0 6705 1188251 0 0 0 0 0 0");
}

// cgroup v2: the root alone has no cgroup.type.
TEST_F(StatOverride, V2RootHasNoCgroupType) {
  copy_fixture("docker-v2-private-ns");
  std::string container = aggregate(true);
  std::filesystem::remove(path("sys/fs/cgroup/cgroup.type"));
  std::string root = aggregate(true);
  // cpu.stat user_usec 33748351 -> 3374 ticks; A = 0-7, N = 1: 3374 / 8 = 421.
  EXPECT_EQ(cgview_test::fields(container)[1], "3374") << container;
  EXPECT_EQ(cgview_test::fields(root)[1], "421") << root;
}

}  // namespace
