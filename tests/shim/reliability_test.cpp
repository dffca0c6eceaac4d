// Faults, load and security: runs stress_probe.c with
// libcgview.so preloaded while its cgroup is removed, with mountinfo hidden by
// a mount namespace, at the fd limit, under seccomp filters, over huge
// mountinfo and 4,096-CPU sysroots, under load, setuid through an
// /etc/ld.so.preload visible only in a mount namespace, and under strace.
// Expected values are written here by hand; "native" values are the same
// probe's answers without the shim, measured in the same run.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "key_values.hpp"
#include "real_cgroup.hpp"

extern char** environ;

using cgview::test::RealCgroup;

namespace {

const std::string kShim = CGVIEW_SHIM_PATH;
const std::string kProbe = CGVIEW_STRESS_PROBE;
const std::string kFixtures = CGVIEW_FIXTURES;
const std::string kPreload = "LD_PRELOAD=" + kShim;
constexpr unsigned long long kMiB = 1024 * 1024;

using cgview::test::Values;

Values parse(const std::string& out) { return cgview::test::parse_key_values(out); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

double now_s() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// The test's environment without LD_PRELOAD and CGVIEW_*, plus `extra`.
std::vector<std::string> child_env(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string var = *e;
    if (var.rfind("LD_PRELOAD=", 0) == 0 || var.rfind("CGVIEW_", 0) == 0) continue;
    env.push_back(var);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  cgview::test::add_test_settings(env);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (std::string& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

// A child in its own process group, moved into `group` before it execs.
struct Child {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;
};

Child start(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
            const RealCgroup* group = nullptr) {
  Child c;
  int in[2], out[2], err[2], go[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(go, O_CLOEXEC)) return c;
  std::vector<std::string> env = child_env(extra_env), args = argv;
  std::vector<char*> envp = pointers(env), argp = pointers(args);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(126);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execve(argp[0], argp.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  close(go[0]);
  setpgid(pid, pid);
  if (group != nullptr && !group->enter(pid)) kill(pid, SIGKILL);
  (void)!write(go[1], "g", 1);
  close(go[1]);
  c.pid = pid;
  c.in = in[1];
  c.out = out[0];
  c.err = err[0];
  return c;
}

// Reads the child's stdout until it contains `marker` or the time is up.
bool read_until(Child& c, std::string& out, const std::string& marker, double timeout_s) {
  double deadline = now_s() + timeout_s;
  char buf[4096];
  while (out.find(marker) == std::string::npos) {
    struct pollfd p = {c.out, POLLIN, 0};
    int left_ms = int((deadline - now_s()) * 1000);
    if (left_ms <= 0 || poll(&p, 1, left_ms) <= 0) return false;
    ssize_t n = read(c.out, buf, sizeof buf);
    if (n <= 0) return false;
    out.append(buf, size_t(n));
  }
  return true;
}

struct Result {
  std::string out, err;
  int exit_code = -1;
  bool timed_out = false;
  double seconds = 0;
};

// Closes the child's stdin, collects its output, and kills its whole process
// group if it has not finished within `timeout_s` (a deadlock fails the test
// instead of hanging the suite).
Result finish(Child& c, double timeout_s, std::string already = "") {
  Result r;
  r.out = std::move(already);
  double start = now_s(), deadline = start + timeout_s;
  if (c.in >= 0) close(c.in);
  c.in = -1;
  char buf[65536];
  while (c.out >= 0 || c.err >= 0) {
    struct pollfd p[2] = {{c.out, POLLIN, 0}, {c.err, POLLIN, 0}};
    int left_ms = int((deadline - now_s()) * 1000);
    if (left_ms <= 0 || poll(p, 2, left_ms) == 0) {
      r.timed_out = true;
      kill(-c.pid, SIGKILL);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      int& fd = i == 0 ? c.out : c.err;
      if (fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? r.out : r.err).append(buf, size_t(n));
      } else {
        close(fd);
        fd = -1;
      }
    }
  }
  if (c.out >= 0) close(c.out);
  if (c.err >= 0) close(c.err);
  int status = 0;
  waitpid(c.pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.seconds = now_s() - start;
  return r;
}

Result run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
           const RealCgroup* group = nullptr, double timeout_s = 60) {
  Child c = start(argv, env, group);
  if (c.pid < 0) return {};
  return finish(c, timeout_s);
}

// Runs the probe and expects a clean exit with nothing on stderr.
Values probe(const std::vector<std::string>& args, const std::vector<std::string>& env,
             const RealCgroup* group = nullptr, double timeout_s = 60) {
  std::vector<std::string> argv = {kProbe};
  argv.insert(argv.end(), args.begin(), args.end());
  Result r = run(argv, env, group, timeout_s);
  EXPECT_FALSE(r.timed_out) << args[0] << " did not finish within " << timeout_s << " s";
  EXPECT_EQ(r.exit_code, 0) << args[0] << ":\n" << r.out << r.err;
  EXPECT_EQ(r.err, "") << args[0];
  return parse(r.out);
}

// The answers of the probe without the shim: what "the real answer" means here.
const Values& native() {
  static const Values v = [] {
    Result r = run({kProbe, "view"}, {});
    return parse(r.out);
  }();
  return v;
}

const char* const kViewKeys[] = {"sysconf_onln",     "get_nprocs",          "affinity_count",
                                 "online",           "cpuinfo_blocks",      "stat_cpu_lines",
                                 "meminfo_total_kb", "sysinfo_totalram_kb", "phys_pages_kb"};

void expect_native(const Values& v, const std::string& prefix, const std::string& context) {
  ASSERT_FALSE(native().empty());
  for (const char* key : kViewKeys) EXPECT_EQ(v.count(prefix + key) ? v.at(prefix + key) : "(missing)", native().at(key))
      << context << ": " << prefix << key;
}

// A one-CPU view under the default placement (spread): one CPU of the
// host's, picked by the cgroup directory's inode, so not always "0".
bool one_host_cpu(const std::string& list) {
  if (list.empty() || list.find_first_not_of("0123456789") != std::string::npos || list.size() > 5) return false;
  return std::stol(list) < sysconf(_SC_NPROCESSORS_ONLN);
}

// One CPU and 256 MiB: the view inside RealCgroup(50000, 100000, 256 MiB).
void expect_one_cpu_256m(const Values& v, const std::string& context) {
  for (const char* key : {"sysconf_onln", "get_nprocs", "affinity_count", "cpuinfo_blocks", "stat_cpu_lines"})
    EXPECT_EQ(v.count(key) ? v.at(key) : "(missing)", "1") << context << ": " << key;
  EXPECT_TRUE(one_host_cpu(v.count("online") ? v.at("online") : "(missing)")) << context << ": online";
  for (const char* key : {"meminfo_total_kb", "sysinfo_totalram_kb", "phys_pages_kb"})
    EXPECT_EQ(v.count(key) ? v.at(key) : "(missing)", "262144") << context << ": " << key;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/cgview-rel-XXXXXX";
    char* d = mkdtemp(tmpl);
    dir_ = d != nullptr ? d : "";
  }
  ~TempDir() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

class FixtureCopy : public TempDir {
 public:
  explicit FixtureCopy(const std::string& fixture) {
    std::filesystem::copy(kFixtures + "/" + fixture, dir(), std::filesystem::copy_options::recursive);
  }
  std::string path(const std::string& relative) const { return dir() + "/" + relative; }
};

std::string host_mem_total_kb() { return native().at("meminfo_total_kb"); }

// ===========================================================================
// Faults
// ===========================================================================

// The program reads its view, is moved out of its cgroup, the cgroup is
// removed, and it reads again after the 0.5 s cache has expired: no crash,
// and the parent's view (no limits here: the native answers), on a fresh open
// and on a rewind of an fd opened before.
TEST(Faults, CgroupRemovedWhileTheProgramRuns) {
  RealCgroup group(50000, 100000, 256 * kMiB);
  REQUIRE_REAL_CGROUP(group);
  Child c = start({kProbe, "view-twice", "1100"}, {kPreload}, &group);
  ASSERT_GT(c.pid, 0);
  std::string first;
  bool ready = read_until(c, first, "ready=1\n", 30);
  if (!ready) {
    Result r = finish(c, 5, first);
    FAIL() << "no first view:\n" << r.out << r.err;
  }
  Values before = parse(first);
  expect_one_cpu_256m(before, "in the cgroup");
  EXPECT_EQ(before["kept_total_kb"], "262144");

  // Out of every directory, back to the test's own cgroup, then rmdir.
  for (const std::string& home : group.homes()) {
    std::ofstream procs(home + "/cgroup.procs");
    procs << c.pid << std::flush;
    EXPECT_TRUE(procs.good()) << "moving " << c.pid << " to " << home;
  }
  for (const std::string& dir : group.directories()) {
    int rc = -1;
    for (int attempt = 0; attempt < 100 && (rc = rmdir(dir.c_str())) != 0 && errno == EBUSY; ++attempt) usleep(20000);
    EXPECT_EQ(rc, 0) << "rmdir " << dir << ": " << std::strerror(errno);
    EXPECT_FALSE(std::filesystem::exists(dir));
  }
  ASSERT_EQ(write(c.in, "go\n", 3), 3);
  Result r = finish(c, 30, first);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  Values after = parse(r.out);
  expect_native(after, "after_", "after the cgroup was removed");
  EXPECT_EQ(after["after_kept_total_kb"], host_mem_total_kb()) << "rewound fd after the removal";
}

// /proc/self/mountinfo made unreadable in a mount namespace (exec keeps the
// pid, so the probe's /proc/self is the shell's /proc/$$). Inside a cgroup
// with 1 CPU and 256 MiB: with mountinfo readable the probe sees that; without
// it no cgroup can be found, and every answer must be the real one.
struct HiddenMountinfo {
  const char* name;
  const char* mount;  // shell words: SOURCE TARGET; @ = the temp dir
};

const HiddenMountinfo kHidden[] = {
    {"empty_file", "@/empty /proc/$$/mountinfo"},
    {"read_error", "/proc/$$/mem /proc/$$/mountinfo"},  // open works, read fails with EIO
    {"garbage", "@/garbage /proc/$$/mountinfo"},        // 1 MiB of random bytes
    {"proc_pid_is_an_empty_directory", "@/emptydir /proc/$$"},  // no mountinfo, cgroup or fd/ at all
};

void PrintTo(const HiddenMountinfo& p, std::ostream* os) { *os << p.name; }

class MountinfoUnreadable : public ::testing::TestWithParam<HiddenMountinfo> {};

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
  return s;
}

TEST(Faults, MountinfoReadableInTheNamespaceControl) {
  RealCgroup group(50000, 100000, 256 * kMiB);
  REQUIRE_REAL_CGROUP(group);
  Result r = run({"/usr/bin/unshare", "-m", "sh", "-c", "exec env " + kPreload + " " + kProbe + " view"}, {}, &group);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  expect_one_cpu_256m(parse(r.out), "control");
}

TEST_P(MountinfoUnreadable, EveryAnswerIsTheRealOne) {
  RealCgroup group(50000, 100000, 256 * kMiB);
  REQUIRE_REAL_CGROUP(group);
  TempDir tmp;
  write_file(tmp.dir() + "/empty", "");
  std::mt19937 random(6);
  std::string garbage(kMiB, '\0');
  for (char& ch : garbage) ch = char(random() % 256);
  write_file(tmp.dir() + "/garbage", garbage);
  ASSERT_EQ(mkdir((tmp.dir() + "/emptydir").c_str(), 0755), 0);
  // Preloaded into the probe alone (env sets it for its child): unshare, sh and
  // mount are this system's programs, which a cross build's library does not fit.
  std::string script = "mount --bind " + replace_all(GetParam().mount, "@", tmp.dir()) + " && exec env " + kPreload +
                       " " + kProbe + " view";
  Result r = run({"/usr/bin/unshare", "-m", "sh", "-c", script}, {}, &group);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << script << "\n" << r.out << r.err;
  EXPECT_EQ(r.err, "");
  expect_native(parse(r.out), "", GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(Faults, MountinfoUnreadable, ::testing::ValuesIn(kHidden),
                         [](const auto& info) { return std::string(info.param.name); });

// RLIMIT_NOFILE at the current count + 1: one free fd. The shim needs up to
// three at once (its memfd or O_TMPFILE, the host file it renders from, the
// read-only reopen). The open must succeed as the real one would, with either
// the view or the real content, the fd must not be writable, and closing it
// must leave exactly one free fd again (nothing leaked).
struct OneSlot {
  const char* name;
  const char* path;
  const char* filter;
};

const OneSlot kOneSlot[] = {
    {"meminfo", "/proc/meminfo", "none"},
    {"meminfo_no_memfd", "/proc/meminfo", "no-memfd"},
    {"meminfo_no_anon", "/proc/meminfo", "no-anon"},
    {"online", "/sys/devices/system/cpu/online", "none"},
    {"online_no_memfd", "/sys/devices/system/cpu/online", "no-memfd"},
    {"online_no_anon", "/sys/devices/system/cpu/online", "no-anon"},
    {"stat", "/proc/stat", "none"},
    {"stat_no_memfd", "/proc/stat", "no-memfd"},
};

void PrintTo(const OneSlot& p, std::ostream* os) { *os << p.name; }

class OneFreeFd : public ::testing::TestWithParam<OneSlot> {};

TEST_P(OneFreeFd, OpenSucceedsUnwritableAndLeaksNothing) {
  const OneSlot& p = GetParam();
  // v1-cpuset-small: online "4-5" and MemTotal 16384000, both unlike this host.
  Values v = probe({"one-slot", p.path, p.filter}, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/v1-cpuset-small"});
  EXPECT_EQ(v["free_before"], "1");
  EXPECT_EQ(v["open_ok"], "1") << "the real open would succeed";
  EXPECT_EQ(v["errno_kept"], "1");
  std::string path = p.path;
  // With memfd allowed, the content is made after the inputs are closed, so
  // the one free fd serves the view; otherwise the real file is served.
  bool memfd = std::string(p.filter) == "none";
  if (path == "/proc/meminfo") {
    if (memfd) EXPECT_EQ(v["content"], "16384000");
    else EXPECT_TRUE(v["content"] == "16384000" || v["content"] == host_mem_total_kb()) << v["content"];
  } else if (path == "/sys/devices/system/cpu/online") {
    if (memfd) EXPECT_EQ(v["content"], "4-5");
    else EXPECT_TRUE(v["content"] == "4-5" || v["content"] == native().at("online")) << v["content"];
  } else {
    EXPECT_EQ(v["content"].rfind("cpu ", 0), 0u) << v["content"];
  }
  if (path == "/proc/stat") EXPECT_EQ(v["rewound"].rfind("cpu ", 0), 0u) << v["rewound"];  // the real one moves on
  else EXPECT_EQ(v["rewound"], v["content"]);
  EXPECT_EQ(v["write"].rfind("-1 ", 0), 0u) << "a served fd must not be writable: write=" << v["write"]
                                            << " access=" << v["access"];
  EXPECT_EQ(v["cloexec"], "0") << "opened without O_CLOEXEC";
  EXPECT_EQ(v["free_after"], "1") << "an fd leaked";
}

INSTANTIATE_TEST_SUITE_P(Faults, OneFreeFd, ::testing::ValuesIn(kOneSlot),
                         [](const auto& info) { return std::string(info.param.name); });

// memfd_create -> EPERM and O_TMPFILE -> EOPNOTSUPP (seccomp): every served
// file is the real one, and nothing leaks. The other entry points (sysconf,
// sysinfo) do not need a file and keep the view.
TEST(Faults, MemfdAndTmpfileRefusedGiveTheRealFiles) {
  Values v = probe({"refused", "no-anon"}, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/v1-cpuset-small"});
  EXPECT_EQ(v["memfd_refused"], "1");
  EXPECT_EQ(v["tmpfile_refused"], "1");
  EXPECT_EQ(v["meminfo_total_kb"], host_mem_total_kb());
  EXPECT_EQ(v["fopen_total_kb"], host_mem_total_kb());
  EXPECT_EQ(v["rewound_total_kb"], host_mem_total_kb());
  EXPECT_EQ(v["online"], native().at("online"));
  EXPECT_EQ(v["cpuinfo_blocks"], native().at("cpuinfo_blocks"));
  EXPECT_EQ(v["stat_cpu_lines"], native().at("stat_cpu_lines"));
  EXPECT_EQ(v["sysinfo_totalram_kb"], "16384000");
  EXPECT_EQ(v["fd_delta"], "0");
}

// memfd_create refused only: the O_TMPFILE fallback serves the view.
TEST(Faults, MemfdRefusedServesThroughTmpfile) {
  Values v = probe({"refused", "no-memfd"}, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/v1-cpuset-small"});
  EXPECT_EQ(v["memfd_refused"], "1");
  EXPECT_EQ(v["tmpfile_refused"], "0");
  EXPECT_EQ(v["meminfo_total_kb"], "16384000");
  EXPECT_EQ(v["fopen_total_kb"], "16384000");
  EXPECT_EQ(v["rewound_total_kb"], "16384000");
  EXPECT_EQ(v["online"], "4-5");
  EXPECT_EQ(v["cpuinfo_blocks"], "2");
  EXPECT_EQ(v["stat_cpu_lines"], "2");
  EXPECT_EQ(v["fd_delta"], "0");
}

// Sealing refused (a seccomp filter on fcntl F_ADD_SEALS): the memfd is handed
// over as a read-only reopen instead, and the view is still served.
TEST(Faults, SealingRefusedServesAReadOnlyReopen) {
  Values v = probe({"refused", "no-seal"}, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/v1-cpuset-small"});
  EXPECT_EQ(v["memfd_refused"], "0");
  EXPECT_EQ(v["meminfo_total_kb"], "16384000");
  EXPECT_EQ(v["fopen_total_kb"], "16384000");
  EXPECT_EQ(v["rewound_total_kb"], "16384000");
  EXPECT_EQ(v["online"], "4-5");
  EXPECT_EQ(v["fd_delta"], "0");
  Values ro = probe({"readonly", "/proc/meminfo", "no-seal"}, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/v1-cpuset-small"});
  EXPECT_EQ(ro["access"], "rdonly");
  EXPECT_EQ(ro["write"], "-1 errno=9");
}

// A mountinfo of over 1 MiB: 10,000 unrelated mounts before and after the
// fixture's lines, and lines longer than any read buffer just before the
// cgroup2 line. The limits are still found: the fixture's own values.
TEST(Faults, HugeMountinfoStillFindsTheLimits) {
  FixtureCopy copy("docker-v2-private-ns");
  std::string original = read_file(copy.path("proc/self/mountinfo"));
  ASSERT_NE(original.find(" - cgroup2 "), std::string::npos);
  auto filler = [](int from, int count) {
    std::string s;
    for (int i = from; i < from + count; ++i) {
      int kind = i % 4;
      s += std::to_string(2000 + i) + " 1108 0:" + std::to_string(300 + i % 500) + " / ";
      if (kind == 0) s += "/mnt/t" + std::to_string(i) + " rw,relatime - tmpfs tmpfs rw,size=64k\n";
      else if (kind == 1) s += "/var/lib/x/" + std::to_string(i) + " ro,nosuid - ext4 /dev/vdb rw\n";
      else if (kind == 2) s += "/run/n/" + std::to_string(i) + " rw shared:" + std::to_string(i) + " - nsfs nsfs rw\n";
      else s += "/srv/o" + std::to_string(i) + " rw - overlay overlay rw,lowerdir=/a:/b,upperdir=/c,workdir=/d\n";
    }
    return s;
  };
  std::string overlong;
  for (int i = 0; i < 3; ++i)
    overlong += "3" + std::to_string(i) + " 1108 0:99 / /mnt/" + std::string(9000, 'a' + char(i)) +
                " rw - tmpfs tmpfs rw\n";
  size_t cgroup_line = original.rfind('\n', original.find(" - cgroup2 ")) + 1;
  std::string big = filler(0, 10000) + original.substr(0, cgroup_line) + overlong + original.substr(cgroup_line) +
                     filler(10000, 10000);
  ASSERT_GT(big.size(), kMiB);
  write_file(copy.path("proc/self/mountinfo"), big);
  Values v = probe({"view"}, {kPreload, "CGVIEW_SYSROOT=" + copy.dir()});
  for (const char* key : {"sysconf_onln", "get_nprocs", "affinity_count", "cpuinfo_blocks", "stat_cpu_lines"})
    EXPECT_EQ(v[key], "2") << key;
  EXPECT_EQ(v["online"], "0-1");
  for (const char* key : {"meminfo_total_kb", "sysinfo_totalram_kb", "phys_pages_kb"}) EXPECT_EQ(v[key], "1048576") << key;
}

// A 4,096-CPU host: online/possible/present 0-4095, cpuinfo with 4,096 blocks,
// stat with 4,096 cpuN lines, cpuset 0-4095.
void make_4096_cpus(const FixtureCopy& copy, const std::string& cpu_max) {
  for (const char* f : {"online", "possible", "present"})
    write_file(copy.path(std::string("sys/devices/system/cpu/") + f), "0-4095\n");
  std::string cpuinfo = read_file(copy.path("proc/cpuinfo"));
  std::string block = cpuinfo.substr(0, cpuinfo.find("\n\n") + 2);
  ASSERT_EQ(block.rfind("processor\t: 0\n", 0), 0u);
  std::string rest = block.substr(std::strlen("processor\t: 0\n"));
  std::string all;
  for (int cpu = 0; cpu < 4096; ++cpu) all += "processor\t: " + std::to_string(cpu) + "\n" + rest;
  write_file(copy.path("proc/cpuinfo"), all);
  std::string stat = read_file(copy.path("proc/stat"));
  std::string tail = stat.substr(stat.find("intr "));
  std::string lines = "cpu  418158 4651 155789 8408065 9847 0 3824 1829 0 0\n";
  for (int cpu = 0; cpu < 4096; ++cpu)
    lines += "cpu" + std::to_string(cpu) + " " + std::to_string(100 + cpu) + " 1 2 1000 3 0 4 5 0 0\n";
  write_file(copy.path("proc/stat"), lines + tail);
  write_file(copy.path("sys/fs/cgroup/cpuset.cpus.effective"), "0-4095\n");
  write_file(copy.path("sys/fs/cgroup/cpuset.cpus"), "0-4095\n");
  write_file(copy.path("sys/fs/cgroup/cpu.max"), cpu_max);
}

TEST(Faults, FourThousandCpusWithAQuotaOfTwo) {
  FixtureCopy copy("docker-v2-private-ns");
  make_4096_cpus(copy, "200000 100000\n");
  Values v = probe({"view"}, {kPreload, "CGVIEW_SYSROOT=" + copy.dir()});
  for (const char* key : {"sysconf_onln", "get_nprocs", "affinity_count", "cpuinfo_blocks", "stat_cpu_lines"})
    EXPECT_EQ(v[key], "2") << key;
  EXPECT_EQ(v["online"], "0-1");
  EXPECT_EQ(v["meminfo_total_kb"], "1048576");
}

TEST(Faults, FourThousandCpusWithoutAQuota) {
  FixtureCopy copy("docker-v2-private-ns");
  make_4096_cpus(copy, "max 100000\n");
  Values v = probe({"view"}, {kPreload, "CGVIEW_SYSROOT=" + copy.dir()});
  for (const char* key : {"sysconf_onln", "get_nprocs", "affinity_count", "cpuinfo_blocks", "stat_cpu_lines"})
    EXPECT_EQ(v[key], "4096") << key;
  EXPECT_EQ(v["online"], "0-4095");
  EXPECT_EQ(v["meminfo_total_kb"], "1048576");
}

// ===========================================================================
// Load
// ===========================================================================

// 64 threads x 100,000 mixed calls (sysconf, get_nprocs, sched_getaffinity
// with an 8192-CPU mask, sysinfo, the page counts; 1 in 50 an
// open+read+close of meminfo, online, stat or cpuinfo), over systemd-colon
// (1 CPU, "0", 262144 kB). Every answer agrees; fds and RSS do not grow.
TEST(Load, SixtyFourThreadsOfMixedCalls) {
  Values v = probe({"load", "64", "100000", "50"}, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/systemd-colon"},
                   nullptr, 150);
  EXPECT_EQ(v["expect_cpus"], "1");
  EXPECT_EQ(v["expect_total_kb"], "262144");
  EXPECT_EQ(v["expect_online"], "0");
  EXPECT_EQ(v["bad"], "0");
  EXPECT_EQ(v["fds_after"], v["fds_before"]);
  long rss_growth = std::atol(v["rss_after_kb"].c_str()) - std::atol(v["rss_before_kb"].c_str());
  EXPECT_LT(rss_growth, 1024) << "VmRSS " << v["rss_before_kb"] << " -> " << v["rss_after_kb"] << " kB";
  // Timing is printed, never asserted (it depends on the machine and its load).
  std::printf("[ load ] 64 x 100000 calls: %s ms wall, %s ms CPU, VmRSS %s -> %s kB\n", v["elapsed_ms"].c_str(),
              v["cpu_ms"].c_str(), v["rss_before_kb"].c_str(), v["rss_after_kb"].c_str());
}

// 1,000 preloaded processes, posix_spawned in waves of 100 that run at once;
// each checks its own answers (exit 0 = right). Bounded by a deadline.
TEST(Load, AThousandShortProcesses) {
  std::vector<std::string> env = child_env({kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/systemd-colon"});
  std::vector<char*> envp = pointers(env);
  std::vector<std::string> args = {kProbe, "quick", "1", "262144"};
  std::vector<char*> argp = pointers(args);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  double start = now_s(), deadline = start + 90;
  std::map<int, int> exit_codes;
  int spawned = 0, timed_out = 0;
  for (int wave = 0; wave < 10; ++wave) {
    std::set<pid_t> running;
    for (int i = 0; i < 100; ++i) {
      pid_t pid;
      int rc = posix_spawn(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
      ASSERT_EQ(rc, 0) << std::strerror(rc);
      running.insert(pid);
      ++spawned;
    }
    while (!running.empty()) {
      int status = 0;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid > 0 && running.erase(pid)) {
        ++exit_codes[WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)];
      } else if (pid <= 0) {
        if (now_s() > deadline) {
          for (pid_t p : running) kill(p, SIGKILL);
          for (pid_t p : running) waitpid(p, &status, 0);
          timed_out += int(running.size());
          running.clear();
        } else {
          usleep(1000);
        }
      }
    }
  }
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(spawned, 1000);
  EXPECT_EQ(timed_out, 0) << "processes still running after 90 s: a deadlock";
  EXPECT_EQ(exit_codes[0], 1000) << "exit code 3: sysconf wrong, 4: affinity wrong, 5: meminfo wrong";
  for (const auto& [code, count] : exit_codes)
    if (code != 0) ADD_FAILURE() << count << " processes exited with " << code;
  std::printf("[ load ] 1000 processes in waves of 100: %.1f s\n", now_s() - start);
}

// 1,000 forks in waves of 100 from a preloaded process whose four threads keep
// asking (and refreshing the cache) meanwhile: children inherit the cache and
// the resolver state in any phase; each child checks its answers at once.
TEST(Load, ForksFromABusyThreadedProcess) {
  Values v = probe({"fork-storm", "1000", "100"}, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/systemd-colon"},
                   nullptr, 90);
  EXPECT_EQ(v["children"], "1000");
  EXPECT_EQ(v["children_failed"], "0");
  EXPECT_EQ(v["parent_bad"], "0");
}

// ===========================================================================
// Promises of the calls the shim replaces
// ===========================================================================

const std::string kOneCpu256M = "CGVIEW_SYSROOT=" + kFixtures + "/systemd-colon";  // 1 CPU, 262144 kB

// open() returns the lowest free fd, with the flags asked for: for content
// rendered after its inputs are closed (meminfo), content over the renderer's
// buffer (cpuinfo of 3 CPUs, 4.2 KiB, made while the host file is still
// open), and content that fits it but is flushed before the input's close
// (cpuinfo of 1 CPU, a status file).
TEST(Promises, OpenReturnsTheLowestFreeFd) {
  Values small = probe({"lowest-fd", "/proc/meminfo"}, {kPreload, kOneCpu256M});
  Values large = probe({"lowest-fd", "/proc/cpuinfo"}, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/v1-cpuset-quota"});
  Values streamed = probe({"lowest-fd", "/proc/cpuinfo"}, {kPreload, kOneCpu256M});
  Values status = probe({"lowest-fd", "/proc/self/status"}, {kPreload, kOneCpu256M});
  for (Values* v : {&small, &large, &streamed, &status}) {
    EXPECT_EQ((*v)["open_fd"], "0");
    EXPECT_EQ((*v)["open_cloexec"], "1");
    EXPECT_EQ((*v)["rewound_fd_cloexec"], "1");
    EXPECT_EQ((*v)["openat_fd"], "0");
    EXPECT_EQ((*v)["openat_cloexec"], "0");
    EXPECT_EQ((*v)["openat_nonblock"], "1");
    EXPECT_EQ((*v)["rewound_openat_cloexec"], "0");
    EXPECT_EQ((*v)["rewound_openat_nonblock"], "1");
    EXPECT_EQ((*v)["fopen_fd"], "0");
  }
  EXPECT_EQ(small["open_meminfo_total_kb"], "262144");  // served, not the real file
  EXPECT_EQ(large["open_processor_lines"], "3");
  EXPECT_EQ(streamed["open_processor_lines"], "1");
  // With 200 fds open the lowest free one (150) is above the held-fd floor.
  for (const char* path : {"/proc/cpuinfo", "/proc/self/status", "/proc/meminfo"})
    EXPECT_EQ(probe({"lowest-fd-high", path}, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/v1-cpuset-quota"})["open_fd"],
              "150")
        << path;
}

// A render that reads its input by a plain fd (diskstats, longer than the
// renderer's 4 KiB buffer: 80 loop devices) gets the lowest fd too.
TEST(Promises, OpenReturnsTheLowestFreeFdForALongDiskstats) {
  FixtureCopy copy("docker-v2-private-ns");
  write_file(copy.path("sys/fs/cgroup/io.stat"), "8:0 rbytes=4096000 wbytes=8192 rios=100 wios=2 dbytes=0 dios=0\n");
  std::string disks = "   8       0 sda 1000 10 80000 500 2000 20 160000 900 0 1200 1400 0 0 0 0 50 60\n";
  for (int loop = 0; loop < 80; ++loop)
    disks += "   7       " + std::to_string(loop) + " loop" + std::to_string(loop) + " 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
  write_file(copy.path("proc/diskstats"), disks);
  Values v = probe({"lowest-fd", "/proc/diskstats"}, {kPreload, "CGVIEW_SYSROOT=" + copy.dir()});
  EXPECT_EQ(v["open_fd"], "0");
  EXPECT_EQ(v["openat_fd"], "0");
  EXPECT_EQ(v["fopen_fd"], "0");
}

// Each stdio rewind of one stream shows fresh usage, read through the stream's
// buffer (fgets). docker-v2-private-ns, 1 GiB: memory.current 100, 200, 400 MiB
// -> MemFree 946176, 843776, 638976 kB.
TEST(Promises, EveryStdioRewindReadsFreshContent) {
  FixtureCopy copy("docker-v2-private-ns");
  Values v = probe({"stdio-rewinds", copy.path("sys/fs/cgroup/memory.current"), "104857600", "209715200",
                    "419430400"},
                   {kPreload, "CGVIEW_SYSROOT=" + copy.dir()});
  EXPECT_EQ(v["first_free"], "741376");
  EXPECT_EQ(v["rewind_free"], "946176");
  EXPECT_EQ(v["fseek_free"], "843776");
  EXPECT_EQ(v["fsetpos_free"], "638976");
}

// Under RLIMIT_FSIZE the content is served only where it fits; otherwise the
// real file, never SIGXFSZ.
TEST(Promises, FileSizeLimitNeverKills) {
  for (const char* limit : {"0", "100"}) {
    Values v = probe({"fsize", limit}, {kPreload, kOneCpu256M});
    EXPECT_EQ(v["meminfo_total_kb"], host_mem_total_kb()) << "RLIMIT_FSIZE " << limit;
    EXPECT_EQ(v["sysconf_onln"], "1");
  }
  Values v = probe({"fsize", "1048576"}, {kPreload, kOneCpu256M});
  EXPECT_EQ(v["meminfo_total_kb"], "262144");
}

// A thread pinned to one CPU that asks first must not set the count for the
// whole process: the process's mask decides (here, the real one, no quota).
TEST(Promises, APinnedThreadDoesNotChangeTheProcesssView) {
  ASSERT_FALSE(native().empty());
  if (std::atoi(native().at("affinity_count").c_str()) < 2) GTEST_SKIP() << "needs 2 or more CPUs";
  Values v = probe({"pinned-first"}, {kPreload});
  EXPECT_EQ(v["pinned_thread_sysconf"], native().at("sysconf_onln"));
  expect_native(v, "", "after a pinned thread asked first");
}

// CGVIEW_DEBUG: errno is untouched by answers that succeed, and a stderr pipe
// whose reader has gone does not kill the program.
// And with files missing (no-cgroup has no /proc/self/cgroup), the failed
// reads behind an answer leave errno alone too.
TEST(Promises, DebugOutputKeepsErrnoAndSurvivesABrokenPipe) {
  for (const char* fixture : {"/systemd-colon", "/no-cgroup"}) {
    Values v = probe({"quiet-debug"}, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + fixture, "CGVIEW_DEBUG=1"});
    EXPECT_EQ(v["alive"], "1") << fixture;
    for (const char* key : {"errno_after_sysconf", "errno_after_affinity", "errno_after_sysinfo",
                            "errno_after_phys_pages", "errno_after_open"})
      EXPECT_EQ(v[key], "4242") << fixture << " " << key;
    EXPECT_EQ(v["open_ok"], "1") << fixture;
  }
}

// How many times `what` occurs in `text` (a debug line in a program's stderr).
size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// CGVIEW_DEBUG: the view is computed again every half second for as long as
// a program asks; its decisions are said when they change, not at every
// refresh. Before, a program running under CGVIEW_DEBUG=1 wrote the same
// lines twice a second for ever. The probe reads its view, waits 0.6 s
// (the cache expires) and reads it again: once with the sysroot unchanged
// (each line said once), once with a new quota written meanwhile (said).
TEST(Promises, DebugSaysARefreshsDecisionsOnlyWhenTheyChange) {
  for (bool change : {false, true}) {
    FixtureCopy root("docker-v2-private-ns");  // quota 1.5: 2 CPUs
    Child c = start({kProbe, "view-twice", "600"}, {kPreload, "CGVIEW_SYSROOT=" + root.dir(), "CGVIEW_DEBUG=1"});
    ASSERT_GT(c.pid, 0);
    std::string first;
    if (!read_until(c, first, "ready=1\n", 30)) {
      Result r = finish(c, 5, first);
      FAIL() << "no first view:\n" << r.out << r.err;
    }
    if (change) std::ofstream(root.path("sys/fs/cgroup/cpu.max")) << "50000 100000\n";
    ASSERT_EQ(write(c.in, "go\n", 3), 3);
    Result r = finish(c, 30, first);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    Values after = parse(r.out);
    EXPECT_EQ(after["after_sysconf_onln"], change ? "1" : "2") << "the probe did not see the view it was given";
    EXPECT_EQ(count(r.err, "cgview: CPUs: 2 of "), 1u) << r.err;
    EXPECT_EQ(count(r.err, "cgview: CPUs: 1 of "), change ? 1u : 0u) << r.err;
    if (!change) {
      // Every line once: as many lines as distinct ones.
      std::set<std::string> distinct;
      size_t lines = 0;
      std::istringstream in(r.err);
      for (std::string line; std::getline(in, line); ++lines) distinct.insert(line);
      EXPECT_EQ(lines, distinct.size()) << r.err;
      EXPECT_GE(lines, 5u) << "too few debug lines to judge:\n" << r.err;
    }
  }
}

// CGVIEW_DEBUG, for files that find their own cgroup at each open (diskstats'
// I/O cgroup): what that search says is said once, with the view's lines. Before,
// a program reading /proc/diskstats every second said the search ("outside the
// root of the mount", "found by cgroup.procs") every second again. On cgroup v2
// the I/O cgroup is the view's own; on v1 blkio is a hierarchy of its own, which
// the view's refresh now locates too (a first fix left its lines unsaid there).
// /proc/diskstats is on every kernel (the fixtures have none: the real one is
// read through).
TEST(Promises, DebugDoesNotRepeatTheCgroupSearchAtEachOpen) {
  FixtureCopy v1("docker-v1-host-ns");
  {
    std::ifstream in(v1.path("proc/self/cgroup"));
    std::string cgroups((std::istreambuf_iterator<char>(in)), {}), line;
    std::istringstream lines(cgroups);
    std::ofstream out(v1.path("proc/self/cgroup"));
    while (std::getline(lines, line)) out << (line.find(":blkio:") != std::string::npos ? "9:blkio:/elsewhere" : line) << "\n";
  }
  const std::pair<std::string, std::vector<std::string>> cases[] = {
      {kFixtures + "/unshare-no-mount", {"found by cgroup.procs at /sys/fs/cgroup/worker/inner"}},
      {v1.dir(), {"cgroup path /elsewhere is outside the root", "blkio (v1): /sys/fs/cgroup/blkio"}}};
  for (const auto& [root, lines] : cases) {
    Result r = run({kProbe, "read-files", "3", "/proc/diskstats"}, {kPreload, "CGVIEW_SYSROOT=" + root, "CGVIEW_DEBUG=1"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(parse(r.out)["reads"], "3");
    for (const std::string& line : lines) EXPECT_EQ(count(r.err, line), 1u) << root << ": " << line << "\n" << r.err;
  }
}

// A configuration read left half-way (its thread longjmp'ed out of a signal
// handler) is taken over: another thread waits at most about 100 ms, then
// reads it itself, and everyone gets the view from then on.
TEST(Promises, AnAbandonedConfigurationReadIsTakenOver) {
  Values v = probe({"abandoned-config"}, {kPreload, kOneCpu256M}, nullptr, 30);
  EXPECT_EQ(v["jumped_out"], "1") << "the probe's hook did not interrupt the read: the test proves nothing";
  EXPECT_EQ(v["thread_sysconf"], "1");
  EXPECT_EQ(v["main_sysconf"], "1");
}

// A refresh of the cached view left by siglongjmp (a 100 us timer's handler
// jumping out of sysconf and sysinfo, 2 s long) must not keep the view from
// being refreshed ever after: the refresh holds signals off until it is done.
// Before, the writer's claim stayed taken and a new memory limit never showed.
// Nor may the jumps leave the memory files those calls read open.
TEST(Promises, ARefreshLeftBySiglongjmpDoesNotFreezeTheView) {
  RealCgroup group(0, 0, 256 * kMiB);
  REQUIRE_REAL_CGROUP(group);
  const std::string limit_file = group.memory_directory() + (group.v2() ? "/memory.max" : "/memory.limit_in_bytes");
  Result r = run({kProbe, "abandoned-refresh", limit_file, std::to_string(512 * kMiB)}, {kPreload}, &group, 60);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Values v = parse(r.out);
  EXPECT_EQ(v["before_kb"], "262144");
  EXPECT_GT(std::stol(v["jumps"]), 100) << "the timer did not interrupt the calls: the test proves nothing";
  EXPECT_EQ(v["fds_added"], "0") << "a jump out of sysconf or sysinfo left the cgroup files they read open";
  EXPECT_EQ(v["after_kb"], "524288");
}

// A vfork child shares its parent's memory, and so its cached view: one that
// moves itself out of the cgroup and asks once the view has expired computes
// its own view, but must not publish it as the parent's (before, the parent
// read the child's figures until its next refresh, up to half a second).
TEST(Promises, AVforkChildsViewIsNotItsParents) {
  RealCgroup group(0, 0, 256 * kMiB);
  REQUIRE_REAL_CGROUP(group);
  std::vector<std::string> argv = {kProbe, "vfork-child-moves"};
  for (const std::string& home : group.homes()) argv.push_back(home + "/cgroup.procs");
  Result r = run(argv, {kPreload}, &group, 30);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Values v = parse(r.out);
  if (v["kcmp_answers"] != "1") GTEST_SKIP() << "kcmp is refused here: the parent's view is then the child's (README)";
  EXPECT_EQ(v["parent_before_kb"], "262144");
  ASSERT_NE(v["child_kb"], "-2") << "the child could not move itself";
  EXPECT_NE(v["child_kb"], "262144") << "the child saw no other view: the test proves nothing";
  EXPECT_EQ(v["parent_after_kb"], "262144");
}

// A seccomp filter that traps openat (SIGSYS), answered by the program's own
// handler, as browsers' sandboxes do: the view's refresh opens cgroup files
// with its signals held off, but never the faults' (SIGSYS, SIGSEGV, ...),
// which the kernel would deliver anyway by killing the process.
TEST(Promises, ATrappedSystemCallReachesTheProgramsHandler) {
  Result r = run({kProbe, "trapped-opens"}, {kPreload}, nullptr, 30);
  ASSERT_EQ(r.exit_code, 0) << "killed by the trap? " << r.out << r.err;
  Values v = parse(r.out);
  if (v["supported"] != "1") GTEST_SKIP() << "the probe answers a trap on x86-64, i386 and arm64 only";
  EXPECT_EQ(v["alive"], "1");
  EXPECT_GT(std::stol(v["trapped"]), 0) << "no open was trapped: the test proves nothing";
  EXPECT_EQ(v["sysconf"], std::to_string(sysconf(_SC_NPROCESSORS_ONLN))) << "no cgroup file read: the real answer";
}

// A fork while another thread is reading the configuration: the child still
// gets the view, and so does the parent once the read finishes.
TEST(Promises, ForkDuringTheFirstConfigurationRead) {
  Values v = probe({"fork-mid-config"}, {kPreload, kOneCpu256M}, nullptr, 30);
  EXPECT_EQ(v["child_exit"], "0");
  EXPECT_EQ(v["child_sysconf"], "1");
  EXPECT_EQ(v["child_get_nprocs"], "1");
  EXPECT_EQ(v["child_meminfo_total_kb"], "262144");
  EXPECT_EQ(v["thread_sysconf"], "1");
  EXPECT_EQ(v["parent_sysconf"], "1");
}

// With CGVIEW_HOLD_FILES=1 the files read on every call stay open
// (input_file.hpp), at fd 128 and up, on the live system in a real cgroup: a program that closes every fd, dup2s
// its own file over the shim's, forks, or reads a thousand times still gets
// the view; its own fds are never read, moved or closed; nothing piles up.
long host_memtotal_kb() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  long kb = 0;
  meminfo >> key >> kb;
  return kb;
}

TEST(Promises, HeldInputFilesSurviveWhatTheProgramDoesToItsFds) {
  RealCgroup group(50000, 100000, 256 * kMiB);
  REQUIRE_REAL_CGROUP(group);
  Result r = run({kProbe, "held-inputs", std::to_string(host_memtotal_kb())}, {kPreload, "CGVIEW_HOLD_FILES=1"},
                 &group, 60);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Values v = parse(r.out);
  EXPECT_EQ(v["first"], "1") << "not served: the test proves nothing";
  // /proc/meminfo, the memory usage (v1 memory.usage_in_bytes, v2
  // memory.current), memory.stat, /proc/stat, and the cgroup's CPU time: v2's
  // cpu.stat, or v1's cpuacct.stat where the group's cpu directory has it (cpu
  // and cpuacct mounted together). Mounted apart, the process's cpuacct cgroup
  // is the hierarchy's root, whose time is the whole host's: /proc/stat's own
  // lines stand in and no cpuacct file is read.
  bool own_cpu_time = group.v2();
  for (const std::string& dir : group.directories())
    own_cpu_time = own_cpu_time || access((dir + "/cpuacct.stat").c_str(), R_OK) == 0;
  const std::string held = own_cpu_time ? "5" : "4";
  EXPECT_EQ(v["held"], held);
  EXPECT_EQ(v["after_close"], "1");
  EXPECT_EQ(v["held_after_close"], held);
  EXPECT_EQ(v["under_own"], "1");
  EXPECT_EQ(v["own_fds_intact"], "1");
  EXPECT_EQ(v["child_ok"], "1");
  EXPECT_EQ(v["repeated"], "1");
  EXPECT_EQ(v["held_after_repeats"], held);
}

// By default (and with CGVIEW_HOLD_FILES=0) nothing is held: the same program
// ends with no fd of the shim's (tests/shim/fd_test.cpp checks every entry point).
TEST(Promises, HoldFilesOffKeepsNoFdOpen) {
  RealCgroup group(50000, 100000, 256 * kMiB);
  REQUIRE_REAL_CGROUP(group);
  for (const std::vector<std::string>& env : {std::vector<std::string>{kPreload},
                                              std::vector<std::string>{kPreload, "CGVIEW_HOLD_FILES=0"}}) {
    std::string which = env.size() == 1 ? "unset" : env[1];
    Result r = run({kProbe, "held-inputs", std::to_string(host_memtotal_kb())}, env, &group, 60);
    ASSERT_EQ(r.exit_code, 0) << which << ": " << r.out << r.err;
    Values v = parse(r.out);
    EXPECT_EQ(v["first"], "1") << which;
    EXPECT_EQ(v["held"], "0") << which;
    EXPECT_EQ(v["after_close"], "1") << which;
    EXPECT_EQ(v["under_own"], "1") << which;
    EXPECT_EQ(v["own_fds_intact"], "1") << which;
    EXPECT_EQ(v["child_ok"], "1") << which;
    EXPECT_EQ(v["repeated"], "1") << which;
    EXPECT_EQ(v["held_after_repeats"], "0") << which;
  }
}

// ===========================================================================
// Security
// ===========================================================================

// A directory on a filesystem that honours setuid bits, readable by nobody.
std::string suid_capable_dir(TempDir& tmp) {
  struct statvfs fs;
  if (statvfs(tmp.dir().c_str(), &fs) != 0 || (fs.f_flag & ST_NOSUID)) return "";
  chmod(tmp.dir().c_str(), 0755);
  return tmp.dir();
}

struct SecureSetup {
  TempDir tmp;
  std::string dir, suid_probe, plain_probe, upper, work;
  std::string why;
  bool ok = false;

  SecureSetup() {
    dir = suid_capable_dir(tmp);
    if (dir.empty()) {
      why = tmp.dir() + " is on a nosuid filesystem";
      return;
    }
    namespace fs = std::filesystem;
    suid_probe = dir + "/probe-suid";
    plain_probe = dir + "/probe-plain";
    fs::copy_file(kProbe, suid_probe);
    fs::copy_file(kProbe, plain_probe);
    fs::copy_file(kShim, dir + "/libcgview.so");
    if (chown(suid_probe.c_str(), 0, 0) != 0 || chmod(suid_probe.c_str(), 04755) != 0 ||
        chmod(plain_probe.c_str(), 0755) != 0 || chmod((dir + "/libcgview.so").c_str(), 0755) != 0) {
      why = "cannot set the modes";
      return;
    }
    // The overlay's upper layer: /etc/ld.so.preload naming the shim.
    upper = dir + "/upper";
    work = dir + "/work";
    fs::create_directory(upper);
    fs::create_directory(work);
    std::ofstream(upper + "/ld.so.preload") << dir << "/libcgview.so\n";
    chmod((upper + "/ld.so.preload").c_str(), 0644);
    ok = true;
  }

  // Runs `command...` as nobody (or root) with /etc overlaid, inside unshare -m.
  // CGVIEW_DEBUG=1 and a malformed setting are given to the probe alone: setpriv,
  // on the way, reads its own status file (served), and would print the
  // diagnostics and the warning it is entitled to.
  Result run_as(const std::string& binary, bool as_nobody, const std::vector<std::string>& env) const {
    std::string script = "mount -t overlay overlay -o lowerdir=/etc,upperdir=" + upper + ",workdir=" + work +
                         " /etc && exec " +
                         (as_nobody ? "setpriv --reuid=nobody --regid=nogroup --clear-groups " : "") +
                         "env CGVIEW_DEBUG=1 CGVIEW_CPU_ROUNDING=bogus " + binary + " ids";
    return run({"/usr/bin/unshare", "-m", "sh", "-c", script}, env);
  }
};

const std::vector<std::string> kHostileEnv = {"CGVIEW_CPUS=1", "CGVIEW_MEMORY=64M",
                                              "CGVIEW_SYSROOT=" + kFixtures + "/docker-v2-private-ns"};

TEST(Security, SecureExecutionIgnoresEveryCgviewVariable) {
  ASSERT_FALSE(std::filesystem::exists("/etc/ld.so.preload")) << "this test must not shadow a real preload";
  SecureSetup s;
  ASSERT_TRUE(s.ok) << s.why;
  Result r = s.run_as(s.suid_probe, true, kHostileEnv);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Values v = parse(r.out);
  EXPECT_EQ(v["uid"], "65534");
  EXPECT_EQ(v["euid"], "0");
  EXPECT_EQ(v["at_secure"], "1");
  EXPECT_EQ(v["shim_loaded"], "1") << "the shim must be loaded (through /etc/ld.so.preload) for this test to mean anything";
  expect_native(v, "", "setuid probe");
  // CGVIEW_DEBUG ignored too: a setuid program must not print our diagnostics,
  // nor the malformed-setting warning (secure_getenv hides the variable).
  EXPECT_EQ(r.err.find("cgview:"), std::string::npos) << r.err;
  // The overlay existed only in that namespace.
  EXPECT_FALSE(std::filesystem::exists("/etc/ld.so.preload"));
}

// Controls: the same preload and environment without the setuid bit, as
// nobody and as root, sees 1 CPU and 64 MiB: the library was loaded and read
// the variables.
TEST(Security, SecureExecutionControlWithoutSetuid) {
  SecureSetup s;
  ASSERT_TRUE(s.ok) << s.why;
  for (bool as_nobody : {true, false}) {
    Result r = s.run_as(s.plain_probe, as_nobody, kHostileEnv);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    Values v = parse(r.out);
    std::string who = as_nobody ? "nobody" : "root";
    EXPECT_EQ(v["uid"], as_nobody ? "65534" : "0") << who;
    EXPECT_EQ(v["euid"], as_nobody ? "65534" : "0") << who;
    EXPECT_EQ(v["at_secure"], "0") << who;
    EXPECT_EQ(v["shim_loaded"], "1") << who;
    EXPECT_EQ(v["sysconf_onln"], "1") << who;
    EXPECT_EQ(v["affinity_count"], "1") << who;
    EXPECT_EQ(v["meminfo_total_kb"], "65536") << who;
    EXPECT_EQ(v["sysinfo_totalram_kb"], "65536") << who;
    EXPECT_NE(r.err.find("cgview:"), std::string::npos) << who << ": CGVIEW_DEBUG=1 was honoured";
    EXPECT_NE(r.err.find("cgview: ignoring CGVIEW_CPU_ROUNDING=bogus: expected "), std::string::npos)
        << who << ": the malformed setting was named (and is silent under setuid above)";
  }
  EXPECT_FALSE(std::filesystem::exists("/etc/ld.so.preload"));
}

// The shim never writes to a file and never creates one: every syscall that
// could is traced with strace (it sees raw syscalls too). Allowed: writes to
// stdout/stderr (the probe's own) and to the shim's anonymous files (a memfd,
// or an unnamed O_TMPFILE); opens for writing only with O_TMPFILE; no
// creat/rename/unlink/mkdir/link/truncate/chmod/chown/xattr at all. Run in a
// real cgroup so the shim reads cgroupfs and renders.
// What an strace log of the probe shows: every write or file creation that is
// not the program's own output or the shim's anonymous file is a violation.
struct TraceSummary {
  int lines = 0, anonymous_created = 0, anonymous_writes = 0;
  int split = 0;  // "<unfinished ...>"/"resumed>" pairs: a call the checker could misread
  std::vector<std::string> violations;
};

TraceSummary check_trace(const std::string& log) {
  TraceSummary t;
  std::istringstream lines(log);
  std::string line;
  std::set<std::string> anonymous;  // fds of memfds and O_TMPFILEs, per "pid:fd"
  auto call_of = [](const std::string& l, std::string& pid, std::string& name, std::string& args, std::string& ret) {
    // "PID  name(args) = ret" (strace -f pads the pid with spaces).
    size_t sp = l.find(' ');
    if (sp == std::string::npos) return false;
    pid = l.substr(0, sp);
    size_t start = l.find_first_not_of(' ', sp);
    size_t paren = l.find('(', sp);
    if (start == std::string::npos || paren == std::string::npos || paren < start) return false;
    name = l.substr(start, paren - start);
    size_t eq = l.rfind(" = ");
    size_t close_paren = l.rfind(')', eq);  // strace pads "close(3)      = 0"
    if (close_paren == std::string::npos || close_paren < paren) close_paren = l.size();
    args = l.substr(paren + 1, close_paren - paren - 1);
    ret = eq == std::string::npos ? "" : l.substr(eq + 3);
    return true;
  };
  auto first_arg = [](const std::string& args) { return args.substr(0, args.find(',')); };
  auto nth_arg = [](const std::string& args, int n) {
    size_t at = 0;
    for (int i = 0; i < n && at != std::string::npos; ++i) {
      at = args.find(", ", at);
      if (at != std::string::npos) at += 2;
    }
    return at == std::string::npos ? std::string() : args.substr(at, args.find(',', at) - at);
  };
  const std::set<std::string> never = {"creat",  "rename",   "renameat", "renameat2", "unlink",   "unlinkat",
                                       "rmdir",  "mkdir",    "mkdirat",  "link",      "linkat",   "symlink",
                                       "symlinkat", "mknod", "mknodat",  "truncate",  "chmod",    "fchmodat",
                                       "chown",  "lchown",   "fchownat", "utimensat", "utimes",   "setxattr",
                                       "lsetxattr", "fsetxattr", "removexattr", "fremovexattr"};
  while (std::getline(lines, line)) {
    ++t.lines;
    if (line.find("<unfinished ...>") != std::string::npos || line.find(" resumed>") != std::string::npos) ++t.split;
    std::string pid, name, args, ret;
    if (!call_of(line, pid, name, args, ret)) continue;
    bool failed = ret.rfind("-1", 0) == 0;
    int ret_fd = failed || ret.empty() ? -1 : std::atoi(ret.c_str());
    if (name == "memfd_create") {
      if (ret_fd >= 0) anonymous.insert(pid + ":" + std::to_string(ret_fd)), ++t.anonymous_created;
    } else if (name == "open" || name == "openat" || name == "openat2") {
      bool tmpfile = args.find("O_TMPFILE") != std::string::npos;
      // O_APPEND alone writes nothing: the library marks its own read-only
      // fds with it (lib/own_fds.hpp).
      bool writing = args.find("O_WRONLY") != std::string::npos || args.find("O_RDWR") != std::string::npos ||
                     args.find("O_CREAT") != std::string::npos || args.find("O_TRUNC") != std::string::npos;
      // A reopen of an anonymous file by its /proc name (a rewind's) is one too.
      size_t named = args.find("/proc/thread-self/fd/");
      bool reopen = named != std::string::npos &&
                    anonymous.count(pid + ":" + std::to_string(std::atoi(args.c_str() + named + 21)));
      if (tmpfile || reopen) {
        if (ret_fd >= 0) anonymous.insert(pid + ":" + std::to_string(ret_fd)), ++t.anonymous_created;
      } else if (writing) {
        t.violations.push_back(line);
      } else if (ret_fd >= 0) {
        anonymous.erase(pid + ":" + std::to_string(ret_fd));
      }
    } else if (name == "close") {
      anonymous.erase(pid + ":" + first_arg(args));
    } else if (name == "dup2" || name == "dup3") {
      // The target holds the source's file now: anonymous if that is.
      if (!failed && anonymous.count(pid + ":" + first_arg(args))) anonymous.insert(pid + ":" + nth_arg(args, 1));
      else if (!failed) anonymous.erase(pid + ":" + nth_arg(args, 1));
    } else if (name == "write" || name == "pwrite64" || name == "writev" || name == "pwritev" ||
               name == "pwritev2" || name == "ftruncate" || name == "fallocate" || name == "fchmod" ||
               name == "fchown") {
      std::string fd = first_arg(args);
      if (anonymous.count(pid + ":" + fd)) {
        t.anonymous_writes += name == "write" || name == "pwrite64";
      } else if (!((name == "write" || name == "writev") && (fd == "1" || fd == "2"))) {
        t.violations.push_back(line);
      }
    } else if (name == "sendfile" || name == "copy_file_range" || name == "splice") {
      t.violations.push_back(line);
    } else if (never.count(name)) {
      t.violations.push_back(line);
    }
  }
  return t;
}

class NothingIsWritten : public ::testing::TestWithParam<const char*> {};

TEST_P(NothingIsWritten, UnderStrace) {
  ASSERT_EQ(access("/usr/bin/strace", X_OK), 0) << "strace is needed (apt-get install strace)";
  RealCgroup group(50000, 100000, 256 * kMiB);
  REQUIRE_REAL_CGROUP(group);
  TempDir tmp;
  std::string log = tmp.dir() + "/trace";
  const char* traced =
      "open,openat,openat2,creat,memfd_create,write,pwrite64,writev,pwritev,pwritev2,sendfile,copy_file_range,"
      "splice,truncate,ftruncate,fallocate,rename,renameat,renameat2,unlink,unlinkat,rmdir,mkdir,mkdirat,link,"
      "linkat,symlink,symlinkat,mknod,mknodat,chmod,fchmod,fchmodat,chown,fchown,lchown,fchownat,utimensat,"
      "utimes,setxattr,lsetxattr,fsetxattr,removexattr,fremovexattr,close,dup,dup2,dup3,fcntl,close_range";
  Result r = run({"/usr/bin/strace", "-f", "-qq", "-s", "0", "-o", log, "-e", std::string("trace=") + traced,
                  "-E", kPreload, kProbe, "touch-nothing", GetParam()},
                 {}, &group, 60);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Values v = parse(r.out);
  EXPECT_TRUE(one_host_cpu(v["online"])) << "the shim served the view: " << v["online"];
  EXPECT_EQ(v["bad"], "0");

  TraceSummary t = check_trace(read_file(log));
  EXPECT_GT(t.lines, 10) << "strace logged nothing";
  EXPECT_GT(t.anonymous_created, 0) << "the shim created no anonymous file: the trace proves nothing";
  EXPECT_GT(t.anonymous_writes, 0);
  EXPECT_EQ(t.split, 0) << "the probe is single-threaded: every call must be logged whole";
  for (const std::string& l : t.violations) ADD_FAILURE() << "a write or file creation outside an anonymous file: " << l;
}

INSTANTIATE_TEST_SUITE_P(Security, NothingIsWritten, ::testing::Values("none", "no-memfd"),
                         [](const auto& info) { return std::string(info.param) == "none" ? "memfd" : "no_memfd"; });

// The checker itself can fail: a hand-written log with every kind of violation
// next to the allowed calls.
TEST(Security, TraceCheckerCatchesWritesAndCreations) {
  TraceSummary t = check_trace(
      "100  memfd_create(\"cgview\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 3\n"
      "100  write(3, \"\"..., 1145) = 1145\n"
      "100  openat(AT_FDCWD, \"/proc/self/fd/3\", O_RDONLY) = 4\n"
      "100  close(3) = 0\n"
      "100  write(3, \"\"..., 10) = 10\n"
      "100  openat(AT_FDCWD, \"/dev/shm\", O_RDWR|O_CLOEXEC|O_TMPFILE, 0600) = 5\n"
      "100  write(5, \"\"..., 10) = 10\n"
      "100  write(1, \"\"..., 10) = 10\n"
      "100  openat(AT_FDCWD, \"/tmp/x\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 6\n"
      "100  openat(AT_FDCWD, \"/etc/passwd\", O_RDWR) = -1 EACCES (Permission denied)\n"
      "100  unlinkat(AT_FDCWD, \"/tmp/y\", 0) = 0\n"
      "100  ftruncate(4, 0) = -1 EINVAL (Invalid argument)\n");
  EXPECT_EQ(t.lines, 12);
  EXPECT_EQ(t.anonymous_created, 2);
  EXPECT_EQ(t.anonymous_writes, 2);
  ASSERT_EQ(t.violations.size(), 5u);
  EXPECT_NE(t.violations[0].find("write(3"), std::string::npos) << "a write to fd 3 after it was closed";
  EXPECT_NE(t.violations[1].find("/tmp/x"), std::string::npos);
  EXPECT_NE(t.violations[2].find("/etc/passwd"), std::string::npos) << "even a failed attempt counts";
  EXPECT_NE(t.violations[3].find("unlinkat"), std::string::npos);
  EXPECT_NE(t.violations[4].find("ftruncate(4"), std::string::npos);
}

// A served fd cannot change its content: write, pwrite, ftruncate, fallocate,
// a writable shared mapping and upgrading a read-only one all fail, with
// memfd and with the O_TMPFILE fallback.
struct ReadOnlyCase {
  const char* name;
  const char* path;
  const char* filter;
};

const ReadOnlyCase kReadOnly[] = {
    {"meminfo", "/proc/meminfo", "none"},
    {"cpuinfo", "/proc/cpuinfo", "none"},
    {"stat", "/proc/stat", "none"},
    {"online", "/sys/devices/system/cpu/online", "none"},
    {"meminfo_tmpfile", "/proc/meminfo", "no-memfd"},
    {"online_tmpfile", "/sys/devices/system/cpu/online", "no-memfd"},
};

void PrintTo(const ReadOnlyCase& p, std::ostream* os) { *os << p.name; }

class ServedFd : public ::testing::TestWithParam<ReadOnlyCase> {};

TEST_P(ServedFd, IsReadOnly) {
  const ReadOnlyCase& p = GetParam();
  std::vector<std::string> args = {"readonly", p.path, p.filter};
  std::vector<std::string> env = {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/v1-cpuset-small"};
  Values v = probe(args, env);
  EXPECT_EQ(v["filter"], p.filter);
  // A memfd is handed over sealed: O_RDWR, and every write refused by the
  // seal (EPERM). An O_TMPFILE, which cannot be sealed, is handed over as a
  // read-only reopen: EBADF, as on the real read-only fd.
  bool memfd = std::string(p.filter) == "none";
  EXPECT_EQ(v["access"], memfd ? "writable" : "rdonly");
  EXPECT_EQ(v["write"], memfd ? "-1 errno=1" : "-1 errno=9");
  EXPECT_EQ(v["pwrite"].rfind("-1 ", 0), 0u) << v["pwrite"];
  EXPECT_EQ(v["ftruncate"].rfind("-1 ", 0), 0u) << v["ftruncate"];
  EXPECT_EQ(v["mmap_shared_write"], "failed");
  EXPECT_EQ(v["mprotect_write"], "refused");
  EXPECT_EQ(v["fallocate"], "refused");
  // The view was served (v1-cpuset-small: "4-5", 16384000 kB, "processor"/"cpu" first).
  std::string path = p.path;
  EXPECT_EQ(v["first_byte"], path == "/proc/meminfo" ? "M" : path == "/proc/cpuinfo" ? "p" : path == "/proc/stat" ? "c" : "4");
}

INSTANTIATE_TEST_SUITE_P(Security, ServedFd, ::testing::ValuesIn(kReadOnly),
                         [](const auto& info) { return std::string(info.param.name); });

// Reopening a served fd through /proc/self/fd/N for writing is refused, as it
// is for the real /proc and /sys files (EACCES); otherwise the "read-only"
// fd's content can be rewritten under it. A memfd can be sealed against that
// for any user; an O_TMPFILE can only be made unwritable by its mode, which
// root bypasses, so the O_TMPFILE cases run as nobody.
struct ReopenCase {
  const char* name;
  const char* path;
  const char* filter;
  bool as_nobody;
};

const ReopenCase kReopen[] = {
    {"meminfo", "/proc/meminfo", "none", false},
    {"cpuinfo", "/proc/cpuinfo", "none", false},
    {"stat", "/proc/stat", "none", false},
    {"online", "/sys/devices/system/cpu/online", "none", false},
    {"meminfo_as_nobody", "/proc/meminfo", "none", true},
    {"meminfo_tmpfile_as_nobody", "/proc/meminfo", "no-memfd", true},
    {"online_tmpfile_as_nobody", "/sys/devices/system/cpu/online", "no-memfd", true},
};

void PrintTo(const ReopenCase& p, std::ostream* os) { *os << p.name; }

class ServedFdReopen : public ::testing::TestWithParam<ReopenCase> {};

TEST_P(ServedFdReopen, ForWritingIsRefused) {
  const ReopenCase& p = GetParam();
  std::vector<std::string> argv;
  if (p.as_nobody) argv = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};
  argv.insert(argv.end(), {kProbe, "readonly", p.path, p.filter});
  Result real = run(argv, {});
  EXPECT_EQ(real.exit_code, 0) << real.out << real.err;
  EXPECT_EQ(parse(real.out)["reopen_rw_write"], "refused") << "the real file";
  Result r = run(argv, {kPreload, "CGVIEW_SYSROOT=" + kFixtures + "/v1-cpuset-small"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Values v = parse(r.out);
  EXPECT_EQ(v["reopen_rw_write"], "refused");
}

INSTANTIATE_TEST_SUITE_P(Security, ServedFdReopen, ::testing::ValuesIn(kReopen),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
