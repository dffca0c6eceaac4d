// `cgview stats`, `show`'s figures and the served /proc/swaps, /proc/diskstats
// in real cgroup v1 children of this test's own cgroup (on v2 the VM suite
// checks them): a real OOM kill, a
// real quota, real I/O, a real terminal (tmux). Every expectation is checked
// against the cgroup's own counters, read here directly.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "real_cgroup.hpp"

using cgview::test::RealCgroup;
using cgview::test::run_program;

namespace {

const std::string kShim = CGVIEW_SHIM_PATH;
const std::string kCli = CGVIEW_CLI_PATH;
const std::string kPython = "/usr/bin/python3";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.flush();
  return bool(out);
}

// "key value" of a cgroup file such as memory.oom_control or cpu.stat.
long long keyed(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string k;
  long long v;
  while (lines >> k >> v)
    if (k == key) return v;
  return -1;
}

// The process's v1 cgroup directory for `controller`, "" when it has none.
std::string own_v1_dir(const std::string& controller) {
  std::istringstream lines(read_file("/proc/self/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    if (("," + line.substr(a + 1, b - a - 1) + ",").find("," + controller + ",") == std::string::npos) continue;
    std::string path = line.substr(b + 1);
    return "/sys/fs/cgroup/" + controller + (path == "/" ? "" : path);
  }
  return "";
}

// These tests read cgroup v1's own files (memory.oom_control, cpuacct, blkio).
// On a cgroup v2 host they skip, whatever CGVIEW_TEST_REQUIRE_CGROUPS says:
// the VM suite's tests/vm/stats-v2-check.sh checks `stats` on real v2.
#define SKIP_ON_CGROUP_V2()                                                                        \
  do {                                                                                             \
    if (own_v1_dir("memory").empty())                                                              \
      GTEST_SKIP() << "a cgroup v1 test (no v1 memory hierarchy here); on cgroup v2 the VM suite's " \
                      "tests/vm/stats-v2-check.sh checks stats";                                   \
  } while (0)

// Children of this process's own v1 cgroup for controllers RealCgroup does
// not make (cpuacct, pids, blkio), removed on destruction.
class ExtraCgroups {
 public:
  explicit ExtraCgroups(const std::vector<std::string>& controllers) {
    std::istringstream lines(read_file("/proc/self/cgroup"));
    std::string line;
    std::vector<std::pair<std::string, std::string>> own;
    while (std::getline(lines, line)) {
      size_t a = line.find(':'), b = line.find(':', a + 1);
      if (a == std::string::npos || b == std::string::npos) continue;
      own.emplace_back("," + line.substr(a + 1, b - a - 1) + ",", line.substr(b + 1));
    }
    for (const std::string& c : controllers) {
      std::string path;
      for (auto& [list, p] : own)
        if (list.find("," + c + ",") != std::string::npos) path = p;
      std::string dir = "/sys/fs/cgroup/" + c + (path == "/" ? "" : path) + "/cgview-stats-" +
                        std::to_string(getpid()) + "-" + std::to_string(dirs_.size());
      if (path.empty() || mkdir(dir.c_str(), 0755) != 0) {
        why_ = "cannot make a " + c + " cgroup at " + dir + ": " + std::strerror(errno);
        return;
      }
      dirs_.push_back(dir);
    }
    ok_ = true;
  }
  ~ExtraCgroups() {
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it)
      for (int i = 0; i < 50 && rmdir(it->c_str()) != 0 && errno == EBUSY; ++i) usleep(20000);
  }
  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }
  const std::string& dir(size_t i) const { return dirs_.at(i); }
  // argv run inside these cgroups too (a shell moves itself, then execs).
  std::vector<std::string> wrap(const std::vector<std::string>& argv) const {
    std::string script;
    for (const std::string& d : dirs_) script += "echo $$ > " + d + "/cgroup.procs && ";
    script += "exec \"$@\"";
    std::vector<std::string> out = {"/bin/sh", "-c", script, "sh"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
  }

 private:
  std::vector<std::string> dirs_;
  bool ok_ = false;
  std::string why_;
};

// Runs a python snippet over JSON text; "ok" on success, else the failure.
std::string check_json(const std::string& script, const std::string& json) {
  auto r = run_program({kPython, "-c", "import json, sys\n" + script + "\nprint('ok')", json}, {});
  return r.out == "ok\n" ? "ok" : r.out + r.err;
}

