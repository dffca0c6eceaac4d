// The CLI and the shim in real cgroups: children of this test's own cgroup,
// made and removed by RealCgroup. These need root and a writable cgroupfs,
// which the machines here and CI have; elsewhere they skip with the reason
// (and fail instead when CGVIEW_TEST_REQUIRE_CGROUPS=1, as .ci/run sets).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
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
const std::string kAffinityProbe = CGVIEW_AFFINITY_PROBE;

std::map<std::string, std::string> probe(const std::vector<std::string>& args, const std::vector<std::string>& env,
                                         const RealCgroup* group) {
  std::vector<std::string> argv = {kProbe};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = run_program(argv, env, group);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  return cgview::test::parse_key_values(result.out);
}

std::map<std::string, std::string> probe_binary(const std::string& binary, const std::vector<std::string>& env,
                                                const RealCgroup* group) {
  auto result = run_program({binary}, env, group);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  return cgview::test::parse_key_values(result.out);
}

// A one-CPU view under the default placement (spread): one CPU of the
// host's, picked by the cgroup directory's inode, so not always "0".
bool one_host_cpu(const std::string& list) {
  if (list.empty() || list.find_first_not_of("0123456789") != std::string::npos || list.size() > 5) return false;
  return std::stol(list) < sysconf(_SC_NPROCESSORS_ONLN);
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.flush();
  return bool(out);
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RealCgroup, CatMeminfoShowsThe256MiBLimit) {
  RealCgroup group(0, 0, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  auto cat = run_program({kCli, "cat", "/proc/meminfo"}, {}, &group);
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(first_line(cat.out), "MemTotal:         262144 kB");
  // The host's Mlocked (this machine's: some 9 MB, held by processes outside
  // this cgroup) is never shown above the cgroup's Unevictable, as no kernel
  // shows it; v1's own huge page figure stands for AnonHugePages.
  auto kb = [&](const std::string& key) {
    size_t at = cat.out.find("\n" + key + ":");
    return at == std::string::npos ? -1 : std::stoll(cat.out.substr(at + key.size() + 2));
  };
  EXPECT_GE(kb("Unevictable"), 0) << cat.out;
  EXPECT_LE(kb("Mlocked"), kb("Unevictable")) << cat.out;
  EXPECT_LE(kb("AnonHugePages"), 262144) << cat.out;
}

TEST(RealCgroup, ShowNamesTheLimitFiles) {
  RealCgroup group(50000, 100000, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  auto show = run_program({kCli, "show", "--json"}, {}, &group);
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("\"container\": 1,"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("\"quota\": 0.5,"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find(group.v2() ? "/cpu.max" : "cpu.cfs_quota_us"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find(group.v2() ? "/memory.max" : "memory.limit_in_bytes"), std::string::npos) << show.out;
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
  EXPECT_TRUE(one_host_cpu(v["online"])) << v["online"];
  EXPECT_EQ(v["affinity"], v["online"]);
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

// A process whose main thread called pthread_exit while another runs on: the
// kernel then gives /proc/self no mounts and no fds (and on v1 shows it in
// the root cgroups), so the running thread's own /proc/thread-self stands
// in; without that the process got the host's view, and opens that name an
// fd under /proc (a directory fd, a wide stream) the host's files.
TEST(RealCgroup, AProcessWhoseMainThreadExitedKeepsItsView) {
  RealCgroup group(50000, 100000, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  auto v = probe({"view-after-main-exits"}, {"LD_PRELOAD=" + kShim}, &group);
  for (const char* key : {"sysconf_onln", "get_nprocs", "affinity_count", "cpuinfo_blocks", "stat_cpu_lines"})
    EXPECT_EQ(v[key], "1") << key;
  for (const char* key : {"meminfo_total_kb", "sysinfo_totalram_kb", "phys_pages_kb", "dirfd_meminfo_total_kb"})
    EXPECT_EQ(v[key], "262144") << key;
  EXPECT_EQ(v["wide_first_line"], "MemTotal:         262144 kB");
  // Without the shim the same probe sees the host: the checks above can fail.
  auto host = probe({"view-after-main-exits"}, {}, &group);
  EXPECT_NE(host["meminfo_total_kb"], "262144");
  EXPECT_EQ(host["dirfd_meminfo_total_kb"], host["meminfo_total_kb"]);
}

// GNU cp and install compare fstat of the open file with stat of its path
// (coreutils' own tests cp/proc-short-read and cp/proc-zero-len): a served
// file copies, with the container's numbers, and exits 0.
TEST(RealCgroup, CpAndInstallCopyServedFiles) {
  RealCgroup group(50000, 100000, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  char dir_template[] = "/tmp/cgview-cp-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::vector<std::string> shim = {"LD_PRELOAD=" + kShim};
  for (const std::string path : {"/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/sys/devices/system/cpu/online"}) {
    for (const std::string tool : {"/usr/bin/cp", "/usr/bin/install"}) {
      const std::string copy = dir + "/copy";
      auto result = run_program({tool, path, copy}, shim, &group);
      EXPECT_EQ(result.exit_code, 0) << tool << " " << path << ": " << result.err;
      EXPECT_EQ(result.err, "") << tool << " " << path;
      // What cat reads under the shim (a one-CPU view), up to the figures
      // that move between two reads: each line's first word.
      auto line_keys = [](const std::string& text) {
        std::istringstream lines(text);
        std::string line, keys;
        while (std::getline(lines, line)) keys += line.substr(0, line.find_first_of(" \t:")) + "\n";
        return keys;
      };
      auto cat = run_program({"/usr/bin/cat", path}, shim, &group);
      std::string copied = file_text(copy);
      EXPECT_NE(copied, "") << tool << " " << path;
      EXPECT_EQ(line_keys(copied), line_keys(cat.out)) << tool << " " << path;
      unlink(copy.c_str());
    }
  }
  auto cp = run_program({"/usr/bin/cp", "/proc/meminfo", dir + "/meminfo"}, shim, &group);
  EXPECT_EQ(first_line(file_text(dir + "/meminfo")), "MemTotal:         262144 kB");
  unlink((dir + "/meminfo").c_str());
  rmdir(dir.c_str());
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
  // CPU 0 is shown off-line, and says so by its `online` file, absolute and as
  // htop opens it (openat of "online" on an O_PATH fd of the CPU's directory),
  // even on x86, whose CPU 0 has no such file: htop counts a CPU without one
  // as online and would split the view's one CPU of time over two.
  auto online = run_program({"/usr/bin/python3", "-c", R"(import os
d = os.open("/sys/devices/system/cpu/cpu0", os.O_PATH | os.O_DIRECTORY)
print(open("/sys/devices/system/cpu/cpu0/online").read().strip(),
      os.read(os.open("online", os.O_RDONLY, dir_fd=d), 8).decode().strip()))"},
                            {"LD_PRELOAD=" + kShim}, &group);
  EXPECT_EQ(online.exit_code, 0) << online.err;
  EXPECT_EQ(online.out, "0 0\n");
}

TEST(RealCgroup, ALimitChangeShowsWithinOneSecond) {
  RealCgroup group(0, 0, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  std::string limit_file = group.memory_directory() + (group.v2() ? "/memory.max" : "/memory.limit_in_bytes");
  auto v = probe({"rewind", limit_file, "134217728", "1000"}, {"LD_PRELOAD=" + kShim}, &group);
  EXPECT_EQ(v["before"], "262144");
  for (const char* key : {"lseek", "rewind", "fseek", "fseeko"}) EXPECT_EQ(v[key], "131072") << key;
}

// A held memory.stat whose cgroup is removed reads ENODEV; when a cgroup of
// the same path comes back, the next read opens it afresh instead of failing.
TEST(RealCgroup, AHeldFileOfARemovedCgroupIsOpenedAgain) {
  RealCgroup group(0, 0, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  std::string memory_dir = group.memory_directory();
  ASSERT_NE(memory_dir, "") << "no memory cgroup made";
  // v2: a child has memory files only where its parent enables the controller
  // for children (the group holds no process yet, so it may).
  if (group.v2()) {
    ASSERT_TRUE(write_text(memory_dir + "/cgroup.subtree_control", "+memory"));
  }
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
  EXPECT_EQ(std::string(buf, n > 0 ? size_t(n) : 0).rfind(group.v2() ? "anon " : "cache ", 0), 0u);
  rmdir(child.c_str());
}

// Affinity save-and-restore in a 0.5-CPU cgroup: V is one CPU of the real
// 0-1. Restoring what was shown must leave the kernel's mask at the real one
// (read past the shim: raw system calls, and status files read by programs
// without the shim); the status files of the process show V.
std::string host_cpu_list() {
  std::string online;
  std::getline(std::ifstream("/sys/devices/system/cpu/online") >> std::ws, online);
  return online;
}

TEST(RealAffinity, RestoringTheShownMaskKeepsTheRealMask) {
  RealCgroup group(50000, 100000, 0);
  REQUIRE_REAL_CGROUP(group);
  auto v = probe_binary(kAffinityProbe, {"LD_PRELOAD=" + kShim}, &group);
  std::string real = v["kernel_before"];
  ASSERT_NE(real.find(','), std::string::npos) << "needs a real mask of two CPUs or more: " << real;
  EXPECT_EQ(v["shown"].find(','), std::string::npos) << "V is one CPU: " << v["shown"];
  EXPECT_EQ(v["status_list"], v["shown"]) << "the status file agrees with sched_getaffinity";
  EXPECT_EQ(v["status_pid_list"], v["shown"]);
  for (const char* key : {"kernel_after_restore", "kernel_after_restore_old", "kernel_after_pthread_restore",
                          "kernel_after_syscall_restore", "kernel_unpinned"})
    EXPECT_EQ(v[key], real) << key;
  EXPECT_EQ(v["syscall_shown"], v["shown"]) << "syscall(SYS_sched_getaffinity) shows the view";
  EXPECT_EQ(v["kernel_status_after_restore"], host_cpu_list());
  // A thread pinned outside V really goes there, and sees its own CPU.
  EXPECT_EQ(v["kernel_pinned"], v["pin"]);
  EXPECT_EQ(v["pinned_view"], v["pin"]);
  EXPECT_EQ(v["pinned_task_status"], v["pin"]);
  EXPECT_EQ(v["pinned_thread_self_status"], v["pin"]);
  EXPECT_EQ(v["kernel_pinned_after_restore"], v["pin"]);
  EXPECT_EQ(v["kernel_outside"], v["outside"]);
}

TEST(RealAffinity, PythonAndTasksetRoundTripsKeepTheRealMask) {
  RealCgroup group(50000, 100000, 0);
  REQUIRE_REAL_CGROUP(group);
  // The status file is read by a child without the shim: what the kernel shows.
  const char* script =
      "import os, subprocess\n"
      "shown = os.sched_getaffinity(0)\n"
      "os.sched_setaffinity(0, shown)\n"
      "print('shown=' + ','.join(map(str, sorted(shown))))\n"
      "out = subprocess.run(['grep', 'Cpus_allowed_list', '/proc/%d/status' % os.getpid()],\n"
      "                     env={}, capture_output=True, text=True).stdout\n"
      "print('kernel=' + out.split()[1])\n"
      "print('served=' + open('/proc/self/status').read().split('Cpus_allowed_list:')[1].split()[0])\n";
  auto py = run_program({"/usr/bin/python3", "-c", script}, {"LD_PRELOAD=" + kShim}, &group);
  ASSERT_EQ(py.exit_code, 0) << py.err;
  auto v = cgview::test::parse_key_values(py.out);
  EXPECT_EQ(v["shown"].find(','), std::string::npos) << py.out;
  EXPECT_EQ(v["kernel"], host_cpu_list()) << py.out;
  EXPECT_EQ(v["served"], v["shown"]) << py.out;
  // taskset -p of the shell's own pid, the shell and both tasksets preloaded.
  auto sh = run_program({"/bin/sh", "-c",
                         "m=$(taskset -p $$ | sed 's/.*: //'); taskset -p \"$m\" $$ >/dev/null && "
                         "env -u LD_PRELOAD grep Cpus_allowed_list /proc/$$/status"},
                        {"LD_PRELOAD=" + kShim}, &group);
  EXPECT_EQ(sh.out, "Cpus_allowed_list:\t" + host_cpu_list() + "\n") << sh.err;
}

// `cgview run --cpus 1` in the root cgroup (a bare host): /proc/stat's busy
// time is the host's lines of A (here every CPU) scaled by 1/|A|, not the
// host's whole time on one CPU.
TEST(RealStat, AnOverrideInTheRootCgroupScalesTheHostsBusyTime) {
  // The root's CPU time: v1's cpuacct.stat (user and system in ticks), or
  // where no v1 hierarchy holds cpuacct, v2's root cpu.stat (microseconds).
  std::ifstream self_cgroup("/proc/self/cgroup");
  std::string line, cpuacct_path, v2_path;
  while (std::getline(self_cgroup, line)) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    std::string controllers = "," + line.substr(a + 1, b - a - 1) + ",";
    if (controllers.find(",cpuacct,") != std::string::npos) cpuacct_path = line.substr(b + 1);
    if (line.rfind("0::", 0) == 0) v2_path = line.substr(3);
  }
  std::string stat_file, user_key = "user", system_key = "system", per_tick = "1";
  for (const char* dir : {"/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu,cpuacct"})
    if (access((std::string(dir) + "/cpuacct.stat").c_str(), R_OK) == 0) stat_file = std::string(dir) + "/cpuacct.stat";
  if (stat_file.empty() && cpuacct_path.empty() && access("/sys/fs/cgroup/cpu.stat", R_OK) == 0) {
    stat_file = "/sys/fs/cgroup/cpu.stat";
    cpuacct_path = v2_path;
    user_key = "user_usec", system_key = "system_usec", per_tick = std::to_string(1000000 / sysconf(_SC_CLK_TCK));
  }
  if (cpuacct_path != "/" || stat_file.empty()) {
    // Moving into the root cgroup would touch state outside this test's subtree.
    if (cgview::test::real_cgroups_required() && stat_file.empty()) FAIL() << "no cpuacct hierarchy nor v2 root cpu.stat";
    GTEST_SKIP() << "this test runs in cpuacct cgroup '" << cpuacct_path << "', not the root";
  }
  unsigned cpus = unsigned(sysconf(_SC_NPROCESSORS_ONLN));
  ASSERT_GE(cpus, 2u) << "scaling needs more CPUs than the override";
  // A busy child keeps one CPU loaded, so the figures are far from 0 and an
  // unscaled answer (the host's whole busy time on 1 CPU) is far from a scaled one.
  const std::string script =
      "import subprocess, sys, time\n"
      "def served():\n"
      "    f = open('/proc/stat').readline().split()\n"
      "    return int(f[1]) + int(f[3])\n"
      "def host():\n"
      "    d = dict(l.split() for l in open('" + stat_file + "'))\n"
      "    return (int(d['" + user_key + "']) + int(d['" + system_key + "'])) // " + per_tick + "\n"
      "spin = subprocess.Popen([sys.executable, '-c', 'import time\\nt = time.time()\\n"
      "while time.time() - t < 2.5: pass'], env={})\n"
      "time.sleep(0.3)\n"
      "s0, h0 = served(), host()\n"
      "time.sleep(1.5)\n"
      "s1, h1 = served(), host()\n"
      "spin.wait()\n"
      "print('served=%d' % (s1 - s0))\n"
      "print('host=%d' % (h1 - h0))\n";
  auto run = run_program({kCli, "run", "--cpus", "1", "--", "/usr/bin/python3", "-c", script}, {});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto v = cgview::test::parse_key_values(run.out);
  double served = std::stod(v["served"]), host = std::stod(v["host"]);
  std::printf("root cgroup, --cpus 1 of %u: host busy %.0f ticks over 1.5 s, served busy %.0f (expected %.0f)\n", cpus,
              host, served, host / cpus);
  ASSERT_GT(host, 100) << "the busy child did not run";
  EXPECT_NEAR(served, host / cpus, 5 + 0.15 * host / cpus) << run.out;
}

}  // namespace
