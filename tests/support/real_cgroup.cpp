#include "real_cgroup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace cgview::test {

namespace {

bool write_file(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, value.data(), value.size()) == ssize_t(value.size());
  close(fd);
  return ok;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The v1 cgroup path of `controller` for this process, from /proc/self/cgroup.
bool own_path(const std::string& controller, std::string& path) {
  std::istringstream lines(read_file("/proc/self/cgroup"));
  std::string line;
  while (std::getline(lines, line)) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string list = "," + line.substr(a + 1, b - a - 1) + ",";
    if (list.find("," + controller + ",") != std::string::npos) {
      path = line.substr(b + 1);
      return true;
    }
  }
  return false;
}

// The own cgroup v2 directory: the "0::" line, under /sys/fs/cgroup when
// that is the cgroup2 mount (its cgroup.controllers says so). Empty if not.
std::string own_v2_dir() {
  std::istringstream lines(read_file("/proc/self/cgroup"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    struct stat st;
    if (stat("/sys/fs/cgroup/cgroup.controllers", &st) != 0) return "";
    std::string path = line.substr(3);
    return "/sys/fs/cgroup" + (path == "/" ? "" : path);
  }
  return "";
}

// Where the v2 children go: beside the test, in the parent scripts/test
// prepared (CGVIEW_TEST_CGROUP_PARENT: the test itself sits in a leaf of it,
// since a cgroup holding processes gives its children no limits), else in
// the own cgroup.
std::string v2_parent_dir() {
  const char* prepared = getenv("CGVIEW_TEST_CGROUP_PARENT");
  if (prepared != nullptr && *prepared != '\0') return prepared;
  return own_v2_dir();
}

// Whether the space-separated list `words` holds `word`.
bool lists(const std::string& words, const std::string& word) {
  std::istringstream in(words);
  std::string w;
  while (in >> w)
    if (w == word) return true;
  return false;
}

// Removes the cgroups a test run that was killed left in `parent` (its
// destructors never ran): cgview-test-PID-N of a PID that no longer exists.
// rmdir fails on one still holding a process, which is then left as it is.
void remove_stale_test_cgroups(const std::string& parent) {
  DIR* dir = opendir(parent.c_str());
  if (dir == nullptr) return;
  const std::string prefix = "cgview-test-";
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name.rfind(prefix, 0) != 0) continue;
    long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid <= 0 || kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;
    rmdir((parent + "/" + name).c_str());
  }
  closedir(dir);
}

}  // namespace

bool real_cgroups_required() {
  const char* required = getenv("CGVIEW_TEST_REQUIRE_CGROUPS");
  return required != nullptr && std::strcmp(required, "1") == 0;
}

bool RealCgroup::make(const std::string& controller, std::string& dir) {
  std::string own;
  if (!own_path(controller, own)) {
    why_ = "no v1 " + controller + " hierarchy in /proc/self/cgroup (real-cgroup tests need cgroup v1)";
    unavailable_ = true;
    return false;
  }
  std::string mount = "/sys/fs/cgroup/" + controller;
  struct stat st;
  if (stat((mount + "/cgroup.procs").c_str(), &st) != 0) {
    why_ = mount + " is not a cgroup v1 mount";
    unavailable_ = true;
    return false;
  }
  std::string parent = mount + (own == "/" ? "" : own);
  remove_stale_test_cgroups(parent);
  dir = parent + "/cgview-test-" + std::to_string(getpid()) + "-" + std::to_string(dirs_.size());
  if (mkdir(dir.c_str(), 0755) != 0) {
    why_ = "mkdir " + dir + ": " + std::strerror(errno);
    return false;
  }
  dirs_.push_back(dir);
  return true;
}

bool RealCgroup::make_v2(long quota_us, long period_us, unsigned long long memory_bytes, const std::string& cpus) {
  std::string base = v2_parent_dir();
  if (base.empty()) {
    why_ = "no cgroup v1 cpu and memory hierarchies in /proc/self/cgroup, and no cgroup v2 at /sys/fs/cgroup";
    unavailable_ = true;
    return false;
  }
  // v2 gives a child limits only where its parent enables the controllers
  // for children, and refuses that to a non-root cgroup holding processes
  // (this test's own): the own cgroup must enable them already, or be the root.
  std::string wanted;
  for (const char* c : {"cpu", "cpuset", "memory"}) {
    if (!lists(read_file(base + "/cgroup.controllers"), c)) {
      why_ = std::string("cgroup v2's ") + c + " controller is not available in " + base;
      unavailable_ = true;
      return false;
    }
    if (!lists(read_file(base + "/cgroup.subtree_control"), c)) wanted += std::string(wanted.empty() ? "+" : " +") + c;
  }
  if (!wanted.empty() && !write_file(base + "/cgroup.subtree_control", wanted)) {
    why_ = base + " does not enable cpu, cpuset and memory for children and cannot (it holds processes: "
                  "cgroup v2 gives their siblings no limits; scripts/test prepares a cgroup where it can)";
    unavailable_ = true;
    return false;
  }
  remove_stale_test_cgroups(base);
  std::string dir = base + "/cgview-test-" + std::to_string(getpid()) + "-0";
  if (mkdir(dir.c_str(), 0755) != 0) {
    why_ = "mkdir " + dir + ": " + std::strerror(errno);
    return false;
  }
  dirs_.push_back(dir);
  v2_ = true;
  if (quota_us > 0 && !write_file(dir + "/cpu.max", std::to_string(quota_us) + " " + std::to_string(period_us))) {
    why_ = "cannot set the quota in " + dir;
    return false;
  }
  if (memory_bytes > 0 && !write_file(dir + "/memory.max", std::to_string(memory_bytes))) {
    why_ = "cannot set the memory limit in " + dir;
    return false;
  }
  if (!cpus.empty() && !write_file(dir + "/cpuset.cpus", cpus)) {
    why_ = "cannot set cpuset.cpus in " + dir;
    return false;
  }
  return true;
}