TEST(StatsReal, OomKillIsCountedByStatsAndShow) {
  SKIP_ON_CGROUP_V2();
  RealCgroup group(0, 0, 64ull << 20);
  REQUIRE_REAL_CGROUP(group);
  const std::string control = group.directories().at(0) + "/memory.oom_control";
  ASSERT_GE(keyed(read_file(control), "oom_kill"), 0)
      << "this kernel's memory.oom_control has no oom_kill line (needs Linux 4.13+): " << read_file(control);
  EXPECT_EQ(keyed(read_file(control), "oom_kill"), 0);
  // 256 MiB of touched memory in a 64 MiB cgroup (no swap here): the kernel kills it.
  auto hog = run_program({kPython, "-c", "b = b'x' * (256 << 20)"}, {}, &group);
  EXPECT_EQ(hog.exit_code, 128 + SIGKILL) << hog.err;
  long long kills = keyed(read_file(control), "oom_kill");
  ASSERT_GE(kills, 1) << read_file(control);

  auto stats = run_program({kCli, "stats", "--json", "--count", "1", "--interval", "0.1"}, {}, &group);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(check_json("d = json.loads(sys.argv[1])\n"
                       "assert d['oom']['kills'] == " + std::to_string(kills) + ", d['oom']\n"
                       "assert d['oom']['killer'] is True and d['oom']['under_oom'] is False, d['oom']\n"
                       "assert d['memory']['limit'] == 64 << 20, d['memory']",
                       stats.out),
            "ok");
  auto show = run_program({kCli, "show", "--json"}, {}, &group);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(check_json("d = json.loads(sys.argv[1])\n"
                       "assert d['stats']['oom']['kills'] == " + std::to_string(kills) + ", d['stats']['oom']\n"
                       "assert d['memory']['limit'] == 64 << 20 and d['memory']['total'] == 64 << 20, d['memory']",
                       show.out),
            "ok");
  auto table = run_program({kCli, "show"}, {}, &group);
  EXPECT_NE(table.out.find("kills " + std::to_string(kills)), std::string::npos) << table.out;
}

// The working set (what `docker stats` and `kubectl top` show) leaves out the
// page cache the kernel would take back first: 64 MiB just written to a file
// sits on the cgroup's inactive file list, counted in usage and cache only.
TEST(StatsReal, WorkingSetLeavesOutInactivePageCache) {
  SKIP_ON_CGROUP_V2();
  RealCgroup group(0, 0, 256ull << 20);
  REQUIRE_REAL_CGROUP(group);
  // Next to this program, not in TempDir(): pages of a tmpfs (/tmp on many systems) are
  // shared memory, never on the inactive file list.
  char exe[4096] = "";
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  ASSERT_GT(n, 0);
  std::string dir(exe, size_t(n));
  const std::string file = dir.substr(0, dir.rfind('/') + 1) + "cgview-working-set-" + std::to_string(getpid());
  auto stats = run_program({"/bin/sh", "-c", "dd if=/dev/zero of=\"$1\" bs=1M count=64 2>/dev/null && \"$2\" stats "
                            "--json --count 1 --interval 0.1", "sh", file, kCli}, {}, &group);
  unlink(file.c_str());
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(check_json("m = json.loads(sys.argv[1])['memory']\n"
                       "assert m['cache'] >= 60 << 20, m\n"
                       "assert 0 < m['working_set'] <= m['usage'] - (32 << 20), m",
                       stats.out),
            "ok");
}

