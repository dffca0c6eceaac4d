// The CLI and the shim in real cgroups: children of this test's own cgroup,
// made and removed by RealCgroup. These need root and a writable cgroupfs,
// which the machines here and CI have; elsewhere they skip with the reason
// (and fail instead when CGVIEW_TEST_REQUIRE_CGROUPS=1, as .ci/run sets).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <string>

#include "input_file.hpp"
#include "key_values.hpp"
#include "real_cgroup.hpp"

using cgview::test::RealCgroup;
using cgview::test::run_program;

namespace {

const std::string kShim = CGVIEW_SHIM_PATH;
const std::string kCli = CGVIEW_CLI_PATH;
const std::string kProbe = CGVIEW_PROBE_PLAIN;

std::map<std::string, std::string> probe(const std::vector<std::string>& args, const std::vector<std::string>& env,
                                         const RealCgroup* group) {
  std::vector<std::string> argv = {kProbe};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = run_program(argv, env, group);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  return cgview::test::parse_key_values(result.out);
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

TEST(RealCgroup, CatMeminfoShowsThe256MiBLimit) {
  RealCgroup group(0, 0, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  auto cat = run_program({kCli, "cat", "/proc/meminfo"}, {}, &group);
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(first_line(cat.out), "MemTotal:         262144 kB");
}

TEST(RealCgroup, ShowNamesTheLimitFiles) {
  RealCgroup group(50000, 100000, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  auto show = run_program({kCli, "show", "--json"}, {}, &group);
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("\"container\": 1,"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("\"quota\": 0.5,"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("cpu.cfs_quota_us"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("memory.limit_in_bytes"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("\"total\": 268435456,"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("\"limit\": 268435456,"), std::string::npos) << show.out;
}

TEST(RealCgroup, ShimHalfACpuAnd256MiB) {
  RealCgroup group(50000, 100000, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  auto v = probe({"view"}, {"LD_PRELOAD=" + kShim}, &group);
  for (const char* key : {"sysconf_onln", "get_nprocs", "affinity_count", "pthread_affinity_count", "cpuinfo_blocks",
                          "stat_cpu_lines"})
    EXPECT_EQ(v[key], "1") << key;
  EXPECT_EQ(v["online"], "0");
  for (const char* key : {"meminfo_total_kb", "sysinfo_totalram_kb", "phys_pages_kb", "get_phys_pages_kb"})
    EXPECT_EQ(v[key], "262144") << key;
  // Without the shim the same cgroup shows the host: the checks above can fail.
  auto host = probe({"view"}, {}, &group);
  EXPECT_EQ(host["sysconf_onln"], std::to_string(sysconf(_SC_NPROCESSORS_ONLN)));
  EXPECT_NE(host["meminfo_total_kb"], "262144");
}

TEST(RealCgroup, NprocAndFreeUnderTheShim) {
  RealCgroup group(50000, 100000, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  auto nproc = run_program({"/usr/bin/nproc"}, {"LD_PRELOAD=" + kShim}, &group);
  EXPECT_EQ(nproc.out, "1\n");
  auto free = run_program({"/usr/bin/free", "-b"}, {"LD_PRELOAD=" + kShim}, &group);
  std::istringstream lines(free.out);
  std::string header, label, total;
  std::getline(lines, header);
  lines >> label >> total;
  EXPECT_EQ(label, "Mem:");
  EXPECT_EQ(total, "268435456") << free.out;
}

TEST(RealCgroup, CpusetOfTheSecondCpuKeepsRealIds) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
    // Like REQUIRE_REAL_CGROUP: where real-cgroup tests are required, not running is a failure.
    if (cgview::test::real_cgroups_required()) FAIL() << "needs two online CPUs (CGVIEW_TEST_REQUIRE_CGROUPS=1)";
    GTEST_SKIP() << "needs two online CPUs; this machine has one";
  }
  RealCgroup group(0, 0, 0, "1");
  REQUIRE_REAL_CGROUP(group);
  auto v = probe({"view"}, {"LD_PRELOAD=" + kShim}, &group);
  EXPECT_EQ(v["sysconf_onln"], "1");
  EXPECT_EQ(v["affinity"], "1");
  EXPECT_EQ(v["online"], "1");
  EXPECT_EQ(v["cpuinfo_blocks"], "1");
  EXPECT_EQ(v["stat_cpu_lines"], "1");
}

TEST(RealCgroup, ALimitChangeShowsWithinOneSecond) {
  RealCgroup group(0, 0, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  std::string limit_file = group.directories().front() + "/memory.limit_in_bytes";
  auto v = probe({"rewind", limit_file, "134217728", "1000"}, {"LD_PRELOAD=" + kShim}, &group);
  EXPECT_EQ(v["before"], "262144");
  for (const char* key : {"lseek", "rewind", "fseek", "fseeko"}) EXPECT_EQ(v[key], "131072") << key;
}

// A held memory.stat whose cgroup is removed reads ENODEV; when a cgroup of
// the same path comes back, the next read opens it afresh instead of failing.
TEST(RealCgroup, AHeldFileOfARemovedCgroupIsOpenedAgain) {
  RealCgroup group(0, 0, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  std::string memory_dir;
  for (const std::string& dir : group.directories())
    if (dir.find("/memory/") != std::string::npos) memory_dir = dir;
  ASSERT_NE(memory_dir, "") << "no memory cgroup made";
  std::string child = memory_dir + "/held", stat = child + "/memory.stat";
  cgview::Sysroot live;
  live.hold_inputs = true;
  char buf[8192];
  ASSERT_EQ(mkdir(child.c_str(), 0755), 0);
  size_t held_before = cgview::held_file_count();
  EXPECT_GT(cgview::read_input_file(live, stat, buf), 0);
  ASSERT_EQ(cgview::held_file_count(), held_before + 1) << "not held: the test proves nothing";
  ASSERT_EQ(rmdir(child.c_str()), 0) << "an open file must not keep a cgroup from being removed";
  ASSERT_EQ(mkdir(child.c_str(), 0755), 0);
  ssize_t n = cgview::read_input_file(live, stat, buf);
  EXPECT_GT(n, 0) << "the held fd of the removed cgroup was read";
  EXPECT_EQ(std::string(buf, n > 0 ? size_t(n) : 0).rfind("cache ", 0), 0u);
  rmdir(child.c_str());
}

}  // namespace
