// The cgview command: output over fixtures, byte-identity with what the shim
// serves, `run`, and the exit codes docs/design.md fixes (0 ok, 1 error, 2 usage).
#include <sched.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

#include "real_cgroup.hpp"

using cgview::test::run_program;

namespace {

const std::string kCli = CGVIEW_CLI_PATH;
const std::string kShim = CGVIEW_SHIM_PATH;
const std::string kFixtures = CGVIEW_FIXTURES;

cgview::test::RunResult cli(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), kCli);
  return run_program(args, env);
}

// A sysroot of files a test writes, removed when the test ends.
class ScratchRoot {
 public:
  explicit ScratchRoot(const std::string& name) {
    std::string pattern = "/tmp/" + name + "-XXXXXX";
    path = mkdtemp(pattern.data());
  }
  ~ScratchRoot() { std::filesystem::remove_all(path); }
  void write(const std::string& rel, const std::string& text) const {
    std::filesystem::path p = path + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::string path;
};

TEST(Cli, HelpAndUsageErrors) {
  auto help = cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: cgview"), std::string::npos);
  EXPECT_EQ(cli({}).exit_code, 2);
  EXPECT_EQ(cli({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(cli({"cat"}).exit_code, 2);
  EXPECT_EQ(cli({"show", "--yaml"}).exit_code, 2);
  EXPECT_EQ(cli({"run", "--cpus", "lots", "--", "/bin/true"}).exit_code, 2);
  EXPECT_EQ(cli({"run", "--memory", "12Q", "--", "/bin/true"}).exit_code, 2);
  EXPECT_EQ(cli({"run", "--cpus", "1"}).exit_code, 2);
  auto bad = cli({"--bogus"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err.rfind("cgview: ", 0), 0u) << bad.err;
}

TEST(Cli, CatOfAPathItDoesNotServeIsAnError) {
  auto r = cli({"cat", "/etc/hostname"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("/etc/hostname is not a file cgview serves"), std::string::npos) << r.err;
  // One line on stderr.
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1);
  // Under a sysroot, the root's own file is named where the view gives nothing
  // (no swap allowance) and the root has no such file.
  std::string root = kFixtures + "/no-limits";
  auto swaps = cli({"--sysroot", root, "cat", "/proc/swaps"});
  EXPECT_EQ(swaps.exit_code, 1);
  EXPECT_EQ(swaps.err, "cgview: cannot read /proc/swaps: the view gives nothing for it and the sysroot's own " + root +
                           "/proc/swaps cannot be read\n");
  // A served form naming what the machine lacks says which, and why.
  auto disk = cli({"cat", "/sys/block/cgview-no-such-disk/stat"});
  EXPECT_EQ(disk.exit_code, 1);
  EXPECT_EQ(disk.err, "cgview: /sys/block/cgview-no-such-disk/stat: there is no block device cgview-no-such-disk here "
                      "(ls /sys/block lists them)\n");
  auto cpu = cli({"cat", "/sys/devices/system/cpu/cpu4095/online"});
  EXPECT_EQ(cpu.exit_code, 1);
  EXPECT_EQ(cpu.err, "cgview: cannot read /sys/devices/system/cpu/cpu4095/online: the host has no such file\n");
}

TEST(Cli, CatOverAFixture) {
  std::string root = kFixtures + "/docker-v2-private-ns";
  auto online = cli({"--sysroot", root, "cat", "/sys/devices/system/cpu/online"});
  EXPECT_EQ(online.exit_code, 0);
  EXPECT_EQ(online.out, "0-1\n");
  auto meminfo = cli({"--sysroot", root, "cat", "//proc/./meminfo"});
  EXPECT_EQ(meminfo.out.substr(0, meminfo.out.find('\n')), "MemTotal:        1048576 kB");
  // The environment variable means the same as the flag.
  auto via_env = cli({"cat", "/proc/meminfo"}, {"CGVIEW_SYSROOT=" + root});
  EXPECT_EQ(via_env.out, meminfo.out);
  // `--` before the path, as cat(1) takes it.
  auto dashes = cli({"--sysroot", root, "cat", "--", "/proc/meminfo"});
  EXPECT_EQ(dashes.exit_code, 0) << dashes.err;
  EXPECT_EQ(dashes.out, meminfo.out);
}

// `cgview cat` prints byte for byte what a preloaded program reads.
TEST(Cli, CatIsByteIdenticalToWhatTheShimServes) {
  for (const char* fixture : {"docker-v2-private-ns", "docker-v1-host-ns", "v1-cpuset-quota", "no-limits"}) {
    std::string root = kFixtures + "/" + fixture;
    for (const char* path : {"/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/sys/devices/system/cpu/online"}) {
      auto ours = cli({"--sysroot", root, "cat", path});
      auto shim = run_program({"/bin/cat", path}, {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + root});
      EXPECT_EQ(ours.exit_code, 0) << fixture << path;
      EXPECT_EQ(ours.out, shim.out) << fixture << " " << path;
      EXPECT_FALSE(ours.out.empty()) << fixture << " " << path;
    }
  }
}

// Where the CPU view cannot be formed (no cpu/online, as in sandboxes without
// /sys) the memory view still can: `cat` must print what the shim serves.
TEST(Cli, CatAgreesWithTheShimWithoutAnOnlineList) {
  std::string root = testing::TempDir() + "cgview-no-online";
  std::filesystem::remove_all(root);
  std::filesystem::copy(kFixtures + "/docker-v2-private-ns", root, std::filesystem::copy_options::recursive);
  std::filesystem::remove(root + "/sys/devices/system/cpu/online");
  auto ours = cli({"--sysroot", root, "cat", "/proc/meminfo"});
  auto shim = run_program({"/bin/cat", "/proc/meminfo"}, {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + root});
  EXPECT_EQ(ours.out.substr(0, ours.out.find('\n')), "MemTotal:        1048576 kB");
  EXPECT_EQ(ours.out, shim.out);
  std::filesystem::remove_all(root);
}

// A process in the v2 root cgroup (the mount's top without cgroup.type) gets
// the host's view; CGVIEW_DEBUG says why, and only then is the top probed.
TEST(Cli, DebugSaysTheRootCgroupIsNoLimit) {
  std::string root = testing::TempDir() + "cgview-root-cgroup";
  std::filesystem::remove_all(root);
  std::filesystem::copy(kFixtures + "/docker-v2-private-ns", root, std::filesystem::copy_options::recursive);
  const std::string said = "/sys/fs/cgroup is the root cgroup (no cgroup.type): no limits, the host's view";
  auto container = cli({"--sysroot", root, "show"}, {"CGVIEW_DEBUG=1"});
  EXPECT_EQ(container.err.find(said), std::string::npos) << container.err;
  std::filesystem::remove(root + "/sys/fs/cgroup/cgroup.type");
  auto host = cli({"--sysroot", root, "show"}, {"CGVIEW_DEBUG=1"});
  EXPECT_NE(host.err.find(said), std::string::npos) << host.err;
  EXPECT_EQ(cli({"--sysroot", root, "show"}).err, "");
  std::filesystem::remove_all(root);
}

// CGVIEW_DEBUG's lines are said once by each command, as by a program: the
// command's second looks (the override checks beside `show`'s view and
// `run`'s, `stats`'s later samples) are quiet. Before, `show` said each line
// four times, `run -- cat` three (twice itself, once the program).
TEST(Cli, DebugLinesAreSaidOncePerCommand) {
  const std::string root = kFixtures + "/docker-v2-private-ns";
  const std::vector<std::vector<std::string>> commands = {
      {"show"}, {"show", "--json"}, {"stats", "--count", "2", "--interval", "0.1"}, {"run", "--", "/bin/cat", "/proc/meminfo"}};
  for (const std::vector<std::string>& command : commands) {
    std::vector<std::string> args = {"--sysroot", root};
    args.insert(args.end(), command.begin(), command.end());
    auto r = cli(args, {"CGVIEW_DEBUG=1"});
    EXPECT_EQ(r.exit_code, 0) << command[0] << ": " << r.err;
    std::set<std::string> distinct;
    size_t lines = 0;
    std::istringstream in(r.err);
    for (std::string line; std::getline(in, line); ++lines) distinct.insert(line);
    EXPECT_EQ(lines, distinct.size()) << command[0] << " " << command.back() << ":\n" << r.err;
    EXPECT_NE(r.err.find("cgview: CPUs: 2 of "), std::string::npos) << command[0] << ":\n" << r.err;
  }
}

// /sys/block/DEV/stat is served per device (its "dev" file names it):
// `cat` renders it as the shim does, and passes other files by.
TEST(Cli, CatOfABlockStatFileIsWhatTheShimServes) {
  std::string root = testing::TempDir() + "cgview-block-stat";
  std::filesystem::remove_all(root);
  std::filesystem::copy(kFixtures + "/docker-v2-private-ns", root, std::filesystem::copy_options::recursive);
  auto put = [&](const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(root + "/" + path).parent_path());
    std::ofstream(root + "/" + path) << text;
  };
  put("sys/fs/cgroup/io.stat", "8:0 rbytes=4096000 wbytes=8192 rios=100 wios=2 dbytes=0 dios=0\n");
  put("sys/block/sda/dev", "8:0\n");
  put("sys/dev/block/8:0/stat", "9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9\n");
  auto ours = cli({"--sysroot", root, "cat", "/sys/block/sda/stat"});
  auto shim = run_program({"/bin/cat", "/sys/block/sda/stat"}, {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + root});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out.substr(0, 27), "     100        0     8000 ") << ours.out;
  EXPECT_EQ(ours.out, shim.out);
  auto not_a_disk = cli({"--sysroot", root, "cat", "/sys/block/sda/queue/stat"});
  EXPECT_EQ(not_a_disk.exit_code, 1);
  std::filesystem::remove_all(root);
}

// CGVIEW_MEMORY where no memory cgroup exists (a bare host, `cgview run
// --memory`): the host's own usage stands in for the cgroup's. no-cgroup's host:
// MemTotal 8145212, MemFree 5120448 kB, so with 4 GiB U = 3024764 kB,
// MemFree = 4194304 - 3024764 = 1169540, MemAvailable = 1169540 + Active(file)
// 646540 + Inactive(file) 790224 + SReclaimable 151236 = 2757540.
TEST(Cli, MemoryOverrideWithoutAMemoryCgroup) {
  std::string root = kFixtures + "/no-cgroup";
  std::vector<std::string> env = {"CGVIEW_SYSROOT=" + root, "CGVIEW_MEMORY=4G"};
  auto ours = cli({"cat", "/proc/meminfo"}, env);
  EXPECT_NE(ours.out.find("MemTotal:        4194304 kB\nMemFree:         1169540 kB\nMemAvailable:    2757540 kB\n"),
            std::string::npos)
      << ours.out;
  env.push_back("LD_PRELOAD=" + kShim);
  auto shim = run_program({"/bin/cat", "/proc/meminfo"}, env);
  EXPECT_EQ(ours.out, shim.out);
  // sysinfo (busybox free) agrees with the file.
  auto free = run_program({"/bin/busybox", "free", "-k"}, env);
  std::istringstream line(free.out.substr(free.out.find("Mem:")));
  std::vector<std::string> mem;
  for (std::string field; mem.size() < 4 && line >> field;) mem.push_back(field);
  ASSERT_GE(mem.size(), 4u) << free.out;
  EXPECT_EQ(mem[1], "4194304") << free.out;
  EXPECT_EQ(mem[3], "1169540") << free.out;
}

TEST(Cli, DisableShowsTheHostFile) {
  std::string root = kFixtures + "/docker-v2-private-ns";
  auto r = cli({"--sysroot", root, "cat", "/proc/meminfo"}, {"CGVIEW_DISABLE=1"});
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "MemTotal:       16384000 kB");
}

// Disabled, `show` gives the host's CPUs as what programs see, in the table
// and in JSON, as it does the host's memory.
TEST(Cli, DisableShowsTheHostsCpus) {
  std::string root = kFixtures + "/demo-64cpu";
  auto table = cli({"--sysroot", root, "show"}, {"CGVIEW_DISABLE=1"});
  EXPECT_NE(table.out.find("CPUs           64                   64                   CGVIEW_DISABLE"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("online CPUs    0-63                 0-63"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("MemTotal       263921696 kB         263921696 kB"), std::string::npos) << table.out;
  auto json = cli({"--sysroot", root, "show", "--json"}, {"CGVIEW_DISABLE=1"});
  EXPECT_NE(json.out.find("\"host\": 64,\n    \"container\": 64,\n    \"online\": \"0-63\""), std::string::npos)
      << json.out;
}

// Which N CPUs of A programs see is the placement rule's choice, not the
// cgroup's: the online CPUs row says so where the view leaves CPUs out.
TEST(Cli, ShowSaysThePlacementChoseTheOnlineCpus) {
  std::string root = kFixtures + "/demo-64cpu";
  auto spread = cli({"--sysroot", root, "show"});
  EXPECT_NE(spread.out.find("online CPUs    0-63                 0-1                  /sys/fs/cgroup/cpu.max, spread "
                            "placement\n"),
            std::string::npos)
      << spread.out;
  auto lowest = cli({"--sysroot", root, "show"}, {"CGVIEW_CPU_PLACEMENT=lowest"});
  EXPECT_NE(lowest.out.find("/sys/fs/cgroup/cpu.max, lowest placement\n"), std::string::npos) << lowest.out;
  auto disabled = cli({"--sysroot", root, "show"}, {"CGVIEW_DISABLE=1"});
  EXPECT_EQ(disabled.out.find("placement"), std::string::npos) << disabled.out;
}

// Under taskset the process's mask (A) is narrower than its cpuset: show's
// cpuset row is what the cpuset's file lists, not the mask.
TEST(Cli, ShowsTheCpusetNotTheNarrowedMask) {
  auto table = run_program({"/usr/bin/taskset", "-c", "0", kCli, "show"}, {});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::istringstream lines(table.out);
  std::string line, shown, file;
  while (std::getline(lines, line)) {
    if (line.rfind("cpuset ", 0) != 0) continue;
    std::istringstream words(line);
    std::string name, host;
    words >> name >> host >> shown >> file;
  }
  if (shown.empty() || shown == "none") GTEST_SKIP() << "no cpuset cgroup here";
  std::ifstream in(file);
  std::string listed;
  std::getline(in, listed);
  if (listed == "0") GTEST_SKIP() << "a cpuset of CPU 0 alone: taskset narrows nothing";
  EXPECT_EQ(shown, listed) << "not the narrowed mask, 0";
  auto json = run_program({"/usr/bin/taskset", "-c", "0", kCli, "show", "--json"}, {});
  EXPECT_NE(json.out.find("\"cpuset\": \"" + listed + "\""), std::string::npos) << json.out;
}

TEST(Cli, ShowTableAndJson) {
  std::string root = kFixtures + "/demo-64cpu";
  auto table = cli({"--sysroot", root, "show"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("CPUs           64                   2                    /sys/fs/cgroup/cpu.max"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("MemTotal       263921696 kB         1048576 kB           /sys/fs/cgroup/memory.max"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("cgroup memory   /sys/fs/cgroup (v2)"), std::string::npos) << table.out;
  // SwapFree follows the swap used as well as the allowance: both files are its source.
  auto v2 = cli({"--sysroot", kFixtures + "/docker-v2-private-ns", "show"});
  EXPECT_NE(v2.out.find(" /sys/fs/cgroup/memory.swap.max, /sys/fs/cgroup/memory.swap.current\n"), std::string::npos)
      << v2.out;
  auto json = cli({"--sysroot", root, "show", "--json"});
  EXPECT_EQ(json.exit_code, 0);
  // It is JSON, with numbers as numbers (python's parser checks both).
  const char* script = R"(import json, sys
d = json.loads(sys.argv[1])
c, m = d["cpus"], d["memory"]
assert c["host"] == 64 and c["container"] == 2 and c["online"] == "0-1", c
assert c["host_online"] == "0-63" and c["quota"] == 2.0 and c["source"] == "/sys/fs/cgroup/cpu.max", c
assert m["host_total"] == 263921696 * 1024 and m["total"] == 1048576 * 1024 and m["limit"] == 1 << 30, m
assert all(type(m[k]) is int for k in ("free", "available", "swap_total", "swap_free")), m
assert d["cgroup"]["memory"] == {"path": "/sys/fs/cgroup", "version": 2}, d["cgroup"]
assert d["settings"]["sysroot"] and d["settings"]["cpus"] is None and d["warnings"] == [], d
assert d["settings"]["cpu_placement"] == "spread" and d["settings"]["hold_files"] is False, d["settings"]
assert d["settings"]["debug"] is False and d["settings"]["cpu_rounding"] == "ceil", d["settings"]
assert type(d["version"]) is str
print('ok'))";
  auto check = run_program({"/usr/bin/python3", "-c", script, json.out}, {});
  EXPECT_EQ(check.out, "ok\n") << check.err;
}

// MemFree is bounded by `worker`'s headroom (a sibling uses most of it): the
// source column names the ancestor's usage as well as the own one.
TEST(Cli, ShowNamesEveryUsageBehindMemFree) {
  auto table = cli({"--sysroot", kFixtures + "/sibling-shares-limit", "show"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("MemFree        5120448 kB           32768 kB             "
                           "/sys/fs/cgroup/worker/inner/memory.current, /sys/fs/cgroup/worker/memory.current\n"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("MemTotal       8145212 kB           131072 kB            /sys/fs/cgroup/worker/memory.max\n"),
            std::string::npos)
      << table.out;
}

TEST(Cli, RunPreloadsTheShimWithOverrides) {
  auto nproc = cli({"run", "--cpus", "1", "--", "/usr/bin/nproc"});
  EXPECT_EQ(nproc.exit_code, 0) << nproc.err;
  EXPECT_EQ(nproc.out, "1\n");
  auto head = cli({"run", "--memory", "512M", "--", "/usr/bin/head", "-1", "/proc/meminfo"});
  EXPECT_EQ(head.out, "MemTotal:         524288 kB\n");
  // An LD_PRELOAD already set is kept, after ours.
  auto env = cli({"run", "--", "/usr/bin/printenv", "LD_PRELOAD"}, {"LD_PRELOAD=/nonexistent-other.so"});
  EXPECT_EQ(env.out, kShim + ":/nonexistent-other.so\n") << env.err;
  // The shim already there (a nested run, an image's ENV) is not loaded twice; the rest keep their order.
  auto nested = cli({"run", "--", "/usr/bin/printenv", "LD_PRELOAD"},
                    {"LD_PRELOAD=/a.so " + kShim + ":/b.so:" + kShim.substr(0, kShim.rfind('/')) + "/./libcgview.so"});
  EXPECT_EQ(nested.out, kShim + ":/a.so:/b.so\n") << nested.err;
}

// CGVIEW_DISABLE inherited (an image's ENV) turns off the library run loads:
// the program sees the host, and run says so, naming the options it voids.
TEST(Cli, RunSaysCgviewDisableTurnsTheLibraryOff) {
  auto nproc = cli({"run", "--cpus", "1", "--memory", "1G", "--", "/usr/bin/nproc"}, {"CGVIEW_DISABLE=1"});
  EXPECT_EQ(nproc.exit_code, 0) << nproc.err;
  cpu_set_t mine;
  ASSERT_EQ(sched_getaffinity(0, sizeof mine, &mine), 0);
  EXPECT_EQ(nproc.out, std::to_string(CPU_COUNT(&mine)) + "\n");  // nproc counts its affinity mask
  EXPECT_EQ(nproc.err, "cgview: warning: CGVIEW_DISABLE turns the library off in /usr/bin/nproc: it sees the host's "
                       "numbers, and --cpus and --memory change nothing (unset CGVIEW_DISABLE for it)\n");
  auto memory = cli({"run", "--memory", "1G", "--", "/bin/true"}, {"CGVIEW_DISABLE=1"});
  EXPECT_EQ(memory.err, "cgview: warning: CGVIEW_DISABLE turns the library off in /bin/true: it sees the host's "
                        "numbers, and --memory changes nothing (unset CGVIEW_DISABLE for it)\n");
  auto plain = cli({"run", "--", "/bin/true"}, {"CGVIEW_DISABLE=yes"});
  EXPECT_EQ(plain.err, "cgview: warning: CGVIEW_DISABLE turns the library off in /bin/true: it sees the host's "
                       "numbers (unset CGVIEW_DISABLE for it)\n");
  auto off = cli({"run", "--", "/bin/true"}, {"CGVIEW_DISABLE=0"});
  EXPECT_EQ(off.err, "");
}

// An override above what the kernel enforces (demo-64cpu: cpu.max 2 CPUs,
// memory.max 1 GiB) runs, with one warning each; lowering says nothing.
TEST(Cli, RunWarnsOfOverridesAboveTheEnforcedLimits) {
  const std::string root = kFixtures + "/demo-64cpu";
  auto above = cli({"--sysroot", root, "run", "--cpus", "4", "--memory", "2G", "--", "/bin/true"});
  EXPECT_EQ(above.exit_code, 0) << above.err;
  EXPECT_EQ(above.err,
            "cgview: warning: --memory 2G is above the memory limit the kernel enforces here, 1073741824 bytes "
            "(/sys/fs/cgroup/memory.max): programs may size themselves for memory they cannot have\n"
            "cgview: warning: --cpus 4 is above the CPU quota the kernel enforces here, 2 CPUs "
            "(/sys/fs/cgroup/cpu.max): programs may start more workers than it runs at once\n");
  auto below = cli({"--sysroot", root, "run", "--cpus", "1.5", "--memory", "512M", "--", "/bin/true"});
  EXPECT_EQ(below.exit_code, 0) << below.err;
  EXPECT_EQ(below.err, "");
  auto equal = cli({"--sysroot", root, "run", "--cpus", "2", "--memory", "1G", "--", "/bin/true"});
  EXPECT_EQ(equal.err, "");
  // run says it of the variables it passes on, and show of the ones it reads.
  auto inherited = cli({"--sysroot", root, "run", "--", "/bin/true"}, {"CGVIEW_MEMORY=2G"});
  EXPECT_EQ(inherited.err,
            "cgview: warning: CGVIEW_MEMORY=2G is above the memory limit the kernel enforces here, 1073741824 bytes "
            "(/sys/fs/cgroup/memory.max): programs may size themselves for memory they cannot have\n");
  auto show = cli({"--sysroot", root, "show"}, {"CGVIEW_CPUS=128", "CGVIEW_MEMORY=2G"});
  EXPECT_NE(show.out.find("\nwarning: CGVIEW_MEMORY=2G is above the memory limit the kernel enforces here, "
                          "1073741824 bytes (/sys/fs/cgroup/memory.max): programs may size themselves"),
            std::string::npos)
      << show.out;
  EXPECT_NE(show.out.find("\nwarning: CGVIEW_CPUS=128 is more than the 64 CPUs this process may run on: programs "
                          "see 64\n"),
            std::string::npos)
      << show.out;
  // Above a 0.4 quota, --cpus 1 shows the 1 CPU the quota rounds up to: nothing to say.
  const std::string fraction = kFixtures + "/fractional-0.4";
  EXPECT_EQ(cli({"--sysroot", fraction, "run", "--cpus", "1", "--", "/bin/true"}).err, "");
  EXPECT_EQ(cli({"--sysroot", fraction, "run", "--cpus", "1.5", "--", "/bin/true"}).err,
            "cgview: warning: --cpus 1.5 is above the CPU quota the kernel enforces here, 0.4 CPUs "
            "(/sys/fs/cgroup/cpu.max): programs may start more workers than it runs at once\n");
  // One CPU is said as one.
  EXPECT_EQ(cli({"--sysroot", kFixtures + "/sub-cgroup", "run", "--cpus", "2", "--", "/bin/true"}).err,
            "cgview: warning: --cpus 2 is above the CPU quota the kernel enforces here, 1 CPU "
            "(/sys/fs/cgroup/cpu.max): programs may start more workers than it runs at once\n");
  auto pinned = run_program({"/usr/bin/taskset", "-c", "0", kCli, "run", "--cpus", "2", "--", "/bin/true"}, {});
  EXPECT_EQ(pinned.err, "cgview: warning: --cpus 2 is more than the 1 CPU this process may run on: programs see 1\n");
  // Above what the host has: programs see the host's, and run says so.
  auto host = cli({"--sysroot", root, "run", "--cpus", "65", "--memory", "300G", "--", "/bin/true"});
  EXPECT_NE(host.err.find("cgview: warning: --cpus 65 is more than the 64 CPUs this process may run on: programs "
                          "see 64\n"),
            std::string::npos)
      << host.err;
  EXPECT_NE(host.err.find("cgview: warning: --memory 300G is more than the host's memory, 270255816704 bytes: "
                          "programs see the host's\n"),
            std::string::npos)
      << host.err;
  EXPECT_EQ(cli({"--sysroot", root, "run", "--cpus", "64", "--memory", "251G", "--", "/bin/true"})
                .err.find("more than"),
            std::string::npos);
}

// An LD_PRELOAD naming the shim through ld.so's $LIB (README: images that run
// programs of more than one build) serves every class with a build in the layout: `run`
// keeps it as it is (its own build first would make ld.so complain in programs of
// the other class), and `doctor` reports the build ld.so loaded for it.
TEST(Cli, RunAndDoctorTakeALibLayoutAsTheShim) {
  std::string dir = testing::TempDir() + "cgview-lib-layout";
  std::filesystem::remove_all(dir);
  // Whatever this ld.so's $LIB is (Debian's multiarch directories, lib64, lib).
  for (const char* lib : {"lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu", "lib/i386-linux-gnu", "lib64", "lib"}) {
    std::filesystem::create_directories(dir + "/" + lib);
    std::filesystem::copy_file(kShim, dir + "/" + lib + "/libcgview.so");
  }
  const std::string layout = "LD_PRELOAD=" + dir + "/$LIB/libcgview.so";
  auto env = cli({"run", "--cpus", "1", "--", "/usr/bin/printenv", "LD_PRELOAD"}, {layout});
  EXPECT_EQ(env.out, dir + "/$LIB/libcgview.so\n") << env.err;
  EXPECT_EQ(env.err, "");
  auto nproc = cli({"run", "--cpus", "1", "--", "/usr/bin/nproc"}, {layout});
  EXPECT_EQ(nproc.out, "1\n") << nproc.err;
  auto doctor = cli({"doctor"}, {layout});
  EXPECT_NE(doctor.out.find("$LIB, here " + dir + "/lib"), std::string::npos) << doctor.out;
  EXPECT_NE(doctor.out.find("libcgview.so is preloaded"), std::string::npos) << doctor.out;
  std::filesystem::remove_all(dir);
}

// As env(1): 127 when the command is not found, 126 when it cannot be run
// (tests/doctor covers more cases).
TEST(Cli, RunOfAMissingCommandIsAnError) {
  auto r = cli({"run", "--", "/nonexistent/program"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("/nonexistent/program: No such file or directory"), std::string::npos) << r.err;
  auto by_name = cli({"run", "--", "cgview-no-such-program"});
  EXPECT_EQ(by_name.exit_code, 127);
  EXPECT_NE(by_name.err.find("cgview-no-such-program: command not found"), std::string::npos) << by_name.err;
  auto directory = cli({"run", "--", "/"});
  EXPECT_EQ(directory.exit_code, 126) << directory.err;
}

// A cgview copied away from its library says where it looked, in full, for
// both commands that need the library.
TEST(Cli, ALibraryNotFoundNamesThePathsTried) {
  ScratchRoot bin("cgview-alone");
  std::filesystem::create_directories(bin.path + "/bin");
  std::filesystem::copy_file(kCli, bin.path + "/bin/cgview");
  std::filesystem::permissions(bin.path + "/bin/cgview", std::filesystem::perms::owner_all);
  const std::string expected = "cgview: libcgview.so not found beside this cgview: none of " + bin.path +
                               "/bin/libcgview.so, " + bin.path + "/lib/libcgview.so or " + bin.path +
                               "/shim/libcgview.so is a build of it for this machine; install the two together, or "
                               "copy libcgview.so to one of those places";
  auto run = run_program({bin.path + "/bin/cgview", "run", "--", "/bin/true"}, {});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, expected + " (or name it in LD_PRELOAD)\n");
  bin.write("etc/ld.so.preload", "");
  auto enable = run_program({bin.path + "/bin/cgview", "enable", "--root", bin.path}, {});
  EXPECT_EQ(enable.exit_code, 1);
  EXPECT_EQ(enable.err, expected + "\n");
  // A file where the library would be, but no build of it: said, not just "not found".
  bin.write("lib/libcgview.so", "not a library");
  auto junk = run_program({bin.path + "/bin/cgview", "run", "--", "/bin/true"}, {});
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_NE(junk.err.find("for this machine; " + bin.path + "/lib/libcgview.so is not a build of libcgview.so; install"),
            std::string::npos)
      << junk.err;
  // A build of it for another machine (e_machine patched to s390's): named as such.
  std::ifstream shim(kShim, std::ios::binary);
  std::string library((std::istreambuf_iterator<char>(shim)), std::istreambuf_iterator<char>());
  library[18] = 22;  // EM_S390, little-endian e_machine
  library[19] = 0;
  bin.write("lib/libcgview.so", library);
  auto other = run_program({bin.path + "/bin/cgview", "run", "--", "/bin/true"}, {});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find(bin.path + "/lib/libcgview.so is libcgview.so built for s390x (64-bit), not for this "
                           "cgview's "),
            std::string::npos)
      << other.err;
}

// The command copied alone, or with the library into one folder (a
// Kubernetes init container's /cgview/), finds the library there or in
// LD_PRELOAD; and it loads one copy: another copy LD_PRELOAD names for the
// same programs is left out, one built for another class stays.
TEST(Cli, RunFindsTheLibraryBesideItOrInLdPreloadAndLoadsOneCopy) {
  ScratchRoot dir("cgview-copies");
  std::filesystem::create_directories(dir.path + "/alone");
  std::filesystem::create_directories(dir.path + "/other");
  std::filesystem::copy_file(kCli, dir.path + "/alone/cgview");
  std::filesystem::permissions(dir.path + "/alone/cgview", std::filesystem::perms::owner_all);
  const std::string alone = dir.path + "/alone/cgview", copy = dir.path + "/other/libcgview.so";
  std::filesystem::copy_file(kShim, copy);
  const std::vector<std::string> probe = {"run", "--cpus", "1", "--", "/bin/sh", "-c",
                                          "nproc; echo \"$LD_PRELOAD\"; grep -c 'libcgview.so' /proc/self/maps >/dev/null && "
                                          "awk '/libcgview.so/ { print $6 }' /proc/self/maps | sort -u | wc -l"};
  auto with = [&](const std::string& binary, std::vector<std::string> env) {
    std::vector<std::string> args = probe;
    args.insert(args.begin(), binary);
    return run_program(args, env);
  };
  // A 32-bit build (its ELF header is what tells) where an install's would be,
  // ../lib: not this binary's kind, so not taken.
  std::string header(20, '\0');
  header.replace(0, 4, "\177ELF");
  header[4] = 1;   // ELFCLASS32
  header[18] = 3;  // EM_386
  dir.write("lib/libcgview.so", header);
  // Alone, with LD_PRELOAD naming a copy, by a symlink too: that copy, once.
  auto from_preload = with(alone, {"LD_PRELOAD=" + copy});
  EXPECT_EQ(from_preload.exit_code, 0) << from_preload.err;
  EXPECT_EQ(from_preload.out, "1\n" + copy + "\n1\n") << from_preload.err;
  std::filesystem::create_symlink(copy, dir.path + "/other/link.so");
  auto by_link = with(alone, {"LD_PRELOAD=" + dir.path + "/other/link.so"});
  EXPECT_EQ(by_link.out, "1\n" + copy + "\n1\n") << by_link.err;
  // Beside it in the same folder.
  std::filesystem::copy_file(kShim, dir.path + "/alone/libcgview.so");
  auto beside = with(alone, {});
  EXPECT_EQ(beside.out, "1\n" + dir.path + "/alone/libcgview.so\n1\n") << beside.err;
  // The build's own, with LD_PRELOAD naming another copy: the build's alone;
  // also where the copy is renamed as doctor still knows it ("libcgview...").
  auto twice = with(kCli, {"LD_PRELOAD=" + copy});
  EXPECT_EQ(twice.out, "1\n" + kShim + "\n1\n") << twice.err;
  std::filesystem::copy_file(copy, dir.path + "/other/cg.so");
  auto renamed = with(kCli, {"LD_PRELOAD=" + dir.path + "/other/cg.so"});
  EXPECT_EQ(renamed.out, "1\n" + kShim + "\n1\n") << renamed.err;  // known by its soname, libcgview.so
  // A library of another soname stays, whatever its file is called.
  std::string libm;
  std::ifstream maps("/proc/self/maps");
  for (std::string line; libm.empty() && std::getline(maps, line);)
    if (line.ends_with("/libm.so.6")) libm = line.substr(line.find('/'));
  ASSERT_FALSE(libm.empty());
  std::filesystem::copy_file(libm, dir.path + "/other/libcgview_other.so");
  auto other = run_program({kCli, "run", "--", "/usr/bin/printenv", "LD_PRELOAD"},
                           {"LD_PRELOAD=" + dir.path + "/other/libcgview_other.so"});
  EXPECT_EQ(other.out, kShim + ":" + dir.path + "/other/libcgview_other.so\n") << other.err;
  // The 32-bit build stays in LD_PRELOAD for 32-bit programs.
  auto env = run_program({kCli, "run", "--", "/usr/bin/printenv", "LD_PRELOAD"},
                         {"LD_PRELOAD=" + copy + ":" + dir.path + "/lib/libcgview.so"});
  EXPECT_EQ(env.out, kShim + ":" + dir.path + "/lib/libcgview.so\n");
}

// A cgview whose library's path holds a blank (a checkout in "My builds"):
// LD_PRELOAD would split it and load nothing, so run refuses, saying why,
// rather than run the program with the host's figures.
TEST(Cli, RunRefusesALibraryPathLdSoWouldSplit) {
  ScratchRoot dir("cgview with blank");
  std::filesystem::create_directories(dir.path + "/bin");
  std::filesystem::create_directories(dir.path + "/lib");
  std::filesystem::copy_file(kCli, dir.path + "/bin/cgview");
  std::filesystem::permissions(dir.path + "/bin/cgview", std::filesystem::perms::owner_all);
  std::filesystem::copy_file(kShim, dir.path + "/lib/libcgview.so");
  ASSERT_NE(dir.path.find(' '), std::string::npos);
  auto run = run_program({dir.path + "/bin/cgview", "run", "--", "/bin/true"}, {});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "cgview: " + dir.path + "/lib/libcgview.so: LD_PRELOAD cannot name a path with a blank or "
                     "a colon; install cgview where its path has neither\n");
}

}  // namespace

// `cgview stats` over a fixture: JSON lines with the fixture's own figures,
// nulls where it has no file (no io.stat, no memory.oom.group).
TEST(Cli, StatsJsonLinesOverAFixture) {
  std::string root = kFixtures + "/demo-64cpu";
  auto stats = cli({"--sysroot", root, "stats", "--json", "--count", "2", "--interval", "0.05"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const char* script = R"(import json, sys
lines = [json.loads(l) for l in sys.argv[1].splitlines()]
assert len(lines) == 2, lines
for d in lines:
    c, m, o, p = d["cpu"], d["memory"], d["oom"], d["pids"]
    assert c["cpus"] == 2 and c["quota"] == 2.0, c
    assert c["percent"] == 0.0 and c["throttled_periods_per_s"] == 0.0, c  # a fixture does not move
    assert type(c["usage_ns"]) is int and type(c["throttled_periods"]) is int, c
    assert m["limit"] == 1 << 30 and type(m["usage"]) is int and type(m["percent"]) is float, m
    assert m["limit_percent"] == m["percent"] and m["limit_usage"] == m["usage"], m  # its own
    assert m["limit_cgroup"] == m["cgroup"] == "/sys/fs/cgroup" and p["limit_cgroup"] in (None, p["cgroup"]), (m, p)
    assert o["killer"] is True and o["under_oom"] is None and o["group"] is None, o
    assert type(o["kills"]) is int, o
    assert type(p["current"]) is int, p
    assert d["io"] is None, d["io"]  # no io.stat in the fixture
print('ok'))";
  auto check = run_program({"/usr/bin/python3", "-c", script, stats.out}, {});
  EXPECT_EQ(check.out, "ok\n") << check.err << stats.out;
  EXPECT_EQ(cli({"stats", "--count", "0"}).exit_code, 2);
  EXPECT_EQ(cli({"stats", "--interval", "soon"}).exit_code, 2);
  EXPECT_EQ(cli({"stats", "--yaml"}).exit_code, 2);
}

// The network figures are those of the namespace stats runs in (/proc/net/dev),
// not of the one sysfs was mounted in: in a new network namespace (`unshare
// -n`, sysfs not mounted anew) only lo is there, and stats lists no interface,
// where /sys/class/net still lists the host's.
TEST(Cli, StatsGivesTheNetworkOfItsOwnNamespace) {
  auto probe = run_program({"/usr/bin/unshare", "-n", "/bin/cat", "/proc/net/dev"}, {});
  if (probe.exit_code != 0) GTEST_SKIP() << "no network namespace here: " << probe.err;
  ASSERT_EQ(probe.out.find("eth"), std::string::npos) << probe.out;  // only lo
  auto stats = run_program({"/usr/bin/unshare", "-n", kCli, "stats", "--json", "--count", "1", "--interval", "0.05"}, {});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const char* script = R"(import json, os, sys
net = json.loads(sys.argv[1])["net"]
assert net["interfaces"] == [] and net["more_interfaces"] == 0 and net["rx_bytes"] == 0, net
assert os.listdir("/sys/class/net") != ["lo"]  # what sysfs still shows there
print('ok'))";
  auto check = run_program({"/usr/bin/unshare", "-n", "/usr/bin/python3", "-c", script, stats.out}, {});
  EXPECT_EQ(check.out, "ok\n") << check.err << stats.out;
}

// The process moved to another cgroup between two samples (or its cgroup
// removed and the root's counters read instead): the difference of two
// cgroups' counters is no rate. In the cgroup v2 VM a `stats` moved from a
// cgroup to the root showed 692.7% of its 2 CPUs (the host's CPU time since
// boot less the cgroup's). Rates need both readings from the same cgroup.
TEST(Cli, StatsGivesNoRatesAcrossAMoveToAnotherCgroup) {
  ScratchRoot scratch("cgview-moved");
  const std::string& root = scratch.path;
  scratch.write("proc/self/mountinfo", "30 22 0:27 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n");
  scratch.write("proc/self/cgroup", "0::/a\n");
  scratch.write("proc/meminfo", "MemTotal:       16000000 kB\nMemFree:        12000000 kB\n"
                                "MemAvailable:   14000000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n");
  scratch.write("proc/partitions", "major minor  #blocks  name\n\n 254        0   10485760 vda\n");
  scratch.write("sys/devices/system/cpu/online", "0-3\n");
  for (const char* name : {"a", "b"}) {
    bool b = name[0] == 'b';  // b's counters are far ahead of a's
    std::string dir = std::string("sys/fs/cgroup/") + name + "/";
    scratch.write(dir + "cgroup.type", "domain\n");
    scratch.write(dir + "cpu.max", "200000 100000\n");
    scratch.write(dir + "cpu.stat", b ? "usage_usec 900000000\nuser_usec 1\nsystem_usec 1\nnr_periods 90000\n"
                                        "nr_throttled 9000\nthrottled_usec 90000000\n"
                                      : "usage_usec 1000000\nuser_usec 1\nsystem_usec 1\nnr_periods 10\n"
                                        "nr_throttled 1\nthrottled_usec 1000\n");
    scratch.write(dir + "io.stat", b ? "254:0 rbytes=90000000000 wbytes=90000000000 rios=9000000 wios=9000000 "
                                       "dbytes=0 dios=0\n"
                                     : "254:0 rbytes=4096 wbytes=4096 rios=1 wios=1 dbytes=0 dios=0\n");
    scratch.write(dir + "memory.current", "1048576\n");
    scratch.write(dir + "memory.max", "max\n");
  }
  // The first sample reads a; a second later the process is in b.
  auto stats = run_program({"/bin/sh", "-c",
                            "\"$0\" --sysroot \"$1\" stats --json --count 1 --interval 2 & sleep 1; "
                            "echo 0::/b > \"$1/proc/self/cgroup\"; wait",
                            kCli, root},
                           {});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const char* script = R"(import json, sys
lines = [json.loads(l) for l in sys.argv[1].splitlines()]
assert len(lines) == 1, lines  # a sample of a, then one of b: the rates between them
c, io = lines[0]["cpu"], lines[0]["io"]
assert c["cgroup"] == "/sys/fs/cgroup/b", c
assert c["percent"] is None and c["cpus_used"] is None and c["quota_percent"] is None, c
assert c["throttled_periods_per_s"] is None and c["throttled_seconds_per_s"] is None, c
assert io["cgroup"] == "/sys/fs/cgroup/b", io
assert io["read_bytes_per_s"] is None and io["writes_per_s"] is None, io
print('ok'))";
  auto check = run_program({"/usr/bin/python3", "-c", script, stats.out}, {});
  EXPECT_EQ(check.out, "ok\n") << check.err << stats.out;
  // Not moved: the rates are there (0: a fixture does not move).
  auto still = cli({"--sysroot", root, "stats", "--json", "--count", "2", "--interval", "0.05"});
  EXPECT_NE(still.out.find("\"percent\": 0.0, \"cpus_used\": 0.0,"), std::string::npos) << still.out;
  EXPECT_NE(still.out.find("\"read_bytes_per_s\": 0.0"), std::string::npos) << still.out;
}

// A v1 host layout where the limits sit on the parent of the process's
// cgroup (the child's own files say "unlimited"), and the process is in the
// root blkio cgroup: stats and show give the limits that bind, the parent's
// throttling, and no I/O (the root's would be the whole host's).
TEST(Cli, StatsAndShowGiveTheLimitsThatBindAboveTheCgroup) {
  namespace fs = std::filesystem;
  ScratchRoot scratch("cgview-binding");
  const std::string& root = scratch.path;
  auto write = [&](const std::string& rel, const std::string& text) { scratch.write(rel, text); };
  write("proc/self/mountinfo",
        "35 25 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
        "36 25 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "37 25 0:32 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "38 25 0:33 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n");
  write("proc/self/cgroup", "7:blkio:/\n6:pids:/parent/child\n5:memory:/parent/child\n3:cpu,cpuacct:/parent/child\n");
  write("proc/meminfo", "MemTotal:       16000000 kB\nMemFree:        12000000 kB\nMemAvailable:   14000000 kB\n"
                        "SwapTotal:             0 kB\nSwapFree:              0 kB\n");
  write("sys/devices/system/cpu/online", "0-3\n");
  const std::string cpu = "sys/fs/cgroup/cpu,cpuacct/parent", mem = "sys/fs/cgroup/memory/parent",
                    pids = "sys/fs/cgroup/pids/parent";
  write(cpu + "/cpu.cfs_quota_us", "50000\n");
  write(cpu + "/cpu.cfs_period_us", "100000\n");
  write(cpu + "/cpu.stat", "nr_periods 126\nnr_throttled 38\nthrottled_time 2500000000\n");
  write(cpu + "/child/cpu.cfs_quota_us", "-1\n");
  write(cpu + "/child/cpu.cfs_period_us", "100000\n");
  write(cpu + "/child/cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
  write(cpu + "/child/cpuacct.usage", "3000000000\n");
  write(mem + "/memory.limit_in_bytes", "314572800\n");
  write(mem + "/memory.memsw.limit_in_bytes", "629145600\n");
  write(mem + "/memory.usage_in_bytes", "209715200\n");  // the child's 100 MiB and a sibling's
  write(mem + "/child/memory.limit_in_bytes", "9223372036854771712\n");
  write(mem + "/child/memory.memsw.limit_in_bytes", "9223372036854771712\n");
  write(mem + "/child/memory.usage_in_bytes", "104857600\n");
  write(mem + "/child/memory.memsw.usage_in_bytes", "104857600\n");
  write(mem + "/child/memory.stat", "cache 1048576\nrss 73400320\ninactive_file 1048576\n"
                                    "hierarchical_memory_limit 314572800\nhierarchical_memsw_limit 629145600\n"
                                    "total_cache 31457280\ntotal_rss 73400320\ntotal_inactive_file 20971520\n");
  write(pids + "/pids.max", "100\n");
  write(pids + "/pids.current", "57\n");  // the child's 7 and a sibling's 50
  write(pids + "/child/pids.max", "max\n");
  write(pids + "/child/pids.current", "7\n");
  write("sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes_recursive", "8:0 Read 17258475520\n8:0 Write 4096\n");
  write("sys/fs/cgroup/blkio/blkio.throttle.io_serviced_recursive", "8:0 Read 730277\n8:0 Write 1\n");

  auto stats = cli({"--sysroot", root, "stats", "--json", "--count", "1"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const char* script = R"(import json, sys
d = json.loads(sys.argv[1])
c, m, p = d["cpu"], d["memory"], d["pids"]
assert c["quota"] == 0.5 and c["cpus"] == 1, c
assert c["periods"] == 126 and c["throttled_periods"] == 38 and c["throttled_ns"] == 2500000000, c
assert c["throttle_cgroup"] == "/sys/fs/cgroup/cpu,cpuacct/parent", c
assert c["cgroup"] == "/sys/fs/cgroup/cpu,cpuacct/parent/child", c
assert m["limit"] == 314572800 and m["usage"] == 104857600, m
assert m["swap_limit"] == 0, m  # 300 MiB allowed, but the host has no swap
assert m["limit_usage"] == 209715200 and m["limit_cgroup"] == "/sys/fs/cgroup/memory/parent", m
assert m["percent"] == 33.3 and m["limit_percent"] == 66.7, m  # how full the limit is: the parent's 200 of 300 MiB
assert m["cache"] == 31457280 and m["working_set"] == 104857600 - 20971520, m  # usage less total_inactive_file
assert p["current"] == 7 and p["max"] == 100 and p["limit_current"] == 57, p
assert p["limit_cgroup"] == "/sys/fs/cgroup/pids/parent", p
assert d["io"] is None, d["io"]
print('ok'))";
  auto check = run_program({"/usr/bin/python3", "-c", script, stats.out}, {});
  EXPECT_EQ(check.out, "ok\n") << check.err << stats.out;
  // The screen (a terminal: script(1) gives it one).
  auto screen = run_program({"/usr/bin/script", "-qec", kCli + " --sysroot " + root + " stats --count 1", "/dev/null"},
                            {"COLUMNS=120", "LINES=40"});
  // The bar is how full the limit is: the parent's usage, siblings included.
  EXPECT_NE(screen.out.find("]  66.7%  200.0M / 300.0M"), std::string::npos) << screen.out;
  EXPECT_NE(screen.out.find("100.0M of it here; the limit is on: /sys/fs/cgroup/memory/parent"),
            std::string::npos)
      << screen.out;
  EXPECT_NE(screen.out.find("cache 30.0M   working set 80.0M"), std::string::npos) << screen.out;
  // CGVIEW_MEMORY and CGVIEW_CPUS change what programs see, not what the cgroup says.
  auto overridden = cli({"--sysroot", root, "stats", "--json", "--count", "1"}, {"CGVIEW_MEMORY=1G", "CGVIEW_CPUS=2"});
  EXPECT_NE(overridden.out.find("\"limit\": 314572800"), std::string::npos) << overridden.out;
  EXPECT_NE(overridden.out.find("\"cpus\": 1, \"quota\": 0.5"), std::string::npos) << overridden.out;
  EXPECT_NE(overridden.out.find("\"limit_above_view\": false"), std::string::npos) << overridden.out;

  auto show = cli({"--sysroot", root, "show"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("38 of 126 periods, 2.50s"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("/sys/fs/cgroup/cpu,cpuacct/parent/cpu.stat\n"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("7 / 100 (57 where that limit is)"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("/sys/fs/cgroup/pids/parent/child/pids.current, /sys/fs/cgroup/pids/parent/pids.max"),
            std::string::npos)
      << show.out;
  EXPECT_NE(show.out.find("(the host's own blkio cgroup: its I/O is not the container's)"), std::string::npos)
      << show.out;
  EXPECT_EQ(show.out.find("17258475520"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("(the host's swap, no more than /sys/fs/cgroup/memory/parent/child/memory.stat:"),
            std::string::npos)
      << show.out;
  // memory.swappiness 0 (docker's --memory-swappiness 0): no swap, and that file is the reason.
  write(mem + "/child/memory.swappiness", "0\n");
  auto unswapped = cli({"--sysroot", root, "show"});
  EXPECT_NE(unswapped.out.find(" /sys/fs/cgroup/memory/parent/child/memory.swappiness\n"), std::string::npos)
      << unswapped.out;
  EXPECT_EQ(unswapped.out.find("no more than /sys/fs/cgroup/memory/parent/child/memory.swappiness"), std::string::npos)
      << unswapped.out;
  fs::remove(root + "/" + mem + "/child/memory.swappiness");
  // A parent as deep as a Kubernetes pod's: its path goes on a line of its own, under the figures,
  // and keeps its end, within 80 columns.
  const std::string pod = "kubepods-burstable-pod0123456789abcdef0123456789abcdef.slice";
  fs::rename(root + "/" + mem, root + "/sys/fs/cgroup/memory/" + pod);
  write("proc/self/cgroup", "7:blkio:/\n6:pids:/parent/child\n5:memory:/" + pod +
                                "/child\n3:cpu,cpuacct:/parent/child\n");
  auto deep = run_program({"/usr/bin/script", "-qec", kCli + " --sysroot " + root + " stats --count 1", "/dev/null"},
                          {"COLUMNS=200", "LINES=40"});
  // The line after "the limit is on:", less what the screen writes to clear each line's rest.
  auto path_line_after = [](const std::string& out, size_t at) {
    std::string line = out.substr(out.find('\n', at) + 1);
    return line.substr(0, line.find_first_of("\r\n\x1b"));
  };
  size_t at = deep.out.find("the limit is on:");
  ASSERT_NE(at, std::string::npos) << deep.out;
  std::string line = path_line_after(deep.out, at);
  EXPECT_EQ(line.size(), 80u) << line;
  EXPECT_EQ(line.rfind("        ...", 0), 0u) << line;
  EXPECT_EQ(line.substr(line.size() - 20), pod.substr(pod.size() - 20)) << line;
  // On a 50-column terminal the screen and the frame --count leaves on the
  // normal screen are both cut to 50 columns: no line wraps.
  auto narrow = run_program({"/usr/bin/script", "-qec",
                             "stty cols 50 rows 40; " + kCli + " --sysroot " + root + " stats --count 1", "/dev/null"},
                            {});
  std::string left = narrow.out.substr(narrow.out.rfind("\x1b[?1049l") + 8);  // after leaving the alternate screen
  ASSERT_NE(left.find("MEM"), std::string::npos) << narrow.out;
  for (size_t at = 0, end; at < left.size(); at = end + 1) {
    end = left.find('\n', at);
    if (end == std::string::npos) end = left.size();
    std::string one = left.substr(at, end - at);
    if (!one.empty() && one.back() == '\r') one.pop_back();
    EXPECT_LE(one.size(), 50u) << one;
  }
  // The bars give way first: the CPU and MEM lines keep their figures whole.
  for (const char* label : {"CPU   ", "MEM   "}) {
    size_t start = left.find(label);
    ASSERT_NE(start, std::string::npos) << left;
    std::string figures = left.substr(start, left.find_first_of("\r\n", start) - start);
    EXPECT_EQ(figures.find('['), std::string::npos) << figures;
    EXPECT_LT(figures.size(), 50u) << figures;
  }
  // The ancestor's path keeps its end, which names the cgroup, within the 50.
  size_t path_line = left.find("the limit is on:");
  ASSERT_NE(path_line, std::string::npos) << left;
  std::string below = path_line_after(left, path_line);
  ASSERT_EQ(below.rfind("        ...", 0), 0u) << left;
  std::string kept = below.substr(11);
  EXPECT_EQ(pod.substr(pod.size() - kept.size()), kept);  // the path's last characters, as many as fit
  EXPECT_EQ(below.size(), 50u) << below;
}

// A memory limit at or above the host's memory binds nothing: the view has
// none (programs see the host's lines), and stats says "no limit" too rather
// than a bar against a limit the host cannot reach.
TEST(Cli, StatsShowsNoLimitWhereTheLimitIsAboveTheHostsMemory) {
  std::string root = kFixtures + "/limit-above-host";
  auto stats = cli({"--sysroot", root, "stats", "--json", "--count", "1", "--interval", "0.05"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("\"limit\": null, \"percent\": null"), std::string::npos) << stats.out;
  auto show = cli({"--sysroot", root, "show", "--json"});
  EXPECT_NE(show.out.find("\"limit\": null"), std::string::npos) << show.out;
}

// v2's memory.high (reclaim and throttling above it, no kill) is no limit of
// the view, but stats shows it beside the limit, with how often usage went
// above it (memory.events high) and reached the limit (max).
TEST(Cli, StatsShowsMemoryHighAndItsEvents) {
  namespace fs = std::filesystem;
  ScratchRoot scratch("cgview-high");
  fs::copy(kFixtures + "/docker-v2-private-ns", scratch.path, fs::copy_options::recursive);
  scratch.write("sys/fs/cgroup/memory.high", "805306368\n");
  scratch.write("sys/fs/cgroup/memory.events", "low 0\nhigh 42\nmax 7\noom 0\noom_kill 0\n");
  auto stats = cli({"--sysroot", scratch.path, "stats", "--json", "--count", "1", "--interval", "0.05"});
  EXPECT_NE(stats.out.find("\"high\": 805306368, \"high_events\": 42, \"max_events\": 7"), std::string::npos)
      << stats.out;
  auto screen = run_program(
      {"/usr/bin/script", "-qec", kCli + " --sysroot " + scratch.path + " stats --count 1 --interval 0.05", "/dev/null"},
      {"COLUMNS=120", "LINES=40"});
  EXPECT_NE(screen.out.find("high 768.0M (throttled above it, 42 times; at the limit 7)"), std::string::npos)
      << screen.out;
}

// Swap without a cgroup allowance is bounded by the host's: on a host with
// none, stats says 0, not "no limit" (JSON swap_limit 0, not null).
TEST(Cli, StatsGivesNoSwapWhereTheHostHasNone) {
  namespace fs = std::filesystem;
  ScratchRoot scratch("cgview-no-swap");
  fs::copy(kFixtures + "/k8s-pod-v2", scratch.path, fs::copy_options::recursive);
  auto swap_limit = [&] {
    auto stats = cli({"--sysroot", scratch.path, "stats", "--json", "--count", "1", "--interval", "0.05"});
    size_t at = stats.out.find("\"swap_limit\": ");
    return at == std::string::npos ? stats.out : stats.out.substr(at + 14, stats.out.find(',', at) - at - 14);
  };
  EXPECT_EQ(swap_limit(), "null");  // the fixture's host has swap: no limit
  std::ifstream in(scratch.path + "/proc/meminfo");
  std::string meminfo((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* key : {"SwapTotal:", "SwapFree:"}) {
    size_t at = meminfo.find(key);
    ASSERT_NE(at, std::string::npos);
    meminfo.replace(at, meminfo.find('\n', at) - at, std::string(key) + "              0 kB");
  }
  scratch.write("proc/meminfo", meminfo);
  EXPECT_EQ(swap_limit(), "0");
}

// A usage file that is there but cannot be read (mode 000 for another user;
// here a symlink loop, which fails for root too): stats shows "-" for its
// figure and says which file and why, on the screen and in the JSON.
TEST(Cli, StatsSaysWhichUsageFileCannotBeRead) {
  namespace fs = std::filesystem;
  ScratchRoot scratch("cgview-unreadable");
  fs::copy(kFixtures + "/docker-v2-private-ns", scratch.path, fs::copy_options::recursive);
  for (const char* file : {"memory.current", "pids.current"}) {
    fs::remove(scratch.path + "/sys/fs/cgroup/" + file);
    fs::create_symlink(file, scratch.path + "/sys/fs/cgroup/" + file);
  }
  auto stats = cli({"--sysroot", scratch.path, "stats", "--json", "--count", "1", "--interval", "0.05"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("\"usage\": null"), std::string::npos) << stats.out;
  for (const char* file : {"memory.current", "pids.current"})
    EXPECT_NE(stats.out.find("\"/sys/fs/cgroup/" + std::string(file) +
                             " cannot be read (Too many levels of symbolic links): its figure is not shown\""),
              std::string::npos)
        << stats.out;
  auto screen = run_program(
      {"/usr/bin/script", "-qec", kCli + " --sysroot " + scratch.path + " stats --count 1 --interval 0.05", "/dev/null"},
      {"COLUMNS=120", "LINES=40"});
  EXPECT_NE(screen.out.find("WARN  cannot read memory.current, pids.current (--json says why)\r\n"),
            std::string::npos)
      << screen.out;
  // No cpu.stat at all (no cgroup): one "-" for the throttling, not a row of them.
  auto bare = run_program({"/usr/bin/script", "-qec",
                           kCli + " --sysroot " + kFixtures + "/no-cgroup stats --count 1 --interval 0.05", "/dev/null"},
                          {"COLUMNS=120", "LINES=40"});
  EXPECT_NE(bare.out.find("      throttled -\r\n"), std::string::npos) << bare.out;
  // The fixture as it is: no such warning.
  auto plain = cli({"--sysroot", kFixtures + "/docker-v2-private-ns", "stats", "--json", "--count", "1", "--interval",
                    "0.05"});
  EXPECT_EQ(plain.out.find("cannot be read"), std::string::npos) << plain.out;
}

// CPU time read at the root of the cpuacct hierarchy is the whole host's:
// where the process sits in a cgroup of another controller (a memory-only
// cgroup, a one-CPU cpuset, a cpu cgroup with a quota mounted apart from
// cpuacct) stats shows no CPU use rather than the host's as the container's;
// on a bare host (every controller at its root) the host's use is what it is.
TEST(Cli, StatsShowsTheRootCpuacctsTimeOnlyOnABareHost) {
  ScratchRoot scratch("cgview-root-cpuacct");
  const std::string& root = scratch.path;
  auto write = [&](const std::string& rel, const std::string& text) { scratch.write(rel, text); };
  write("proc/self/mountinfo",
        "35 25 0:30 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "36 25 0:31 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "37 25 0:32 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
        "38 25 0:33 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n");
  write("proc/meminfo", "MemTotal:       16000000 kB\nMemFree:        12000000 kB\nMemAvailable:   14000000 kB\n"
                        "SwapTotal:             0 kB\nSwapFree:              0 kB\n");
  write("sys/devices/system/cpu/online", "0-3\n");
  for (const char* hierarchy : {"cpu", "cpuacct", "cpuset", "memory"})
    write(std::string("sys/fs/cgroup/") + hierarchy + "/release_agent", "\n");  // the hierarchies' real roots
  write("sys/fs/cgroup/cpuacct/cpuacct.usage", "987654321000\n");
  write("sys/fs/cgroup/cpuset/cpuset.effective_cpus", "0-3\n");
  write("sys/fs/cgroup/cpuset/job/cpuset.effective_cpus", "1\n");
  write("sys/fs/cgroup/cpu/job/cpu.cfs_quota_us", "350000\n");
  write("sys/fs/cgroup/cpu/job/cpu.cfs_period_us", "100000\n");
  write("sys/fs/cgroup/memory/job/memory.limit_in_bytes", "268435456\n");
  write("sys/fs/cgroup/memory/job/memory.usage_in_bytes", "104857600\n");
  const std::vector<std::pair<std::string, bool>> cases = {
      {"4:memory:/job\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n", false},
      {"4:memory:/\n3:cpuset:/job\n2:cpuacct:/\n1:cpu:/\n", false},
      {"4:memory:/\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/job\n", false},
      {"4:memory:/\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n", true},
  };
  for (const auto& [cgroup, shown] : cases) {
    write("proc/self/cgroup", cgroup);
    auto stats = cli({"--sysroot", root, "stats", "--json", "--count", "1", "--interval", "0.05"});
    ASSERT_EQ(stats.exit_code, 0) << stats.err;
    bool has_usage = stats.out.find("\"usage_ns\": 987654321000,") != std::string::npos;
    bool no_usage = stats.out.find("\"usage_ns\": null,") != std::string::npos;
    EXPECT_TRUE(shown ? has_usage : no_usage) << cgroup << stats.out;
    // Where none is shown, the JSON says why.
    bool says_why = stats.out.find("\"CPU use not shown: this process's cpuacct cgroup is its hierarchy's root") !=
                    std::string::npos;
    EXPECT_EQ(says_why, !shown) << cgroup << stats.out;
  }
  // show's pids row at a pids hierarchy's root, which has no pids.current:
  // it says so rather than name a file that is not there.
  write("proc/self/mountinfo", "39 25 0:34 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n");
  write("sys/fs/cgroup/pids/release_agent", "\n");
  write("proc/self/cgroup", "5:pids:/\n");
  auto show = cli({"--sysroot", root, "show"});
  EXPECT_NE(show.out.find("/sys/fs/cgroup/pids (the hierarchy's root: no pids.current or pids.max there)\n"),
            std::string::npos)
      << show.out;
  EXPECT_EQ(show.out.find("/sys/fs/cgroup/pids/pids.current"), std::string::npos) << show.out;
}

// A v1 limit set above the cgroup mount (Docker's --cgroup-parent): only
// memory.stat's hierarchical_memory_limit tells it; what else uses it there
// cannot be read, and show and stats say so.
TEST(Cli, StatsAndShowSayWhereAMemoryLimitIsAboveTheMount) {
  ScratchRoot scratch("cgview-above");
  const std::string& root = scratch.path;
  auto write = [&](const std::string& rel, const std::string& text) { scratch.write(rel, text); };
  write("proc/self/mountinfo",
        "36 25 0:31 /parent/ctr /sys/fs/cgroup/memory ro,relatime - cgroup cgroup rw,memory\n");
  write("proc/self/cgroup", "5:memory:/parent/ctr\n");
  write("proc/meminfo", "MemTotal:       16000000 kB\nMemFree:        12000000 kB\nMemAvailable:   14000000 kB\n"
                        "SwapTotal:             0 kB\nSwapFree:              0 kB\n");
  write("sys/devices/system/cpu/online", "0-3\n");
  write("sys/fs/cgroup/memory/memory.limit_in_bytes", "1073741824\n");  // the container's own 1 GiB
  write("sys/fs/cgroup/memory/memory.usage_in_bytes", "83886080\n");
  write("sys/fs/cgroup/memory/memory.stat", "total_cache 0\ntotal_inactive_file 0\n"
                                            "hierarchical_memory_limit 209715200\n");  // the parent's 200 MiB
  auto stats = cli({"--sysroot", root, "stats", "--json", "--count", "1"});
  EXPECT_NE(stats.out.find("\"limit\": 209715200"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("\"limit_above_view\": true"), std::string::npos) << stats.out;
  // How full the parent's limit is cannot be told: not the container's own 40%.
  EXPECT_NE(stats.out.find("\"limit_percent\": null"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("\"percent\": 40.0"), std::string::npos) << stats.out;
  auto screen = run_program({"/usr/bin/script", "-qec", kCli + " --sysroot " + root + " stats --count 1", "/dev/null"},
                            {"COLUMNS=80", "LINES=40"});
  EXPECT_NE(screen.out.find("the limit is set above this cgroup"), std::string::npos) << screen.out;
  auto show = cli({"--sysroot", root, "show"});
  EXPECT_NE(show.out.find("note: the memory limit is set on a cgroup above /sys/fs/cgroup/memory, the top of"),
            std::string::npos)
      << show.out;
  // A parent's limit at or above the host's memory is no limit: no note either.
  scratch.write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
  scratch.write("sys/fs/cgroup/memory/memory.stat", "total_cache 0\ntotal_inactive_file 0\n"
                                                    "hierarchical_memory_limit 68719476736\n");
  auto above_host = cli({"--sysroot", root, "stats", "--json", "--count", "1"});
  EXPECT_NE(above_host.out.find("\"limit_above_view\": false"), std::string::npos) << above_host.out;
  EXPECT_EQ(cli({"--sysroot", root, "show"}).out.find("note: the memory limit"), std::string::npos);
  // The container's own limit below the parent's: the limit is seen where it is, no note.
  write("sys/fs/cgroup/memory/memory.limit_in_bytes", "104857600\n");
  auto own = cli({"--sysroot", root, "show"});
  EXPECT_EQ(own.out.find("note: the memory limit"), std::string::npos) << own.out;
}

// N's source is what bounds it: a quota of 3 CPUs in a cpuset of 2 is the
// cpuset's doing; a quota of 2.5 (3 CPUs) in a cpuset of 3 the quota's.
TEST(Cli, ShowNamesWhatBoundsTheCpuCount) {
  auto small = cli({"--sysroot", kFixtures + "/v1-cpuset-small", "show"});
  EXPECT_NE(small.out.find("CPUs           8                    2                    "
                           "/sys/fs/cgroup/cpuset/cpuset.effective_cpus\n"),
            std::string::npos)
      << small.out;
  auto json = cli({"--sysroot", kFixtures + "/v1-cpuset-small", "show", "--json"});
  EXPECT_NE(json.out.find("\"source\": \"/sys/fs/cgroup/cpuset/cpuset.effective_cpus\""), std::string::npos) << json.out;
  auto quota = cli({"show", "--sysroot", kFixtures + "/v1-cpuset-quota"});  // --sysroot after the command too
  EXPECT_EQ(quota.exit_code, 0) << quota.err;
  EXPECT_NE(quota.out.find("CPUs           8                    3                    "
                           "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us\n"),
            std::string::npos)
      << quota.out;
}

// A process outside the mount's root whose cgroup could not be looked up
// (here its pid is unknown): the mount point stands in, and show says so.
TEST(Cli, ShowWarnsWhenTheMountPointStandsInForTheCgroup) {
  namespace fs = std::filesystem;
  char name[] = "/tmp/cgview-stand-in-XXXXXX";
  std::string root = mkdtemp(name);
  fs::copy(kFixtures + "/unshare-no-mount", root, fs::copy_options::recursive);
  auto found = cli({"--sysroot", root, "show"});
  EXPECT_EQ(found.out.find("warning:"), std::string::npos) << found.out;
  auto found_stats = cli({"--sysroot", root, "stats", "--json", "--count", "1", "--interval", "0.05"});
  EXPECT_NE(found_stats.out.find("\"warnings\": []"), std::string::npos) << found_stats.out;
  fs::remove(root + "/proc/self/stat");
  auto table = cli({"--sysroot", root, "show"});
  auto json = cli({"--sysroot", root, "show", "--json"});
  // stats shows the stand-in's figures too, and says so, on its screen and in each JSON line.
  auto stats = cli({"--sysroot", root, "stats", "--json", "--count", "1", "--interval", "0.05"});
  auto screen = run_program({"/usr/bin/script", "-qec", kCli + " --sysroot " + root + " stats --count 1 --interval 0.05",
                             "/dev/null"}, {});
  fs::remove_all(root);
  EXPECT_NE(stats.out.find("\"warnings\": [\"cpu, cpuacct, cpuset, memory, pids, io: this process's cgroup lies "
                           "outside"),
            std::string::npos)
      << stats.out;
  EXPECT_NE(screen.out.find("WARN  maybe not this cgroup's: cpu, cpuacct, cpuset, memory, pids, io"),
            std::string::npos)
      << screen.out;
  EXPECT_NE(table.out.find("warning: cpu, cpuacct, cpuset, memory, pids, io: this process's cgroup lies outside the "
                           "mount at /sys/fs/cgroup, and the search for the cgroup.procs that lists it was cut short"),
            std::string::npos)
      << table.out;
  EXPECT_NE(json.out.find("\"cpu, cpuacct, cpuset, memory, pids, io: this process's cgroup lies outside"),
            std::string::npos)
      << json.out;
}

// No limit below the host's found, and the search stopped at a v2 mount
// whose top is not the hierarchy's root (it has cgroup.type): a pod's limit
// above it would bind unseen, and show says so, once for both controllers.
// Not where limits are found, nor where the mount is the hierarchy's real
// root, nor with overrides, nor with CGVIEW_DISABLE (nothing computed).
TEST(Cli, ShowNotesThatLimitsAboveTheNamespaceCannotBeSeen) {
  namespace fs = std::filesystem;
  auto none = cli({"--sysroot", kFixtures + "/no-limits", "show"});
  EXPECT_NE(none.out.find("note: no memory limit or CPU quota below the host's on /sys/fs/cgroup, the top of its "
                          "cgroup mount, which is not the hierarchy's root; one set on a cgroup above it (a "
                          "Kubernetes pod's"),
            std::string::npos)
      << none.out;
  auto json = cli({"--sysroot", kFixtures + "/no-limits", "show", "--json"});
  EXPECT_NE(json.out.find("\"notes\": [\n    \"no memory limit or CPU quota below the host's"), std::string::npos)
      << json.out;
  // A limit at or above the host's memory counts as none: so the note says.
  auto above = cli({"--sysroot", kFixtures + "/limit-above-host", "show"});
  EXPECT_NE(above.out.find("note: no memory limit"), std::string::npos) << above.out;
  auto limited = cli({"--sysroot", kFixtures + "/docker-v2-private-ns", "show"});
  EXPECT_EQ(limited.out.find("note:"), std::string::npos) << limited.out;
  auto v1 = cli({"--sysroot", kFixtures + "/v1-cpuset-small", "show"});
  EXPECT_EQ(v1.out.find("note:"), std::string::npos) << v1.out;
  auto overridden = cli({"--sysroot", kFixtures + "/no-limits", "show"}, {"CGVIEW_MEMORY=1G", "CGVIEW_CPUS=1"});
  EXPECT_EQ(overridden.out.find("note:"), std::string::npos) << overridden.out;
  auto cpus_only = cli({"--sysroot", kFixtures + "/no-limits", "show"}, {"CGVIEW_CPUS=1"});
  EXPECT_NE(cpus_only.out.find("note: no memory limit below"), std::string::npos) << cpus_only.out;
  EXPECT_EQ(cpus_only.out.find("CPU quota below"), std::string::npos) << cpus_only.out;
  auto disabled = cli({"--sysroot", kFixtures + "/docker-v2-private-ns", "show"}, {"CGVIEW_DISABLE=1"});
  EXPECT_EQ(disabled.out.find("note:"), std::string::npos) << disabled.out;
  char name[] = "/tmp/cgview-real-root-XXXXXX";
  std::string root = mkdtemp(name);
  fs::copy(kFixtures + "/no-limits", root, fs::copy_options::recursive);
  fs::remove(root + "/sys/fs/cgroup/cgroup.type");  // the hierarchy's own root: nothing above it
  auto host = cli({"--sysroot", root, "show"});
  fs::remove_all(root);
  EXPECT_EQ(host.out.find("note:"), std::string::npos) << host.out;
}

// A namespace's own v2 mount whose top cgroup lacks the memory controller
// (the parent above the namespace did not pass +memory down, as in a nested
// `unshare -C` with a fresh cgroup2 mount): no memory cgroup is found at all,
// the memory that binds the process is limited above the namespace, unseen,
// and programs get the host's memory. show says so, as where a memory cgroup
// without a limit is found; not where the mount is the hierarchy's real root.
TEST(Cli, ShowNotesAHiddenMemoryLimitWhereTheNamespaceRootHasNoMemoryController) {
  namespace fs = std::filesystem;
  ScratchRoot scratch("cgview-ns-no-memory");
  fs::copy(kFixtures + "/no-limits", scratch.path, fs::copy_options::recursive);
  for (const auto& entry : fs::directory_iterator(scratch.path + "/sys/fs/cgroup"))
    if (entry.path().filename().string().rfind("memory.", 0) == 0) fs::remove(entry.path());
  std::ofstream(scratch.path + "/sys/fs/cgroup/cgroup.controllers") << "cpuset cpu pids\n";
  auto table = cli({"--sysroot", scratch.path, "show"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("note: no memory limit or CPU quota below the host's on /sys/fs/cgroup, the top of its "
                           "cgroup mount, which is not the hierarchy's root"),
            std::string::npos)
      << table.out;
  auto json = cli({"--sysroot", scratch.path, "show", "--json"});
  EXPECT_NE(json.out.find("\"notes\": [\n    \"no memory limit or CPU quota below the host's"), std::string::npos)
      << json.out;
  auto cpus_set = cli({"--sysroot", scratch.path, "show"}, {"CGVIEW_CPUS=1"});
  EXPECT_NE(cpus_set.out.find("note: no memory limit below the host's on /sys/fs/cgroup,"), std::string::npos)
      << cpus_set.out;
  fs::remove(scratch.path + "/sys/fs/cgroup/cgroup.type");  // the hierarchy's own root: nothing above it
  auto host = cli({"--sysroot", scratch.path, "show"});
  EXPECT_EQ(host.out.find("note:"), std::string::npos) << host.out;
}

// A cgroup name may hold any byte but '/' and NUL; JSON text must be UTF-8.
// A byte that is no part of a well-formed sequence is written as U+FFFD, so
// a strict decoder reads show's and stats' JSON; a well-formed name (é) stays.
TEST(Cli, JsonIsUtf8WhateverBytesACgroupNameHolds) {
  ScratchRoot scratch("cgview-utf8");
  const std::string& root = scratch.path;
  const std::string name = "job-\xff\xc3-\xc3\xa9";
  scratch.write("proc/self/mountinfo", "30 22 0:27 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n");
  scratch.write("proc/self/cgroup", "0::/" + name + "\n");
  scratch.write("proc/meminfo", "MemTotal:       16000000 kB\nMemFree:        12000000 kB\n"
                                "MemAvailable:   14000000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n");
  scratch.write("sys/devices/system/cpu/online", "0-3\n");
  const std::string dir = "sys/fs/cgroup/" + name + "/";
  scratch.write(dir + "cgroup.type", "domain\n");
  scratch.write(dir + "cpu.max", "100000 100000\n");
  scratch.write(dir + "memory.max", "268435456\n");
  scratch.write(dir + "memory.current", "104857600\n");
  const char* check = "import json, sys\n"
                      "for path in sys.argv[1:]:\n"
                      "    text = open(path, 'rb').read().decode('utf-8')  # strict: fails on a stray byte\n"
                      "    d = json.loads(text.splitlines()[0] if path.endswith('.jsonl') else text)\n"
                      "    names = json.dumps(d, ensure_ascii=False)\n"
                      "    assert 'job-\\ufffd\\ufffd-\\u00e9' in names, names\n"
                      "print('ok')\n";
  const std::string cli_path = kCli;
  auto out = run_program({"/bin/sh", "-c",
                          cli_path + " --sysroot " + root + " show --json > " + root + "/show.json && " + cli_path +
                              " --sysroot " + root + " stats --json --count 1 --interval 0.05 > " + root +
                              "/stats.jsonl && /usr/bin/python3 -c \"$0\" " + root + "/show.json " + root +
                              "/stats.jsonl",
                          check},
                         {});
  EXPECT_EQ(out.out, "ok\n") << out.err;
}

// A memory limit whose view cannot be formed (memory.current malformed):
// programs read the host's figures, and show says so rather than name the
// limit's file beside them.
TEST(Cli, ShowSaysWhenTheMemoryViewFellBackToTheHosts) {
  namespace fs = std::filesystem;
  char name[] = "/tmp/cgview-fell-back-XXXXXX";
  std::string root = mkdtemp(name);
  fs::copy(kFixtures + "/docker-v2-private-ns", root, fs::copy_options::recursive);
  auto formed = cli({"show", "--json", "--sysroot", root});
  EXPECT_NE(formed.out.find("\"view\": true"), std::string::npos) << formed.out;
  std::ofstream(root + "/sys/fs/cgroup/memory.current") << "abc\n";
  auto show = cli({"show", "--sysroot", root});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_NE(show.out.find("MemTotal       16384000 kB          16384000 kB          the host's: no view"),
            std::string::npos)
      << show.out;
  EXPECT_EQ(show.out.find("memory.max\n"), std::string::npos) << show.out;
  auto json = cli({"show", "--json", "--sysroot", root});
  EXPECT_NE(json.out.find("\"view\": false"), std::string::npos) << json.out;
  fs::remove_all(root);
}

// A quota just above 2 CPUs rounds up to 3: show prints it exactly enough
// to say why (2.00001, not "2" beside 3 CPUs).
TEST(Cli, ShowPrintsTheQuotaPreciselyEnoughToExplainTheCount) {
  namespace fs = std::filesystem;
  char name[] = "/tmp/cgview-quota-XXXXXX";
  std::string root = mkdtemp(name);
  fs::copy(kFixtures + "/v1-cpuset-quota", root, fs::copy_options::recursive);
  std::ofstream(root + "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us") << "200001\n";
  auto show = cli({"show", "--sysroot", root});
  EXPECT_NE(show.out.find("CPU quota      none                 2.00001  "), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("CPUs           8                    3  "), std::string::npos) << show.out;
  // The largest quota v1 takes: more whole CPUs than 64 bits of millionths hold.
  std::ofstream(root + "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us") << "9223372036854775807\n";
  show = cli({"show", "--sysroot", root});
  EXPECT_NE(show.out.find(" 92233720368547.75807 "), std::string::npos) << show.out;
  fs::remove_all(root);
}