TEST(StatsReal, BusyLoopUnderHalfACpuReadsAboutFiftyPercent) {
  SKIP_ON_CGROUP_V2();
  RealCgroup group(50000, 100000, 0);
  REQUIRE_REAL_CGROUP(group);
  ExtraCgroups acct({"cpuacct", "pids"});
  ASSERT_TRUE(acct.ok()) << acct.why();
  ASSERT_TRUE(write_file(acct.dir(1) + "/pids.max", "64"));
  // A busy loop in the cgroups, for as long as the test needs it.
  pid_t spinner = fork();
  if (spinner == 0) {
    // The highest weight: on a busy machine the loop still gets all its quota
    // allows, so the quota (not other load) is what limits it.
    setpriority(PRIO_PROCESS, 0, -20);
    for (;;) {
    }
  }
  // And the group the highest weight among its siblings, for the same reason.
  ASSERT_TRUE(write_file(group.directories().at(0) + "/cpu.shares", "262144"));
  ASSERT_TRUE(group.enter(spinner));
  ASSERT_TRUE(write_file(acct.dir(0) + "/cgroup.procs", std::to_string(spinner)));
  ASSERT_TRUE(write_file(acct.dir(1) + "/cgroup.procs", std::to_string(spinner)));
  usleep(300000);  // past the first periods, when the loop may not yet have been throttled
  const std::string cpu_stat = group.directories().at(0) + "/cpu.stat";
  const std::string usage = acct.dir(0) + "/cpuacct.usage";
  long long throttled_before = keyed(read_file(cpu_stat), "nr_throttled");
  long long usage_before = std::stoll(read_file(usage));
  auto wall_before = std::chrono::steady_clock::now();
  auto stats = run_program(acct.wrap({kCli, "stats", "--json", "--count", "3", "--interval", "0.5"}), {}, &group);
  auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  long long usage_after = std::stoll(read_file(usage));
  long long throttled_after = keyed(read_file(cpu_stat), "nr_throttled");
  kill(spinner, SIGKILL);
  waitpid(spinner, nullptr, 0);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  // The cgroup's own counters: about half a CPU over the run, throttled throughout.
  double counted = double(usage_after - usage_before) / 1e9 / wall;
  EXPECT_GT(counted, 0.3) << counted;
  EXPECT_LT(counted, 0.7) << counted;
  EXPECT_GT(throttled_after, throttled_before);
  // The tool agrees: each sample in 30-70% of its one CPU (the quota rounds
  // up to 1), throttled periods rising, pids counted.
  EXPECT_EQ(check_json("lines = [json.loads(l) for l in sys.argv[1].splitlines()]\n"
                       "assert len(lines) == 3, lines\n"
                       "for d in lines:\n"
                       "    c = d['cpu']\n"
                       "    assert c['cpus'] == 1 and c['quota'] == 0.5, c\n"
                       "    assert 30 <= c['percent'] <= 70, c\n"
                       "    assert abs(c['quota_percent'] - 2 * c['percent']) < 0.2, c  # of 0.5 CPU\n"
                       "    assert 60 <= c['quota_percent'] <= 140, c\n"
                       "    assert c['throttled_periods_per_s'] > 0, c\n"
                       "    assert d['pids']['max'] == 64 and d['pids']['current'] >= 2, d['pids']\n"
                       "assert lines[2]['cpu']['throttled_periods'] > lines[0]['cpu']['throttled_periods'], lines\n"
                       "mean = sum(d['cpu']['percent'] for d in lines) / 3\n"
                       "assert abs(mean - " + std::to_string(counted * 100) + ") < 15, (mean, lines)",
                       stats.out),
            "ok")
      << stats.out;
}

