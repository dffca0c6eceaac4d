// A child cgroup of the test's own cgroup with a CPU quota and a memory limit,
// removed on destruction. Touches nothing outside that subtree. cgroup v1 (a
// child in each hierarchy), or cgroup v2 where no v1 hierarchy holds cpu and
// memory: one child, made where the own cgroup already enables cpu, cpuset
// and memory for children or can (the hierarchy's root: the test VM), or in
// the parent scripts/test prepared on v2 (CGVIEW_TEST_CGROUP_PARENT), beside
// the leaf the test runs in.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace cgview::test {

class RealCgroup {
 public:
  // quota_us/period_us (0 = none), memory limit in bytes (0 = none),
  // cpuset list ("" = inherit). Check ok() / why() after construction.
  RealCgroup(long quota_us, long period_us, unsigned long long memory_bytes, const std::string& cpus = "");
  ~RealCgroup();
  RealCgroup(const RealCgroup&) = delete;
  RealCgroup& operator=(const RealCgroup&) = delete;

  bool ok() const { return ok_; }
  // The machine cannot host the cgroup at all (not root, no hierarchy that
  // can give a child limits): tests skip, unless real_cgroups_required().
  // Any other failure (mkdir, a limit that will not take) is a failure.
  bool unavailable() const { return unavailable_; }
  const std::string& why() const { return why_; }
  // Moves `pid` into every directory made (writes cgroup.procs).
  bool enter(pid_t pid) const;
  const std::vector<std::string>& directories() const { return dirs_; }
  // Where this test process itself sits, one per directories() entry: a
  // member moved back there leaves the cgroup (v1: the parent; v2: the own
  // cgroup, a leaf beside it under scripts/test).
  std::vector<std::string> homes() const;
  // cgroup v2: directories() is the one child.
  bool v2() const { return v2_; }
  // The directory that holds the memory controller's files.
  std::string memory_directory() const;

 private:
  bool make(const std::string& controller, std::string& dir);
  bool make_v2(long quota_us, long period_us, unsigned long long memory_bytes, const std::string& cpus);
  std::vector<std::string> dirs_;
  bool v2_ = false;
  bool ok_ = false;
  bool unavailable_ = false;
  std::string why_;
};

// CI sets CGVIEW_TEST_REQUIRE_CGROUPS=1 (.ci/run): on its machines real
// cgroups are possible, so a test that would skip for want of them fails.
bool real_cgroups_required();

// At the top of a test that needs `group`: skips with the reason where the
// machine cannot host it (docs/design.md, Tests), fails where it should have.
#define REQUIRE_REAL_CGROUP(group)                                                        \
  do {                                                                                    \
    if ((group).unavailable() && !::cgview::test::real_cgroups_required())                \
      GTEST_SKIP() << (group).why();                                                      \
    ASSERT_TRUE((group).ok()) << (group).why();                                           \
  } while (0)

// The suites run some tests twice, once with ctest's environment setting
// CGVIEW_TEST_HOLD_FILES=1: then every program they start gets
// CGVIEW_HOLD_FILES=1 too, unless `env` names that variable itself.
void add_test_settings(std::vector<std::string>& env);

// Runs argv with extra environment variables inside `group` (or outside when
// null); returns stdout. stderr goes to `err` when given. Empty optional-like
// string and exit_code != 0 on failure.
struct RunResult {
  std::string out, err;
  int exit_code = -1;
};
RunResult run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                      const RealCgroup* group = nullptr, const std::string& stdin_text = "");

}  // namespace cgview::test
