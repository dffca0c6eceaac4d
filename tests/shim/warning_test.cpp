// The malformed-setting warning, from a real preloaded program: one line per
// malformed variable on stderr, once per process however many threads make
// their first call together, errno kept, nothing when the settings are good
// or the shim is disabled.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "real_cgroup.hpp"

namespace {

using cgview::test::run_program;
using cgview::test::RunResult;

const std::string kPreload = std::string("LD_PRELOAD=") + CGVIEW_SHIM_PATH;
const std::string kProbe = CGVIEW_WARNING_PROBE;
constexpr int kThreads = 64;

std::map<std::string, std::string> parse(const std::string& out) {
  std::map<std::string, std::string> values;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

RunResult run_probe(std::vector<std::string> env) {
  env.insert(env.begin(), kPreload);
  return run_program({kProbe, std::to_string(kThreads)}, env);
}

void expect_all_answered(const RunResult& r) {
  auto v = parse(r.out);
  EXPECT_EQ(v["answered"], std::to_string(kThreads)) << r.out << r.err;
  EXPECT_EQ(v["errno_kept"], std::to_string(kThreads)) << "errno changed by a call (or its warning)";
  EXPECT_EQ(v["child_ok"], "1");
}

}  // namespace

TEST(SettingWarning, OncePerProcessAndVariableWithManyThreads) {
  const std::string expected =
      "cgview: ignoring CGVIEW_DISABLE=maybe: expected 1, true, yes, on, 0, false, no or off\n"
      "cgview: ignoring CGVIEW_SYSROOT=/nonexistent/cgview: expected a system's root: an existing directory with proc/ or sys/ in it\n"
      "cgview: ignoring CGVIEW_CPUS=two: expected a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5\n";
  // Repeated: the threads race for the first read differently each time.
  for (int round = 0; round < 10; ++round) {
    RunResult r = run_probe({"CGVIEW_CPUS=two", "CGVIEW_DISABLE=maybe", "CGVIEW_SYSROOT=/nonexistent/cgview",
                             "CGVIEW_MEMORY=1G"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, expected) << "round " << round;
    expect_all_answered(r);
  }
}

// As if unset: the malformed CGVIEW_DISABLE leaves the shim on, and a good
// CGVIEW_CPUS beside it applies.
TEST(SettingWarning, MalformedValueCountsAsUnset) {
  RunResult r = run_probe({"CGVIEW_CPUS=1", "CGVIEW_DISABLE=perhaps"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse(r.out)["cpus"], "1") << "the shim must still answer";
  EXPECT_EQ(r.err, "cgview: ignoring CGVIEW_DISABLE=perhaps: expected 1, true, yes, on, 0, false, no or off\n");
}

TEST(SettingWarning, GoodSettingsPrintNothing) {
  RunResult r = run_probe({"CGVIEW_CPUS=1", "CGVIEW_DISABLE=false", "CGVIEW_HOLD_FILES=off", "CGVIEW_DEBUG=no",
                           "CGVIEW_CPU_ROUNDING=floor", "CGVIEW_CPU_PLACEMENT=lowest", "CGVIEW_MEMORY="});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(parse(r.out)["cpus"], "1") << "CGVIEW_DISABLE=false must leave the shim on";
  expect_all_answered(r);
}

TEST(SettingWarning, DisabledShimIsSilent) {
  RunResult r = run_probe({"CGVIEW_DISABLE=TRUE", "CGVIEW_CPUS=two"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  expect_all_answered(r);
}