// A process put in a cpu cgroup with a quota (N = 1 of 2) but left in the
// host's root cpuacct cgroup, as `cgexec -g cpu:...` does where cpu and
// cpuacct are mounted apart: that cpuacct counts the whole host. /proc/stat
// then shows the host's busy time scaled to N/|A| (not all of it on one CPU,
// which reads 100% busy whenever the host has one busy CPU), and `stats`
// shows no usage rather than the host's as the container's.
TEST(StatsReal, RootCpuacctIsScaledInProcStatAndNotShownByStats) {
  SKIP_ON_CGROUP_V2();
  RealCgroup group(50000, 100000, 0);
  REQUIRE_REAL_CGROUP(group);
  const std::string cpuacct = own_v1_dir("cpuacct");
  if (cpuacct.empty() || cpuacct.find("/cpu,cpuacct") != std::string::npos ||
      !std::filesystem::exists(cpuacct + "/release_agent"))
    GTEST_SKIP() << "needs cpuacct mounted apart from cpu, this process in its root (" << cpuacct << ")";
  ASSERT_EQ(std::stoi(run_program({"/usr/bin/nproc"}, {}).out), 2) << "the figures below assume 2 CPUs";
  pid_t spinner = fork();  // outside the group: the host is busy, the container is not
  if (spinner == 0) {
    for (;;) {
    }
  }
  // Under the shim, in the group: the served busy time against the host's
  // (root cpuacct.stat, not served) over the same second, read side by side.
  const char* script = R"(import time
def served():
    f = open('/proc/stat').readline().split()
    return int(f[1]) + int(f[3])
def host():
    v = dict(l.split() for l in open(sys.argv[1] + '/cpuacct.stat'))
    return int(v['user']) + int(v['system'])
s0, h0 = served(), host()
time.sleep(1)
s1, h1 = served(), host()
print(s1 - s0, h1 - h0))";
  auto stat = run_program({kPython, "-c", std::string("import sys\n") + script, cpuacct}, {"LD_PRELOAD=" + kShim},
                          &group);
  auto stats = run_program({kCli, "stats", "--json", "--count", "2", "--interval", "0.3"}, {}, &group);
  kill(spinner, SIGKILL);
  waitpid(spinner, nullptr, 0);
  ASSERT_EQ(stat.exit_code, 0) << stat.err;
  std::istringstream deltas(stat.out);
  double served = 0, host = 0;
  ASSERT_TRUE(deltas >> served >> host) << stat.out;
  ASSERT_GE(host, 80) << "the spinner kept a CPU busy";
  EXPECT_NEAR(served / host, 0.5, 0.1) << "served " << served << " host " << host;
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(check_json("for l in sys.argv[1].splitlines():\n"
                       "    c = json.loads(l)['cpu']\n"
                       "    assert c['cpus'] == 1 and c['usage_ns'] is None, c\n"
                       "    assert c.get('percent') is None and c.get('cpus_used') is None, c",
                       stats.out),
            "ok")
      << stats.out;
}

// "MAJ:MIN Op N" of a v1 blkio file.
long long blkio_value(const std::string& text, const std::string& device, const std::string& op) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string d, o;
    long long v;
    if (f >> d >> o >> v && d == device && o == op) return v;
  }
  return -1;
}

// The block device holding `path` (the whole disk, for a partition), as "MAJ:MIN".
std::string disk_of(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return "";
  std::string dev = std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
  std::string sys = "/sys/dev/block/" + dev;
  if (std::filesystem::exists(sys + "/partition")) {
    std::string parent = read_file(sys + "/../dev");
    while (!parent.empty() && parent.back() == '\n') parent.pop_back();
    return parent;
  }
  return std::filesystem::exists(sys) ? dev : "";
}

