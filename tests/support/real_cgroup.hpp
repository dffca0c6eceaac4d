// A child cgroup of the test's own cgroup with a CPU quota and a memory limit,
// removed on destruction. Touches nothing outside that subtree.
#pragma once

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
  const std::string& why() const { return why_; }
  // Moves `pid` into every directory made (writes cgroup.procs).
  bool enter(pid_t pid) const;
  const std::vector<std::string>& directories() const { return dirs_; }

 private:
  bool make(const std::string& controller, std::string& dir);
  std::vector<std::string> dirs_;
  bool ok_ = false;
  std::string why_;
};

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