std::vector<std::string> RealCgroup::homes() const {
  std::vector<std::string> homes;
  for (const std::string& dir : dirs_) homes.push_back(v2_ ? own_v2_dir() : dir.substr(0, dir.rfind('/')));
  return homes;
}

std::string RealCgroup::memory_directory() const {
  for (const std::string& dir : dirs_)
    if (v2_ || dir.find("/memory/") != std::string::npos) return dir;
  return "";
}

RealCgroup::RealCgroup(long quota_us, long period_us, unsigned long long memory_bytes, const std::string& cpus) {
  if (geteuid() != 0) {
    why_ = "not root: real-cgroup tests create cgroups";
    unavailable_ = true;
    return;
  }
  // v1 wherever a hierarchy holds cpu and one holds memory (a hybrid host
  // too), as cgview reads it; else cgroup v2.
  std::string own_cpu, own_memory;
  if (!own_path("cpu", own_cpu) || !own_path("memory", own_memory)) {
    ok_ = make_v2(quota_us, period_us, memory_bytes, cpus);
    return;
  }
  std::string dir;
  if (quota_us > 0) {
    if (!make("cpu", dir)) return;
    if (!write_file(dir + "/cpu.cfs_period_us", std::to_string(period_us)) ||
        !write_file(dir + "/cpu.cfs_quota_us", std::to_string(quota_us))) {
      why_ = "cannot set the quota in " + dir;
      return;
    }
  }
  if (memory_bytes > 0) {
    if (!make("memory", dir)) return;
    if (!write_file(dir + "/memory.limit_in_bytes", std::to_string(memory_bytes))) {
      why_ = "cannot set the memory limit in " + dir;
      return;
    }
  }
  if (!cpus.empty()) {
    if (!make("cpuset", dir)) return;
    std::string parent = dir.substr(0, dir.rfind('/'));
    if (!write_file(dir + "/cpuset.cpus", cpus) ||
        !write_file(dir + "/cpuset.mems", read_file(parent + "/cpuset.mems"))) {
      why_ = "cannot set cpuset.cpus in " + dir;
      return;
    }
  }
  ok_ = true;
}

RealCgroup::~RealCgroup() {
  // Members leave with their processes; wait briefly for exiting ones.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    for (int attempt = 0; attempt < 50 && rmdir(it->c_str()) != 0 && errno == EBUSY; ++attempt) usleep(20000);
  }
}

bool RealCgroup::enter(pid_t pid) const {
  for (const std::string& dir : dirs_)
    if (!write_file(dir + "/cgroup.procs", std::to_string(pid))) return false;
  return true;
}

void add_test_settings(std::vector<std::string>& env) {
  const char* hold = getenv("CGVIEW_TEST_HOLD_FILES");
  if (hold == nullptr) return;
  for (const std::string& e : env)
    if (e.rfind("CGVIEW_HOLD_FILES=", 0) == 0) return;
  env.push_back(std::string("CGVIEW_HOLD_FILES=") + hold);
}

RunResult run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                      const RealCgroup* group, const std::string& stdin_text) {
  RunResult result;
  int out_pipe[2], err_pipe[2], in_pipe[2], go_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC) || pipe2(in_pipe, O_CLOEXEC) ||
      pipe2(go_pipe, O_CLOEXEC))
    return result;
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string var = *e;
    if (var.rfind("LD_PRELOAD=", 0) == 0 || var.rfind("CGVIEW_", 0) == 0) continue;
    env_strings.push_back(var);
  }
  for (const std::string& e : env) env_strings.push_back(e);
  add_test_settings(env_strings);
  std::vector<char*> envp, args;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (std::string& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    // Wait until the parent has moved us into the cgroup, then exec.
    char go;
    if (read(go_pipe[0], &go, 1) != 1) _exit(126);
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    // A program that hangs (a deadlock in the shim) is killed and fails its test
    // rather than stop the suite: the alarm outlives execve (not fork: a hung
    // grandchild of a shell is not covered). Every run here takes seconds; a
    // program that sets its own timer replaces this one.
    alarm(300);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(in_pipe[0]);
  close(go_pipe[0]);
  if (group != nullptr && !group->enter(pid)) {
    kill(pid, SIGKILL);
  }
  (void)!write(go_pipe[1], "g", 1);
  close(go_pipe[1]);
  if (!stdin_text.empty()) (void)!write(in_pipe[1], stdin_text.data(), stdin_text.size());
  close(in_pipe[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(out_pipe[0], buf, sizeof buf)) > 0) result.out.append(buf, size_t(n));
  while ((n = read(err_pipe[0], buf, sizeof buf)) > 0) result.err.append(buf, size_t(n));
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace cgview::test