TEST(StatsReal, DirectIoIsCountedInStatsDiskstatsAndIostat) {
  SKIP_ON_CGROUP_V2();
  ExtraCgroups blk({"blkio"});
  if (!blk.ok() && !cgview::test::real_cgroups_required()) GTEST_SKIP() << blk.why();
  ASSERT_TRUE(blk.ok()) << blk.why();
  std::string file = std::filesystem::current_path().string() + "/cgview-stats-io-" + std::to_string(getpid());
  write_file(file, "");
  std::string disk = disk_of(file);
  ASSERT_FALSE(disk.empty()) << "no block device under " << file;
  // A kernel that counts a v1 blkio cgroup's I/O only on devices with a
  // throttle rule counts it with one (6.18 here counts it either way): a rule
  // far above any real rate makes the count certain without slowing anything.
  ASSERT_TRUE(write_file(blk.dir(0) + "/blkio.throttle.write_bps_device", disk + " 1000000000000"));
  ASSERT_TRUE(write_file(blk.dir(0) + "/blkio.throttle.read_bps_device", disk + " 1000000000000"));
  auto dd = run_program(blk.wrap({"/bin/dd", "if=/dev/zero", "of=" + file, "bs=1M", "count=8", "oflag=direct"}), {});
  std::filesystem::remove(file);
  ASSERT_EQ(dd.exit_code, 0) << dd.err;
  std::string counters = read_file(blk.dir(0) + "/blkio.throttle.io_service_bytes_recursive");
  std::string ops = read_file(blk.dir(0) + "/blkio.throttle.io_serviced_recursive");
  long long written = blkio_value(counters, disk, "Write"), writes = blkio_value(ops, disk, "Write");
  ASSERT_GE(written, 8ll << 20) << counters;
  ASSERT_GE(writes, 1) << ops;

  // cgview stats counts what the cgroup counted.
  auto stats = run_program(blk.wrap({kCli, "stats", "--json", "--count", "1", "--interval", "0.1"}), {});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(check_json("d = json.loads(sys.argv[1])['io']\n"
                       "assert d['write_bytes'] == " + std::to_string(written) + ", d\n"
                       "assert d['writes'] == " + std::to_string(writes) + ", d",
                       stats.out),
            "ok")
      << stats.out;

  // /proc/diskstats under the shim: the disk's line carries those counters.
  std::string maj = disk.substr(0, disk.find(':')), min = disk.substr(disk.find(':') + 1);
  auto diskstats = run_program(blk.wrap({"/bin/cat", "/proc/diskstats"}), {"LD_PRELOAD=" + kShim});
  std::istringstream lines(diskstats.out);
  std::string line, name, disk_name;
  bool found = false;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string a, b;
    long long reads, merged, sectors_read, ms, w, w_merged, sectors_written;
    f >> a >> b >> name >> reads >> merged >> sectors_read >> ms >> w >> w_merged >> sectors_written;
    if (a != maj || b != min) continue;
    found = true;
    disk_name = name;
    EXPECT_EQ(w, writes) << line;
    EXPECT_EQ(sectors_written, written / 512) << line;
    EXPECT_EQ(w_merged, 0) << line;
  }
  ASSERT_TRUE(found) << diskstats.out;
  name = disk_name;

  // vmstat -d reads the same file: the disk's writes and sectors are the cgroup's.
  auto vmstat = run_program(blk.wrap({"/usr/bin/vmstat", "-d"}), {"LD_PRELOAD=" + kShim});
  ASSERT_EQ(vmstat.exit_code, 0) << vmstat.err;
  std::istringstream rows(vmstat.out);
  bool row_found = false;
  while (std::getline(rows, line)) {
    std::istringstream f(line);
    std::string dev;
    long long r_total, r_merged, r_sectors, r_ms, w_total, w_merged, w_sectors;
    if (!(f >> dev) || dev != name) continue;
    f >> r_total >> r_merged >> r_sectors >> r_ms >> w_total >> w_merged >> w_sectors;
    row_found = true;
    EXPECT_EQ(w_total, writes) << vmstat.out << diskstats.out;
    EXPECT_EQ(w_sectors, written / 512) << vmstat.out;
  }
  EXPECT_TRUE(row_found) << vmstat.out;

  // psutil's disk_io_counters reads it too.
  auto psutil = run_program(blk.wrap({kPython, "-c",
                                      "import psutil; d = psutil.disk_io_counters(perdisk=True)['" + name +
                                          "']; print(d.write_bytes, d.write_count)"}),
                            {"LD_PRELOAD=" + kShim});
  EXPECT_EQ(psutil.out, std::to_string(written) + " " + std::to_string(writes) + "\n") << psutil.err;

  // iostat (sysstat 12) reads /sys/block/DEV/stat: served with the same
  // counters. Its kB_wrtn total (the 7th column of -d -k) is the cgroup's.
  auto iostat = run_program(blk.wrap({"/usr/bin/iostat", "-d", "-k", name}), {"LD_PRELOAD=" + kShim});
  ASSERT_EQ(iostat.exit_code, 0) << iostat.err;
  std::istringstream io_rows(iostat.out);
  bool io_row = false;
  while (std::getline(io_rows, line)) {
    std::istringstream f(line);
    std::string dev, tps, rps, wps, dps, kb_read, kb_wrtn;
    if (!(f >> dev) || dev != name) continue;
    f >> tps >> rps >> wps >> dps >> kb_read >> kb_wrtn;
    io_row = true;
    EXPECT_EQ(kb_wrtn, std::to_string(written / 1024)) << iostat.out;
  }
  EXPECT_TRUE(io_row) << iostat.out;
}

// A tmux server of this test's own (-L NAME), for a real terminal.
class Tmux {
 public:
  explicit Tmux(const std::string& name) : session(name + "-" + std::to_string(getpid())) {}
  ~Tmux() { (*this)({"kill-server"}); }
  cgview::test::RunResult operator()(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"/usr/bin/tmux", "-L", session};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, {"TERM=xterm-256color"});
  }
  // A session of 80 x 30 running `shell`.
  cgview::test::RunResult start(const std::vector<std::string>& shell) const {
    std::vector<std::string> args = {"new-session", "-d", "-x", "80", "-y", "30", "-s", session};
    args.insert(args.end(), shell.begin(), shell.end());
    return (*this)(args);
  }
  void type(const std::string& keys) const { (*this)({"send-keys", "-t", session, keys}); }
  void type_line(const std::string& line) const { (*this)({"send-keys", "-t", session, line, "Enter"}); }
  std::string screen() const { return (*this)({"capture-pane", "-p", "-t", session}).out; }
  // The pane's text once it holds `text`, or as it is after `tries` looks `pause_us` apart.
  std::string screen_with(std::string_view text, int tries, useconds_t pause_us) const {
    std::string screen;
    for (int i = 0; i < tries && screen.find(text) == std::string::npos; ++i) {
      usleep(pause_us);
      screen = this->screen();
    }
    return screen;
  }
  // The alternate screen and the cursor, as "ALTERNATE_ON CURSOR_SHOWN\n".
  std::string screen_state() const { return (*this)({"display", "-p", "-t", session, "#{alternate_on} #{cursor_flag}"}).out; }
  const std::string session;
};

TEST(StatsReal, TerminalScreenInTmuxAndCtrlCLeavesItClean) {
  const Tmux tmux("cgview-stats");
  auto started = tmux.start({"/bin/sh"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  tmux.type_line(kCli + " stats --interval 0.2; echo EXIT=$?");
  std::string screen = tmux.screen_with("NET", 50, 100000);
  std::string alternate = tmux.screen_state();
  tmux.type("C-c");
  std::string after = tmux.screen_with("EXIT=", 50, 100000);
  std::string restored = tmux.screen_state();
  tmux({"kill-server"});
  // The screen: every kind of figure, labelled, within 80 columns.
  for (const char* label : {"cgview stats", "CPU   [", "throttled", "MEM   [", "cache", "swap", "OOM   killer", "PIDS",
                            "IO ", "NET "})
    EXPECT_NE(screen.find(label), std::string::npos) << label << " missing from:\n" << screen;
  std::istringstream rows(screen);
  for (std::string row; std::getline(rows, row);) EXPECT_LE(row.size(), 80u) << row;
  EXPECT_EQ(alternate, "1 0\n") << "drawn on the alternate screen with the cursor hidden";
  // After Ctrl-C: the normal screen back, cursor shown, exit status 130, no
  // escape sequences (tmux would show one it cannot read as "^[") or stats
  // lines left behind.
  EXPECT_EQ(restored, "0 1\n");
  EXPECT_NE(after.find("EXIT=130"), std::string::npos) << after;
  EXPECT_EQ(after.find("MEM   ["), std::string::npos) << after;
  EXPECT_EQ(after.find("^["), std::string::npos) << after;  // escape sequences printed as text
}

// With --count on a terminal: the screen says how far it is, ends by itself
// (exit 0), gives the normal screen back and leaves its last frame there.
TEST(StatsReal, TerminalScreenWithACountEndsByItselfAndLeavesItsLastFrame) {
  const Tmux tmux("cgview-stats-count");
  auto started = tmux.start({"/bin/sh"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  tmux.type_line(kCli + " stats --interval 0.5 --count 3; echo EXIT=$?");
  std::string during = tmux.screen_with(" of 3, Ctrl-C quits", 50, 50000);
  std::string after = tmux.screen_with("EXIT=", 100, 100000);
  std::string restored = tmux.screen_state();
  tmux({"kill-server"});
  EXPECT_NE(during.find(" of 3, Ctrl-C quits"), std::string::npos) << during;
  EXPECT_NE(after.find("EXIT=0"), std::string::npos) << after;
  EXPECT_EQ(restored, "0 1\n");
  EXPECT_NE(after.find("3 of 3, done"), std::string::npos) << "the last frame is not left:\n" << after;
  EXPECT_NE(after.find("MEM   ["), std::string::npos) << after;
  EXPECT_EQ(after.find("^["), std::string::npos) << after;
}

// On a terminal (tmux): the first frame comes at once, not after the first
// interval; Ctrl-Z gives the shell its normal screen and cursor back and
// `fg` takes the screen again, redrawn; a narrower, shorter terminal gets
// lines broken between their figures to its width and no more lines than it
// has rows (nothing the terminal wraps, no scrolling); one too narrow for the
// whole note on the lines left out gets its short form, not a cut one.
TEST(StatsReal, TerminalFirstFrameAtOnceCtrlZGivesTheScreenBackAndResizeFits) {
  const Tmux tmux("cgview-stats-z");
  auto wait_for = [&](const std::string& want) {
    std::string got;
    for (int i = 0; i < 50 && (got = tmux.screen_state()) != want; ++i) usleep(100000);
    return got;
  };
  auto started = tmux.start({"/bin/bash", "--norc"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  usleep(300000);  // the shell's prompt first
  tmux.type_line(kCli + " stats --interval 30");
  std::string first = wait_for("1 0\n");
  std::string screen = tmux.screen();
  tmux.type("C-z");
  std::string suspended = wait_for("0 1\n");
  std::string shell = tmux.screen();
  tmux.type_line("fg");
  std::string resumed = wait_for("1 0\n");
  std::string redrawn = tmux.screen_with("MEM   [", 50, 100000);
  tmux({"resize-window", "-t", tmux.session, "-x", "50", "-y", "8"});
  usleep(500000);
  std::string narrow = tmux.screen();
  tmux({"resize-window", "-t", tmux.session, "-x", "16", "-y", "6"});
  usleep(500000);
  std::string tiny = tmux.screen();
  tmux.type("C-c");
  std::string ended = wait_for("0 1\n");
  tmux({"kill-server"});
  EXPECT_EQ(first, "1 0\n");
  EXPECT_NE(screen.find("cgview stats   every 30s"), std::string::npos) << "no frame before the first interval:\n" << screen;
  EXPECT_NE(screen.find("CPU   [                              ]     -"), std::string::npos) << screen;
  EXPECT_EQ(suspended, "0 1\n") << "Ctrl-Z left the alternate screen or a hidden cursor";
  EXPECT_NE(shell.find("Stopped"), std::string::npos) << shell;
  EXPECT_EQ(resumed, "1 0\n");
  EXPECT_NE(redrawn.find("MEM   ["), std::string::npos) << "not redrawn after fg:\n" << redrawn;
  std::istringstream rows(narrow);
  size_t count = 0;
  for (std::string row; std::getline(rows, row); ++count) {
    EXPECT_LE(row.size(), 50u) << row;
    // Its 55 bytes broken after the comma, not through a figure.
    if (row.find("throttled") != std::string::npos) {
      EXPECT_EQ(row.back(), ',') << narrow;
    }
  }
  EXPECT_LE(count, 8u);
  EXPECT_EQ(narrow.rfind("cgview stats", 0), 0u) << "the frame scrolled:\n" << narrow;
  // Too narrow for the whole note on what is left out: its short form, whole.
  std::vector<std::string> tiny_rows;
  std::istringstream tiny_lines(tiny);
  for (std::string row; std::getline(tiny_lines, row);)
    if (!row.empty()) tiny_rows.push_back(row);
  ASSERT_FALSE(tiny_rows.empty());
  EXPECT_TRUE(std::regex_match(tiny_rows.back(), std::regex(R"(\(\d+ more lines\))"))) << tiny;
  EXPECT_EQ(ended, "0 1\n");
}

// swapon --show and free under the shim, over a sysroot with a swap
// allowance (this machine has no swap, so a live allowance shows no area).
TEST(StatsServed, SwaponShowAndFreeAgreeOnTheContainersSwap) {
  char name[] = "/tmp/cgview-swaps-XXXXXX";
  std::string root = mkdtemp(name);
  auto put = [&](const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(root + "/" + rel).parent_path());
    write_file(root + "/" + rel, text);
  };
  put("proc/self/mountinfo", "30 22 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  put("proc/self/cgroup", "0::/\n");
  put("proc/meminfo", read_file(std::string(CGVIEW_FIXTURES) + "/docker-v2-private-ns/proc/meminfo"));
  put("sys/devices/system/cpu/online", "0-3\n");
  put("sys/fs/cgroup/memory.max", "536870912\n");
  put("sys/fs/cgroup/memory.current", "104857600\n");
  put("sys/fs/cgroup/memory.stat", "anon 1\nfile 2\n");
  put("sys/fs/cgroup/memory.swap.max", "268435456\n");     // 256 MiB allowed
  put("sys/fs/cgroup/memory.swap.current", "16777216\n");  // 16 MiB used
  std::vector<std::string> env = {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + root};
  auto swapon = run_program({"/usr/sbin/swapon", "--show=NAME,TYPE,SIZE,USED", "--bytes", "--noheadings"}, env);
  auto free = run_program({"/usr/bin/free", "-b"}, env);
  std::filesystem::remove_all(root);
  ASSERT_EQ(swapon.exit_code, 0) << swapon.err;
  std::istringstream row(swapon.out);
  std::string area, type;
  long long size = 0, used = 0;
  row >> area >> type >> size >> used;
  EXPECT_EQ(area, "none") << swapon.out;
  EXPECT_EQ(size, 256ll << 20) << swapon.out;
  EXPECT_EQ(used, 16ll << 20) << swapon.out;
  std::istringstream lines(free.out);
  std::string line;
  bool seen = false;
  while (std::getline(lines, line)) {
    if (line.rfind("Swap:", 0) != 0) continue;
    std::istringstream f(line.substr(5));
    long long total, swap_used;
    f >> total >> swap_used;
    EXPECT_EQ(total, size) << free.out;
    EXPECT_EQ(swap_used, used) << free.out;
    seen = true;
  }
  EXPECT_TRUE(seen) << free.out;
}

}  // namespace

namespace {

// The pressure files and diskstats under the shim over a v2 sysroot: the
// cgroup's own pressure byte for byte, and diskstats lines with its io.stat.
TEST(StatsServed, PressureAndDiskstatsUnderTheShimOnV2) {
  char name[] = "/tmp/cgview-pressure-XXXXXX";
  std::string root = mkdtemp(name);
  auto put = [&](const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(root + "/" + rel).parent_path());
    write_file(root + "/" + rel, text);
  };
  put("proc/self/mountinfo", "30 22 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  // A container's own cgroup: the root cgroup's pressure is the host's anyway.
  put("proc/self/cgroup", "0::/ctr\n");
  put("proc/meminfo", read_file(std::string(CGVIEW_FIXTURES) + "/docker-v2-private-ns/proc/meminfo"));
  put("sys/devices/system/cpu/online", "0-3\n");
  put("sys/fs/cgroup/ctr/cpu.max", "100000 100000\n");
  put("sys/fs/cgroup/ctr/memory.current", "1048576\n");
  const std::string cpu = "some avg10=12.34 avg60=5.00 avg300=1.00 total=987654\nfull avg10=1.00 avg60=0.50 avg300=0.10 total=1234\n";
  const std::string memory = "some avg10=0.00 avg60=0.00 avg300=0.00 total=11\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=22\n";
  const std::string io = "some avg10=3.00 avg60=0.00 avg300=0.00 total=33\nfull avg10=2.00 avg60=0.00 avg300=0.00 total=44\n";
  put("sys/fs/cgroup/ctr/cpu.pressure", cpu);
  put("sys/fs/cgroup/ctr/memory.pressure", memory);
  put("sys/fs/cgroup/ctr/io.pressure", io);
  put("sys/fs/cgroup/ctr/io.stat", "254:0 rbytes=1048576 wbytes=2097152 rios=10 wios=20 dbytes=0 dios=0\n");
  put("proc/diskstats", " 254       0 vda 500 1 9000 10 600 2 8000 20 0 30 40 0 0 0 0 5 6\n"
                        " 254       1 vda1 400 1 8000 10 500 2 7000 20 0 30 40 0 0 0 0 0 0\n");
  std::vector<std::string> env = {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + root};
  auto served_cpu = run_program({"/bin/cat", "/proc/pressure/cpu"}, env);
  auto served_memory = run_program({"/bin/cat", "/proc/pressure/memory"}, env);
  auto served_io = run_program({"/bin/cat", "/proc/pressure/io"}, env);
  auto diskstats = run_program({"/bin/cat", "/proc/diskstats"}, env);
  auto vmstat = run_program({"/usr/bin/vmstat", "-d"}, env);
  std::filesystem::remove_all(root);
  EXPECT_EQ(served_cpu.out, cpu);
  EXPECT_EQ(served_memory.out, memory);
  EXPECT_EQ(served_io.out, io);
  EXPECT_EQ(diskstats.out,
            " 254       0 vda 10 0 2048 0 20 0 4096 0 0 0 0 0 0 0 0 0 0\n"
            " 254       1 vda1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
  EXPECT_NE(vmstat.out.find("vda       10      0    2048       0     20      0    4096"), std::string::npos)
      << vmstat.out;
}

}  // namespace
