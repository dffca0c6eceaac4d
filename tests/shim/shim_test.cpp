// Runs the probe programs (probe.c, built plain and fortified) with
// libcgview.so preloaded over fixture sysroots and in real cgroups, and checks
// every entry point's answer against values written here by hand.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kernel_call.h"
#include "key_values.hpp"
#include "real_cgroup.hpp"

using cgview::test::RealCgroup;
using cgview::test::run_program;

namespace {

const std::string kShim = CGVIEW_SHIM_PATH;
const std::string kFixtures = CGVIEW_FIXTURES;
const std::string kProbes[] = {CGVIEW_PROBE_PLAIN, CGVIEW_PROBE_FORTIFIED};

using cgview::test::Values;

Values parse(const std::string& out) { return cgview::test::parse_key_values(out); }

Values probe(const std::string& binary, const std::string& command, std::vector<std::string> env,
             const RealCgroup* group = nullptr, std::vector<std::string> extra_args = {}) {
  std::vector<std::string> argv = {binary, command};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  auto result = run_program(argv, env, group);
  EXPECT_EQ(result.exit_code, 0) << command << " failed:\n" << result.out << result.err;
  EXPECT_EQ(result.err, "") << command;
  return parse(result.out);
}

std::vector<std::string> preload_over(const std::string& fixture) {
  return {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + kFixtures + "/" + fixture};
}

struct Expected {
  const char* fixture;
  int cpus;
  const char* online;
  long mem_total_kb;
  long mem_free_kb;
  long swap_total_kb;
};

// From tests/fixtures/EXPECTED.md (computed by hand).
const Expected kCases[] = {
    {"docker-v2-private-ns", 2, "0-1", 1048576, 741376, 524288},
    {"k8s-pod-v2", 2, "0-1", 524288, 299008, 2097148},
    {"docker-v1-host-ns", 2, "0-1", 2097152, 1572864, 1048576},
    {"v1-cpuset-quota", 3, "2-3,6", 16384000, 9876544, 2097148},
    {"v1-cpuset-small", 2, "4-5", 16384000, 9876544, 2097148},
    {"hybrid", 2, "0-1", 524288, 319488, 1048572},
    {"no-limits", 4, "0-3", 8145212, 5120448, 1048572},
    {"systemd-colon", 1, "0", 262144, 210944, 2097148},
    {"demo-64cpu", 2, "0-1", 1048576, 786432, 1048576},
    {"memory-on-parent", 1, "0", 786432, 622592, 1048572},
    {"sibling-shares-limit", 1, "0", 131072, 32768, 1048572},
    {"unshare-no-mount", 1, "0", 786432, 622592, 1048572},
};

class ShimOverFixture : public ::testing::TestWithParam<std::tuple<Expected, int>> {};

std::string affinity_list(const Expected& e) {
  // The probe prints ids one by one: "2,3,6" for the list "2-3,6".
  std::string list = e.online, out;
  std::istringstream parts(list);
  std::string part;
  while (std::getline(parts, part, ',')) {
    size_t dash = part.find('-');
    int lo = std::stoi(part.substr(0, dash)), hi = dash == std::string::npos ? lo : std::stoi(part.substr(dash + 1));
    for (int i = lo; i <= hi; ++i) out += (out.empty() ? "" : ",") + std::to_string(i);
  }
  return out;
}

TEST_P(ShimOverFixture, EveryEntryPointAgrees) {
  const auto& [e, build] = GetParam();
  Values v = probe(kProbes[build], "view", preload_over(e.fixture));
  std::string n = std::to_string(e.cpus);
  EXPECT_EQ(v["sysconf_onln"], n);
  EXPECT_EQ(v["get_nprocs"], n);
  EXPECT_EQ(v["affinity_count"], n);
  EXPECT_EQ(v["affinity"], affinity_list(e));
  EXPECT_EQ(v["affinity_getpid_count"], n);
#if CGVIEW_OLD_AFFINITY_ABI && !defined(CGVIEW_SANITIZED)  // see probe.c
  EXPECT_EQ(v["affinity_old_count"], n);
  EXPECT_EQ(v["pthread_affinity_old_count"], n);
#endif
  EXPECT_EQ(v["pthread_affinity_count"], n);
  EXPECT_EQ(v["affinity_big_count"], n);
  EXPECT_EQ(v["syscall_affinity"], affinity_list(e));
  EXPECT_EQ(v["online"], e.online);
  EXPECT_EQ(v["cpuinfo_blocks"], n);
  EXPECT_EQ(v["stat_cpu_lines"], n);
  // _SC_NPROCESSORS_CONF stays the real machine's (2 here or more elsewhere): never the view.
  EXPECT_EQ(v["sysconf_conf"], std::to_string(sysconf(_SC_NPROCESSORS_CONF)));
  EXPECT_EQ(v["get_nprocs_conf"], std::to_string(sysconf(_SC_NPROCESSORS_CONF)));
  std::string total = std::to_string(e.mem_total_kb);
  EXPECT_EQ(v["meminfo_total_kb"], total);
  EXPECT_EQ(v["sysinfo_totalram_kb"], total);
  EXPECT_EQ(v["phys_pages_kb"], total);
  EXPECT_EQ(v["get_phys_pages_kb"], total);
  std::string free_kb = std::to_string(e.mem_free_kb);
  EXPECT_EQ(v["meminfo_free_kb"], free_kb);
  EXPECT_EQ(v["sysinfo_freeram_kb"], free_kb);
  EXPECT_EQ(v["avphys_pages_kb"], free_kb);
  EXPECT_EQ(v["get_avphys_pages_kb"], free_kb);
  EXPECT_EQ(v["meminfo_swap_total_kb"], std::to_string(e.swap_total_kb));
  EXPECT_EQ(v["sysinfo_totalswap_kb"], std::to_string(e.swap_total_kb));
}

std::string case_name(const ::testing::TestParamInfo<std::tuple<Expected, int>>& info) {
  std::string name = std::get<0>(info.param).fixture;
  for (char& c : name)
    if (c == '-') c = '_';
  return name + (std::get<1>(info.param) ? "_fortified" : "_plain");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ShimOverFixture, ::testing::Combine(::testing::ValuesIn(kCases), ::testing::Values(0, 1)),
                         case_name);

class ShimBuilds : public ::testing::TestWithParam<int> {
 protected:
  const std::string& binary() const { return kProbes[GetParam()]; }
};

TEST_P(ShimBuilds, EverySpellingOfThePathIsServed) {
  Values v = probe(binary(), "paths", preload_over("docker-v2-private-ns"));
  const char* keys[] = {"absolute", "double_slash", "dot", "dotdot", "cloexec", "openat_dirfd", "openat_dirfd_dotdot",
                        "openat_cwd_absolute", "relative", "relative_dot", "relative_dotdot", "fopen", "fopen_re",
                        "freopen", "variable_flags"};
  for (const char* key : keys) EXPECT_EQ(v[key], "1048576") << key;
  // On the live system the kernel resolves the spellings with "..".
  Values live = probe(binary(), "paths", {"LD_PRELOAD=" + kShim, "CGVIEW_MEMORY=256M"});
  for (const char* key : keys) EXPECT_EQ(live[key], "262144") << key;
}

// GNU cp and install compare fstat of the file they opened with stat of its
// path and refuse a file "replaced while being copied": fstat, fstat64, the
// __fxstat64 that programs built before glibc 2.33 call, and statx of the fd
// describe the real file (device, inode, mode, and the block size stdio sizes
// its buffer by: 1024 for /proc, where the memory file says 4096), the fd
// still reads the served text, and errno stays.
TEST_P(ShimBuilds, FstatOfAServedFileDescribesTheRealFile) {
  // `sized`: the files served here, whose size is checked.
  auto identities_match = [](Values& v, const std::string& where, const std::set<std::string>& sized) {
    int compared = 0;
    for (const auto& [key, value] : v) {
      bool identity = key.rfind("fstat_", 0) == 0 || key.rfind("fstat64_", 0) == 0 ||
                      key.rfind("fxstat64_", 0) == 0 || key.rfind("statx_", 0) == 0;
      if (identity && value != "absent") {
        EXPECT_EQ(value, "same") << key << " " << where;
        ++compared;
      }
      // The size is the fd's content's, as many bytes as read() gives: GNU
      // cp sizes its copy by it (a /sys file's 4096 would pad it with zeros).
      if (key.rfind("size_", 0) == 0 && sized.count(key.substr(5))) {
        unsigned long long size = 0, statx_size = 0;
        long long bytes = -1;
        EXPECT_EQ(std::sscanf(value.c_str(), "%llu statx %llu read %lld", &size, &statx_size, &bytes), 3) << value;
        EXPECT_EQ(size, static_cast<unsigned long long>(bytes)) << key << " " << where;
        EXPECT_EQ(statx_size, size) << key << " " << where;
      }
    }
    return compared;
  };
  Values live = probe(binary(), "identity", {"LD_PRELOAD=" + kShim, "CGVIEW_MEMORY=256M", "CGVIEW_CPUS=1"});
  EXPECT_EQ(live["read_after_fstat"], "262144");
  // meminfo, cpuinfo, stat, online, both status files of the main thread, another thread's by two names, hostname.
  const std::set<std::string> served = {"meminfo",     "cpuinfo",          "stat",          "online",
                                        "self_status", "main_thread_status", "thread_status", "tid_dir_status",
                                        "hostname"};
  std::set<std::string> served_live = served;
  // (Where the machine has them; a block device's stat file is served only where the cgroup counts I/O.)
  served_live.insert({"cpu1_online", "node0_cpulist"});
  EXPECT_GE(identities_match(live, "live", served_live), 8 * 3);
  for (const char* label : {"meminfo", "self_status", "thread_status", "hostname"})
    EXPECT_EQ(live[std::string("errno_kept_after_fstat_") + label], "1") << label;
#if defined(__x86_64__) || defined(__aarch64__) || defined(__i386__)
  EXPECT_EQ(live["fxstat64_meminfo"], "same");
#endif
  // Under a sysroot the content is the fixture's, the identity still the live
  // file's: what the program's stat of the path finds.
  Values fixture = probe(binary(), "identity", preload_over("docker-v2-private-ns"));
  EXPECT_EQ(fixture["read_after_fstat"], "1048576");
  EXPECT_GE(identities_match(fixture, "over a fixture", served), 8 * 3);
}

// A rewind re-renders the fd into a new file and then updates the shim's
// record of it. An fstat on another thread in between saw an inode that was
// no longer the record's and dropped the new record; a second rewinding
// thread could leave the record naming the first one's file. Either way the
// fd then stopped re-rendering (and stat'ing as the real file). With the
// first fix alone 7 runs of 12 failed (the fd lost, or a read right after a
// rewind at the end of the file); before either, every run lost the fd.
TEST(Shim, RewindsOnTwoThreadsBesideAnFstatKeepTheFdServed) {
  Values v = probe(kProbes[0], "rewind-beside-fstat", {"LD_PRELOAD=" + kShim, "CGVIEW_MEMORY=256M"}, nullptr, {"30000"});
  EXPECT_EQ(v["identity_after"], "same");
}

TEST_P(ShimBuilds, OtherOpensPassThroughWithTheRealResultAndErrno) {
  auto env = preload_over("docker-v2-private-ns");
  Values with = probe(binary(), "passthrough", env);
  Values without = probe(binary(), "passthrough", {});
  for (const char* key : {"missing_fd", "missing_dir_fd", "directory_fd", "fopen_w", "wronly_fd_ok", "direct_fd",
                          "hostname_ok"})
    EXPECT_EQ(with[key], without[key]) << key;
  EXPECT_EQ(with["missing_fd"], "-1 errno=2");
  EXPECT_EQ(with["direct_fd"], "-1 errno=22");  // /proc refuses O_DIRECT
  // The kernel walks a path that climbs: on the live system (a sysroot's
  // paths are not the kernel's), served only where that walk succeeds.
  Values live = probe(binary(), "passthrough", {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1", "CGVIEW_MEMORY=256M"});
  EXPECT_EQ(live["climb_from_missing_fd"], "-1 errno=2");
  EXPECT_EQ(live["climb_from_file_fd"], "-1 errno=20");
  EXPECT_EQ(without["climb_from_missing_fd"], "-1 errno=2");
  EXPECT_EQ(with["directory_fd"], "-1 errno=20");
  EXPECT_EQ(with["hostname_ok"], "1 errno_kept=1");
  EXPECT_EQ(with["served_errno_kept"], "1");
  // write() on a served fd fails: EPERM from the memfd's seal, where the real
  // read-only fd gives EBADF.
  EXPECT_EQ(with["write_result"], "-1 errno=1");
  EXPECT_EQ(without["write_result"], "-1 errno=9");
}

// A symlink to /proc/meminfo: named directly, matched as text (not a served
// path: the host's file); named through "..", walked by the kernel without
// following the last symlink, so the same, and O_NOFOLLOW fails as it should.
TEST_P(ShimBuilds, ASymlinkReachedThroughDotDotIsNotFollowed) {
  auto run = [&](std::vector<std::string> env) {
    char dir[] = "/tmp/cgview-links-XXXXXX";
    EXPECT_NE(mkdtemp(dir), nullptr);
    Values v = probe(binary(), "symlink-climb", env, nullptr, {dir});
    std::filesystem::remove_all(dir);
    return v;
  };
  std::vector<std::string> shim = {"LD_PRELOAD=" + kShim, "CGVIEW_MEMORY=256M"};
  Values with = run(shim), without = run({});
  EXPECT_EQ(with["nofollow_fd"], "-1 errno=40");
  EXPECT_EQ(without["nofollow_fd"], "-1 errno=40");
  EXPECT_EQ(with["climb_total_kb"], with["link_total_kb"]);
  EXPECT_EQ(with["climb_total_kb"], without["climb_total_kb"]);
}

// A path or mask the kernel refuses: EFAULT from the real call, not a crash
// in the shim, which reads them first.
TEST_P(ShimBuilds, PointersTheKernelRefusesGetEfault) {
  Values with = probe(binary(), "bad-pointers", preload_over("docker-v2-private-ns"));
  Values without = probe(binary(), "bad-pointers", {});
  for (const char* key : {"first_page_path_fd", "kernel_half_path_fd", "first_page_fopen", "first_page_setaffinity",
                          "kernel_half_pthread_setaffinity"})
    EXPECT_EQ(with[key], without[key]) << key;
  EXPECT_EQ(with["first_page_path_fd"], "-1 errno=14");
  EXPECT_EQ(with["kernel_half_pthread_setaffinity"], "14");
}

INSTANTIATE_TEST_SUITE_P(Builds, ShimBuilds, ::testing::Values(0, 1),
                         [](const auto& info) { return std::string(info.param ? "fortified" : "plain"); });

// A scratch copy of a fixture that a test may change.
class FixtureCopy {
 public:
  explicit FixtureCopy(const std::string& fixture) {
    char tmpl[] = "/tmp/cgview-shim-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::filesystem::copy(kFixtures + "/" + fixture, dir_, std::filesystem::copy_options::recursive);
  }
  ~FixtureCopy() { std::filesystem::remove_all(dir_); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// sysinfo's sharedram is memory.stat's shmem, as /proc/meminfo's Shmem line:
// v2 "shmem" 1 MiB (systemd-colon), v1 "total_shmem" 8 MiB (docker-v1-host-ns).
TEST(Shim, SysinfoSharedramIsTheContainersShmem) {
  for (auto [fixture, kb] : {std::pair{"systemd-colon", "1024"}, std::pair{"docker-v1-host-ns", "8192"}}) {
    Values v = probe(kProbes[0], "view", preload_over(fixture));
    EXPECT_EQ(v["meminfo_shmem_kb"], kb) << fixture;
    EXPECT_EQ(v["sysinfo_sharedram_kb"], kb) << fixture;
  }
  // The same under an override below the usage (300 MiB, 100 MiB of it page
  // cache, 4 MiB shmem): 96 MiB of file pages go first, then every figure
  // shrinks by 200/204. sysinfo reads the keys that takes, as meminfo does,
  // in bytes as a machine of 200 MiB counts them: a 32-bit program on a host
  // whose memory does not fit its fields in bytes (this one's 24 GiB) is
  // given pages by the kernel, which would round 4015 kB down to 4012.
  std::vector<std::string> env = preload_over("docker-v2-private-ns");
  env.push_back("CGVIEW_MEMORY=200M");
  Values v = probe(kProbes[0], "view", env);
  EXPECT_EQ(v["meminfo_shmem_kb"], "4015");  // 4 MiB x 200 / 204
  EXPECT_EQ(v["sysinfo_sharedram_kb"], "4015");
  EXPECT_EQ(v["sysinfo_mem_unit"], "1");
}

// Where memory.stat has no shmem key (Linux 3.10's v1), sysinfo's sharedram
// is the host's shared memory within the view, as /proc/meminfo's Shmem line:
// under a sysroot, that host is the sysroot's (1234 kB here), not the live
// machine's.
TEST(Shim, SysinfoSharedramWithoutShmemKeyIsTheSysrootsHost) {
  FixtureCopy copy("docker-v2-private-ns");
  auto rewrite = [](const std::string& path, const std::function<std::string(std::string)>& change) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    std::ofstream(path, std::ios::trunc) << change(text);
  };
  rewrite(copy.dir() + "/sys/fs/cgroup/memory.stat", [](std::string text) {
    size_t at = text.find("shmem ");
    return text.erase(at, text.find('\n', at) + 1 - at);
  });
  rewrite(copy.dir() + "/proc/meminfo", [](std::string text) {
    size_t at = text.find("\nShmem:") + 1;
    return text.replace(at, text.find('\n', at) - at, "Shmem:              1234 kB");
  });
  Values v = probe(kProbes[0], "view", {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + copy.dir()});
  EXPECT_EQ(v["meminfo_shmem_kb"], "1234");
  EXPECT_EQ(v["sysinfo_sharedram_kb"], "1234");
  // Without a memory limit /proc/meminfo is the sysroot's file as it is, and
  // sharedram its Shmem (75616 kB), where it was the live machine's.
  Values none = probe(kProbes[0], "view", preload_over("no-limits"));
  EXPECT_EQ(none["meminfo_shmem_kb"], "75616");
  EXPECT_EQ(none["sysinfo_sharedram_kb"], "75616");
}

// A 32-bit kernel's high memory: sysinfo's totalhigh and freehigh are the
// served /proc/meminfo's HighTotal and HighFree (one split, low memory first:
// of the 1 GiB view, 884,000 kB are the host's low memory).
TEST(Shim, SysinfoHighMemoryIsMeminfos) {
  FixtureCopy copy("docker-v2-private-ns");
  std::string meminfo_path = copy.dir() + "/proc/meminfo";
  std::ifstream in(meminfo_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  text.insert(text.find("\nSwapTotal:") + 1, "HighTotal:      15500000 kB\nHighFree:        9776544 kB\n"
                                               "LowTotal:         884000 kB\nLowFree:          100000 kB\n");
  std::ofstream(meminfo_path, std::ios::trunc) << text;
  Values v = probe(kProbes[0], "view", {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + copy.dir()});
  EXPECT_EQ(v["meminfo_high_total_kb"], std::to_string(1048576 - 884000));
  EXPECT_EQ(v["sysinfo_totalhigh_kb"], v["meminfo_high_total_kb"]);
  EXPECT_EQ(v["meminfo_high_free_kb"], std::to_string(1048576 - 884000));
  EXPECT_EQ(v["sysinfo_freehigh_kb"], v["meminfo_high_free_kb"]);
}

// sysinfo and the page counts agree with /proc/meminfo wherever a view cannot
// be formed, or is formed for swap alone: a usage file unreadable gives the
// host's figures in both (under a sysroot its host's, not the live machine's),
// a swap in use unreadable the host's swap lines, and Buffers is the host's
// wherever the memory lines are.
TEST(Shim, SysinfoAgreesWithMeminfoWhereTheViewFallsBack) {
  struct Case {
    const char* fixture;
    const char* file;  // made unreadable (malformed)
    const char* content;
  };
  const Case cases[] = {
      {"docker-v1-host-ns", "sys/fs/cgroup/memory/memory.usage_in_bytes", "garbage\n"},
      {"docker-v1-host-ns", "sys/fs/cgroup/memory/memory.memsw.usage_in_bytes", "garbage\n"},
      {"docker-v2-private-ns", "sys/fs/cgroup/memory.current", "\n"},
      {"docker-v2-private-ns", "sys/fs/cgroup/memory.swap.current", "-1\n"},
      {"docker-v2-private-ns", "sys/fs/cgroup/memory.max", "max\n"},  // a swap allowance alone
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.fixture) + ": " + c.file + " " + c.content);
    FixtureCopy copy(c.fixture);
    std::ofstream(copy.dir() + "/" + c.file, std::ios::trunc) << c.content;
    Values v = probe(kProbes[0], "view", {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + copy.dir()});
    for (auto [meminfo, sysinfo] : {std::pair{"meminfo_total_kb", "sysinfo_totalram_kb"},
                                    std::pair{"meminfo_total_kb", "phys_pages_kb"},
                                    std::pair{"meminfo_free_kb", "sysinfo_freeram_kb"},
                                    std::pair{"meminfo_swap_total_kb", "sysinfo_totalswap_kb"},
                                    std::pair{"meminfo_swap_free_kb", "sysinfo_freeswap_kb"},
                                    std::pair{"meminfo_buffers_kb", "sysinfo_bufferram_kb"}})
      EXPECT_EQ(v[meminfo], v[sysinfo]) << meminfo << " and " << sysinfo;
    EXPECT_NE(v["meminfo_total_kb"], "");
  }
}

// A rewind re-renders a served fd into a new file and puts that in the fd's
// place. While the re-render waits (memory.swap.current is a FIFO here), the
// program closes the fd, and puts /dev/null at its number or leaves it
// closed: the rewind must leave either as it is (before, it put its new file
// there: over /dev/null, or bringing the closed fd back).
TEST(Shim, ARewindLeavesAnFdClosedOrReusedMeanwhileAlone) {
  FixtureCopy copy("docker-v2-private-ns");
  std::string fifo = copy.dir() + "/sys/fs/cgroup/memory.swap.current", content = copy.dir() + "/swap.content";
  std::filesystem::rename(fifo, content);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Values v = probe(kProbes[0], "rewind-while-reused", {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + copy.dir()}, nullptr,
                   {fifo, content});
  EXPECT_EQ(v["after_reuse"], "devnull");
  EXPECT_EQ(v["after_close"], "closed");
}

TEST(Shim, RewindingRendersFreshUsage) {
  FixtureCopy copy("docker-v2-private-ns");
  // memory.current 314572800 -> 104857600: MemFree 741376 -> 946176 kB.
  Values v = probe(kProbes[1], "rewind", {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + copy.dir()}, nullptr,
                   {copy.dir() + "/sys/fs/cgroup/memory.current", "104857600", "0"});
  EXPECT_EQ(v["before_free"], "741376");
  EXPECT_EQ(v["no_rewind_eof"], "0");
  EXPECT_EQ(v["lseek_free"], "946176");
  EXPECT_EQ(v["fsetpos_free"], "946176");  // fsetpos64 here: this probe is built with _FILE_OFFSET_BITS=64
  EXPECT_EQ(v["reused_fd_is_hostname"], "1");
}

// Fds past the first 4,096 are tracked too (chunks of the served-fd table
// mapped as fds reach them): a rewind re-renders, fstat shows /proc/meminfo.
// A low fd maps the first chunk (in the shared arena); 5,000 then lands in the
// second chunk, 13,000 in the fourth (the third never mapped), each a mapping
// of its own.
TEST(Shim, AServedFdFarUpTheTableIsRenderedFreshOnRewind) {
  for (const char* floor : {"5000", "13000"}) {
    FixtureCopy copy("docker-v2-private-ns");
    // memory.current 314572800 -> 104857600: MemFree 741376 -> 946176 kB.
    Values v = probe(kProbes[0], "rewind-high-fd", {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + copy.dir()}, nullptr,
                     {copy.dir() + "/sys/fs/cgroup/memory.current", "104857600", floor});
    if (v.count("skip")) GTEST_SKIP() << v["skip"];
    EXPECT_EQ(v["high_fd"], floor);
    EXPECT_EQ(v["before_free"], "741376") << floor;
    EXPECT_EQ(v["lseek_free"], "946176") << floor;
    EXPECT_EQ(v["low_lseek_free"], "946176") << floor;
    EXPECT_EQ(v["identity"], "same") << floor;
    EXPECT_EQ(v["low_identity"], "same") << floor;
  }
}

TEST(Shim, ALimitChangeShowsWithinOneSecond) {
  FixtureCopy copy("docker-v2-private-ns");
  Values v = probe(kProbes[0], "rewind", {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + copy.dir()}, nullptr,
                   {copy.dir() + "/sys/fs/cgroup/memory.max", "536870912", "1000"});
  EXPECT_EQ(v["before"], "1048576");
  // "rewind_mapped": a stream opened "rm", which glibc maps where it can: it
  // cannot map /proc, so the served stream is read, not mapped, and rewinds.
  for (const char* key : {"lseek", "rewind", "fseek", "fseeko", "fsetpos", "rewind_mapped"})
    EXPECT_EQ(v[key], "524288") << key;
}

// A fixture whose view differs from the real answers of any machine running
// the suite (2 CPUs and 24 GiB here): 1 CPU and MemTotal 262144 kB
// (EXPECTED.md). With it, a check that an answer equals the view can only pass
// when the shim gave that answer; the probe is told the expected values, so
// it does not take them from its own (possibly real) first call.
const char kDistinctFixture[] = "systemd-colon";
const std::vector<std::string> kDistinctView = {"1", "262144"};  // CPUS MEMTOTAL_KB

TEST(Shim, SixtyFourThreadsAgree) {
  Values v = probe(kProbes[0], "threads", preload_over(kDistinctFixture), nullptr, kDistinctView);
  EXPECT_EQ(v["threads_bad"], "0");
}

TEST(Shim, ForkVforkAndSignalHandlersGetTheView) {
  Values v = probe(kProbes[0], "processes", preload_over(kDistinctFixture), nullptr, kDistinctView);
  EXPECT_EQ(v["parent_cpus"], "1");
  EXPECT_EQ(v["parent_meminfo_kb"], "262144");
  // Each child exits 0 only when its CPU count, affinity and MemTotal are the view's.
  EXPECT_EQ(v["fork_sees_view"], "1");
  EXPECT_EQ(v["vfork_sees_view"], "1");
  EXPECT_EQ(v["handler_cpus"], "1");
  EXPECT_EQ(v["handler_meminfo_kb"], "262144");
}

TEST(Shim, TenThousandOpensLeakNoFd) {
  Values v = probe(kProbes[1], "fds", preload_over("docker-v2-private-ns"));
  EXPECT_EQ(v["fd_delta"], "0");
}

TEST(Shim, ServesWhenMemfdCreateIsRefused) {
  Values v = probe(kProbes[0], "no-memfd", preload_over("docker-v2-private-ns"));
  EXPECT_EQ(v["memfd_refused"], "1");
  EXPECT_EQ(v["meminfo_total_kb"], "1048576");
  EXPECT_EQ(v["online"], "0-1");
}

namespace {

// Runs the own-fd-table probe over a scratch directory (`extra`: "unsealed").
Values own_fd_table(std::vector<std::string> extra) {
  char dir[] = "/tmp/cgview-own-fds-XXXXXX";
  if (mkdtemp(dir) == nullptr) return {};
  const std::string scratch = dir;
  std::filesystem::create_directories(scratch + "/empty");
  std::ofstream(scratch + "/decoy") << "DECOY not meminfo\n";
  std::vector<std::string> args = {scratch + "/empty", scratch + "/decoy"};
  args.insert(args.end(), extra.begin(), extra.end());
  Values v = probe(kProbes[0], "own-fd-table", preload_over("docker-v2-private-ns"), nullptr, args);
  std::filesystem::remove_all(scratch);
  return v;
}

}  // namespace

// A thread with an fd table of its own (unshare(CLONE_FILES)) names its fds
// by its own table, not the main thread's (/proc/self/fd), where the same
// numbers are other files: the shim reopens and resolves fds by name.
TEST(Shim, AThreadWithItsOwnFdTableGetsItsOwnFiles) {
  Values v = own_fd_table({});
  EXPECT_EQ(v["dirfd_errno"], std::to_string(ENOENT));  // no meminfo in that directory
  EXPECT_EQ(v["wide_first_line"], "MemTotal:        1048576 kB");
  EXPECT_EQ(v["freopen_total_kb"], "1048576");
}

// The same thread with sealing refused (seccomp): a plain open's anonymous
// file is reopened read-only by its name in the thread's table.
TEST(Shim, AThreadWithItsOwnFdTableGetsItsOwnFilesUnsealed) {
  EXPECT_EQ(own_fd_table({"unsealed"})["unsealed_total_kb"], "1048576");
}

// The served-fd table, the view cache and the namespace finds are mapped on
// first use (lib/lazy_zeroed.hpp). Where no mapping can be made, the answers
// still come, computed afresh; a rewound fd reads the same content.
TEST(Shim, ServesWhenNoMemoryCanBeMapped) {
  Values v = probe(kProbes[0], "no-new-mappings", preload_over("docker-v2-private-ns"));
  ASSERT_EQ(v["mmap_refused"], "1") << "the limit did not take";
  EXPECT_EQ(v["errno_kept"], "1");
  EXPECT_EQ(v["meminfo_total_kb"], "1048576");
  EXPECT_EQ(v["online"], "0-1");
  EXPECT_EQ(v["rewound_same"], "1");
  EXPECT_EQ(v["sysconf_onln"], "2");
  EXPECT_EQ(v["stat_cpu_lines"], "2");
  EXPECT_EQ(v["anon_same"], "1") << "something was mapped after all";
}

TEST(Shim, AtTheFdLimitOpenFailsWithEmfile) {
  Values v = probe(kProbes[0], "fd-limit", preload_over("docker-v2-private-ns"));
  EXPECT_EQ(v["real_errno"], "24");
  EXPECT_EQ(v["served_fd"], "-1 errno=24");
}

TEST(Shim, DisableMakesEverythingReal) {
  auto env = preload_over("docker-v2-private-ns");
  env.push_back("CGVIEW_DISABLE=1");
  Values with = probe(kProbes[0], "view", env);
  Values without = probe(kProbes[0], "view", {});
  for (const char* key : {"sysconf_onln", "get_nprocs", "affinity", "online", "cpuinfo_blocks", "stat_cpu_lines",
                          "meminfo_total_kb", "sysinfo_totalram_kb", "phys_pages_kb"})
    EXPECT_EQ(with[key], without[key]) << key;
}

// Under `unshare --pid` without a /proc of its own, /proc numbers processes as
// the outer namespace does: /proc/1 is the outer init, not this program (pid 1
// inside), and its status file passes through as the kernel's.
TEST(Shim, AProcOfAnotherPidNamespaceGivesOtherProcessesTheirOwnFiles) {
  std::vector<std::string> argv = {"/usr/bin/unshare", "--pid", "--fork", "grep", "-E", "^(Name|Pid|Cpus_allowed_list):",
                                   "/proc/1/status"};
  auto native = run_program(argv, {});
  if (native.exit_code != 0) GTEST_SKIP() << "no pid namespace here: " << native.err;
  auto shimmed = run_program(argv, {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1"});
  EXPECT_EQ(shimmed.exit_code, 0) << shimmed.err;
  EXPECT_NE(native.out.find("Pid:\t1\n"), std::string::npos) << native.out;
  EXPECT_EQ(shimmed.out, native.out);
  // Its own files there: thread-self shows the view as self does.
  auto own = run_program({"/usr/bin/unshare", "--pid", "--fork", "grep", "-h", "^Cpus_allowed_list:", "/proc/self/status",
                          "/proc/thread-self/status"},
                         {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1"});
  EXPECT_EQ(own.exit_code, 0) << own.err;
  std::istringstream lines(own.out);
  std::string self_line, thread_line;
  std::getline(lines, self_line);
  std::getline(lines, thread_line);
  EXPECT_EQ(thread_line, self_line) << own.out;
  EXPECT_EQ(self_line.find_first_of(",-"), std::string::npos) << "not the view of one CPU: " << own.out;
  // And by the number /proc gives it there (its parent's, which it execs as,
  // read from /proc/self/stat in /proc's numbering), not getpid()'s.
  auto by_number = run_program({"/usr/bin/unshare", "--pid", "--fork", "sh", "-c",
                                "p=$(cut -d' ' -f4 /proc/self/stat); "
                                "exec grep -h ^Cpus_allowed_list: /proc/self/status /proc/$p/status"},
                               {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1"});
  EXPECT_EQ(by_number.exit_code, 0) << by_number.err;
  EXPECT_EQ(by_number.out, self_line + "\n" + self_line + "\n");
}

// A thread's status file, by /proc/self/task/<tid> and by /proc/<tid> (its
// own directory, which code taking gettid() for a pid reads), read by the
// thread and by the main thread: the view each time, as the process's own.
TEST(Shim, AThreadsStatusFileByEachNameIsTheView) {
  Values native = probe(kProbes[0], "thread-status", {});
  EXPECT_EQ(native["tid_dir"], native["task"]);
  if (native["parent"].find_first_of(",-") == std::string::npos)
    GTEST_SKIP() << "one CPU here: its view of one CPU is the real list";
  Values v = probe(kProbes[0], "thread-status", {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1"});
  EXPECT_EQ(v["parent"].find_first_of(",-"), std::string::npos) << "not the view of one CPU: " << v["parent"];
  for (const char* name : {"task", "tid_dir", "own_tid_dir"}) EXPECT_EQ(v[name], v["parent"]) << name;
}

TEST(Shim, DebugExplainsOnStderr) {
  auto env = preload_over("docker-v2-private-ns");
  env.push_back("CGVIEW_DEBUG=1");
  auto result = run_program({kProbes[0], "view"}, env);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.err.find("cgview: CPUs: 2 of 8"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("cgview: memory limit 1073741824"), std::string::npos) << result.err;
  // Each line is a whole "cgview:" line.
  std::istringstream lines(result.err);
  std::string line;
  while (std::getline(lines, line)) EXPECT_EQ(line.rfind("cgview: ", 0), 0u) << line;
}

// A served file that falls back to the real one is named: of many opens, the
// line says which (this fixture has no io.stat for /proc/diskstats).
TEST(Shim, DebugNamesTheFileItServesFromTheRealOne) {
  auto env = preload_over("docker-v2-private-ns");
  env.push_back("CGVIEW_DEBUG=1");
  auto cat = run_program({kProbes[0], "open-and-read", "/proc/diskstats"}, env);
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  const std::string fallback = "cgview: /proc/diskstats: nothing to render (no figures for this file here, or an input is "
                               "unreadable): serving the real file";
  bool said = false;
  std::istringstream lines(cat.err);
  std::string line;
  while (std::getline(lines, line)) said |= line == fallback;
  EXPECT_TRUE(said) << cat.err;
}

TEST(Shim, WorksBehindAnotherPreloadThatInitialisesFirst) {
  const char* jemalloc = CGVIEW_JEMALLOC_PATH;  // the build's architecture's
  ASSERT_EQ(access(jemalloc, R_OK), 0) << "libjemalloc2 is installed by scripts/install-deps";
  // jemalloc calls sched_getaffinity while initialising malloc, before the shim has.
  const std::vector<std::string> env = {"LD_PRELOAD=" + std::string(jemalloc) + ":" + kShim,
                                        "CGVIEW_SYSROOT=" + kFixtures + "/" + kDistinctFixture};
  Values v = probe(kProbes[0], "view", env);
  EXPECT_EQ(v["sysconf_onln"], "1");
  EXPECT_EQ(v["affinity_count"], "1");
  EXPECT_EQ(v["meminfo_total_kb"], "262144");
  Values threads = probe(kProbes[0], "threads", env, nullptr, kDistinctView);
  EXPECT_EQ(threads["threads_bad"], "0");
}

// The same without jemalloc's particulars: an allocator that aborts if the shim's
// first resolution, run inside its initialisation, allocates. A failed dlvsym does
// (its error message): the shim asks dlvsym only for versions the port has. Where
// glibc is 2.34 or later and has every version asked (x86-64 and i386 here), the
// old code passed this too; it failed on aarch64 (scripts/cross-test), which lacks
// GLIBC_2.3.4. Before 2.34 dlsym itself allocates: tests/old_glibc checks that.
TEST(Shim, FirstResolutionInsideAnAllocatorsInitialisationAllocatesNothing) {
  const std::vector<std::string> env = {"LD_PRELOAD=" CGVIEW_INIT_MALLOC_PRELOAD ":" + kShim,
                                        "CGVIEW_SYSROOT=" + kFixtures + "/" + kDistinctFixture};
  Values v = probe(kProbes[0], "view", env);
  EXPECT_EQ(v["sysconf_onln"], "1");
  EXPECT_EQ(v["affinity_count"], "1");
  EXPECT_EQ(v["meminfo_total_kb"], "262144");
}

std::string command_output(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (p) pclose(p);
  return out;
}

TEST(ShimLibrary, NeedsOnlyLibc) {
  std::string out = command_output("readelf -d " + kShim + " | grep NEEDED");
  EXPECT_NE(out.find("[libc.so.6]"), std::string::npos) << out;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) EXPECT_NE(line.find("[libc.so.6]"), std::string::npos) << line;
}

// A program that saves the mask it was shown, pins itself to a CPU outside
// it for longer than the view's refresh interval (the refreshed view's A is
// that CPU) and restores the saved mask gets the mask it started with back,
// as without the shim: not the saved CPUs alone.
TEST(Shim, ASavedMaskRestoredAfterARefreshIsTheStartingMask) {
  Values v = probe(kProbes[0], "restore-after-refresh", {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1"});
  if (v["start"].find(',') == std::string::npos && v["start"].find('-') == std::string::npos)
    GTEST_SKIP() << "one CPU in this process's mask: a one-CPU view narrows nothing";
  EXPECT_EQ(v["count_while_pinned"], "1");
  EXPECT_EQ(v["after_restore"], v["start"]) << "shown: " << v["shown"];
}

// syscall() with bits set above those of the number the kernel reads (the
// low 32 on x86-64 since Linux 5.14 and arm64; 16 on s390x) makes the same
// call, and the shim takes it for one: it reads the view, and setting the
// view back keeps the real mask. Where the kernel reads all 64 bits (ppc64,
// x86-64 before 5.14) it is no call (ENOSYS), with the shim as without.
// (A 32-bit long has no bits above the number.)
#if defined(__LP64__)
TEST(ShimAffinity, ANumberWithHighBitsSetIsWhatTheKernelTakesItFor) {
  Values native = probe(CGVIEW_AFFINITY_PROBE, "", {});
  Values v = probe(CGVIEW_AFFINITY_PROBE, "", {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1"});
  if (v["kernel_before"].find(',') == std::string::npos && v["kernel_before"].find('-') == std::string::npos)
    GTEST_SKIP() << "one CPU in this process's mask: a one-CPU view narrows nothing";
  ASSERT_NE(native["syscall_high_get"], "other");
  EXPECT_EQ(v["syscall_high_get"], native["syscall_high_get"]);
  EXPECT_EQ(v["syscall_high_restore"], native["syscall_high_restore"]);
  EXPECT_EQ(v["kernel_after_syscall_high_restore"], v["kernel_before"]) << "the real mask is kept";
  if (native["syscall_high_get"] == "positive") {
    EXPECT_EQ(v["syscall_high_shown"], v["shown"]);
    EXPECT_EQ(v["shown"].find_first_of(",-"), std::string::npos) << "one CPU shown";
    EXPECT_EQ(v["syscall_high_restore"], "0");
  }
}
#endif

// A kernel that reads every bit of the number (x86-64 before 5.14, POWER) has
// no call for a high-bit one: a later preload's syscall() stands in for it
// (the kernels here read fewer bits). With the shim as without, the get and
// the set are refused (ENOSYS) and the real mask stays. Where something
// refuses the get otherwise (EPERM) but takes the set, the shim's look at it
// leaves errno as the program had it.
#if defined(__LP64__)
TEST(ShimAffinity, AKernelReadingEveryBitRefusesAHighBitNumberWithTheShimToo) {
  const std::string kernel = CGVIEW_EVERY_BIT_SYSCALL_PRELOAD;
  Values native = probe(CGVIEW_AFFINITY_PROBE, "", {"LD_PRELOAD=" + kernel});
  Values v = probe(CGVIEW_AFFINITY_PROBE, "", {"LD_PRELOAD=" + kShim + ":" + kernel, "CGVIEW_CPUS=1"});
  EXPECT_EQ(native["syscall_high_get"], "ENOSYS");
  EXPECT_EQ(native["syscall_high_restore"], "ENOSYS");
  EXPECT_EQ(v["syscall_high_get"], "ENOSYS");
  EXPECT_EQ(v["syscall_high_restore"], "ENOSYS");
  EXPECT_EQ(v["kernel_after_syscall_high_restore"], v["kernel_before"]);
#if !defined(__powerpc64__)  // there the shim passes such a number on as no call, as POWER's kernel has none
  const std::string eperm = "CGVIEW_TEST_HIGH_GET_EPERM=1";
  native = probe(CGVIEW_AFFINITY_PROBE, "", {"LD_PRELOAD=" + kernel, eperm});
  v = probe(CGVIEW_AFFINITY_PROBE, "", {"LD_PRELOAD=" + kShim + ":" + kernel, eperm, "CGVIEW_CPUS=1"});
  EXPECT_EQ(native["syscall_high_restore"], "0");
  EXPECT_EQ(native["syscall_high_restore_errno"], "12345");
  EXPECT_EQ(v["syscall_high_restore"], "0");
  EXPECT_EQ(v["syscall_high_restore_errno"], "12345") << "the shim's look at the number changed errno";
  EXPECT_EQ(v["kernel_after_syscall_high_restore"], v["kernel_before"]);
#endif
}
#endif

// Save-and-restore of affinity over demo-64cpu (V = 0-1 of 64): every setter
// given the mask it was shown keeps the kernel's real mask; pinning to one
// CPU of V pins there. The probe reads the kernel's masks past the shim.
TEST(ShimAffinity, RestoringTheShownMaskKeepsTheRealOne) {
  auto v = probe(CGVIEW_AFFINITY_PROBE, "", preload_over("demo-64cpu"));
  ASSERT_EQ(v["shown"], "0,1");
  ASSERT_NE(v["kernel_before"], "");
  for (const char* key : {"restore_rc", "restore_pid_rc", "pthread_restore_rc", "pin_rc"})
    EXPECT_EQ(v[key], "0") << key;
  for (const char* key : {"kernel_after_restore", "kernel_after_pthread_restore", "kernel_after_syscall_restore"})
    EXPECT_EQ(v[key], v["kernel_before"]) << key;
  // syscall(SYS_sched_getaffinity) and syscall(SYS_sched_setaffinity), as LLVM's OpenMP asks.
  EXPECT_EQ(v["syscall_get_rc_positive"], "1");
  EXPECT_EQ(v["syscall_shown"], "0,1");
  EXPECT_EQ(v["syscall_restore_rc"], "0");
#if CGVIEW_OLD_AFFINITY_ABI  // the ports with the GLIBC_2.3.3 setter
  EXPECT_EQ(v["restore_old_rc"], "0");
  EXPECT_EQ(v["kernel_after_restore_old"], v["kernel_before"]);
#endif
  EXPECT_EQ(v["pin"], "1");
  EXPECT_EQ(v["kernel_pinned"], "1") << "pinning to a CPU of V must pin";
  EXPECT_EQ(v["kernel_pinned_after_restore"], "1");
  EXPECT_EQ(v["status_list"], "0-1");
  EXPECT_EQ(v["status_pid_list"], "0-1");
  EXPECT_EQ(v["child_rc"], "0");
  EXPECT_EQ(v["kernel_child"], v["kernel_before"]);
  // Thread attributes: the shown mask starts a thread with the real one.
  EXPECT_EQ(v["attr_set_rc"], "0");
  EXPECT_EQ(v["attr_get"], "0,1");
  EXPECT_EQ(v["kernel_attr_thread"], v["kernel_before"]);
  EXPECT_EQ(v["getattr_self"], "0,1");
#if CGVIEW_OLD_AFFINITY_ABI
  EXPECT_EQ(v["kernel_attr_old_thread"], v["kernel_before"]);
#endif
  // (The mask's hex shape is the machine's: under a sysroot the file is the real one.)
  // Without the shim every setter is the kernel's: the checks above can fail.
  auto plain = probe(CGVIEW_AFFINITY_PROBE, "", {});
  EXPECT_EQ(plain["kernel_after_restore"], plain["kernel_before"]);
  EXPECT_EQ(plain["status_list"], plain["kernel_status_after_restore"]);
}

// A process pool hands the mask it reads to its workers: under a live view
// of one CPU that mask is narrowed, and set on another process it gives that
// process the caller's real mask, as the same program does without the shim.
// Another process's mask, asked by its pid, is the kernel's.
TEST(ShimAffinity, AnotherProcessGivenTheShownMaskGetsTheRealOne) {
  auto v = probe(CGVIEW_AFFINITY_PROBE, "", {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1"});
  if (v["kernel_before"].find(',') == std::string::npos)
    GTEST_SKIP() << "one CPU in this process's mask: a one-CPU view narrows nothing";
  EXPECT_EQ(v["shown"].find(','), std::string::npos) << v["shown"];
  EXPECT_EQ(v["child_get_rc"], "0");
  EXPECT_EQ(v["child_seen"], v["kernel_before"]);
  EXPECT_EQ(v["child_rc"], "0");
  EXPECT_EQ(v["kernel_child"], v["kernel_before"]) << "the child was narrowed to " << v["kernel_child"];
  EXPECT_EQ(v["kernel_after_restore"], v["kernel_before"]);
  EXPECT_EQ(v["syscall_shown"], v["shown"]);
  EXPECT_EQ(v["kernel_after_syscall_restore"], v["kernel_before"]);
  // The shown mask given with a size past the kernel's own bytes: the kernel
  // reads its own bytes alone, so this is the shown mask too (before, the shim
  // read on, faulted at an unreadable page or narrowed the process).
  EXPECT_EQ(v["past_guard_rc"], "0");
  EXPECT_EQ(v["kernel_after_past_guard"], v["kernel_before"]);
  EXPECT_EQ(v["past_guard_syscall_rc"], "0");
  EXPECT_EQ(v["kernel_after_past_guard_syscall"], v["kernel_before"]);
  if (v.count("past_other_bytes_rc")) {  // a kernel mask shorter than cpu_set_t's 128 bytes
    EXPECT_EQ(v["past_other_bytes_rc"], "0");
    EXPECT_EQ(v["kernel_after_past_other_bytes"], v["kernel_before"]);
  }
}

// syscall(SYS_sched_getaffinity / SYS_sched_setaffinity), as LLVM's and Intel's
// OpenMP runtimes and libnuma ask: the view's mask with the system call's
// conventions (the bytes the kernel wrote, the rest of the buffer as it was,
// the kernel's errors), the view set back keeping the real mask, and every
// other number answered as without the shim. Under a live view of one CPU.
TEST(ShimSyscall, AffinityThroughSyscallIsTheViewWithTheSystemCallsConventions) {
  for (const std::string& binary : kProbes) {
    Values with = probe(binary, "syscalls", {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1"});
    Values without = probe(binary, "syscalls", {});
    if (without["kernel_mask"].find(',') == std::string::npos)
      GTEST_SKIP() << "one CPU in this process's mask: a one-CPU view narrows nothing";
    EXPECT_EQ(without["syscall_mask"], without["kernel_mask"]);
    EXPECT_EQ(with["get_written"], with["kernel_written"]);
    EXPECT_EQ(with["get_written"], without["get_written"]);
    EXPECT_EQ(with["tail_kept"], "1");
    EXPECT_EQ(with["kernel_mask"], without["kernel_mask"]);
    EXPECT_EQ(with["syscall_mask"].find(','), std::string::npos) << with["syscall_mask"];
    EXPECT_NE(with["syscall_mask"], "");
    EXPECT_EQ(with["syscall_mask"], with["function_mask"]) << "syscall() and sched_getaffinity agree";
    EXPECT_EQ(with["syscall_getpid_mask"], with["function_mask"]);
    EXPECT_EQ(with["syscall_parent_mask"], with["kernel_parent_mask"]) << "another process's mask is real";
    EXPECT_NE(with["kernel_parent_mask"], "");
    EXPECT_EQ(with["errno_kept"], "1");
    for (const char* key : {"small_size", "null_mask", "set_null_mask", "close_bad", "getpid_same", "sixth_argument"})
      EXPECT_EQ(with[key], without[key]) << key;
    EXPECT_EQ(without["sixth_argument"], "1");
    EXPECT_EQ(without["getpid_same"], "1");
    EXPECT_EQ(with["set_shown"], "0");
    EXPECT_EQ(with["kernel_after_set_shown"], with["kernel_mask"]) << "the view set back keeps the real mask";
    EXPECT_EQ(with["set_pin"], "0");
    EXPECT_NE(with["pin"], "-1");
    EXPECT_EQ(with["kernel_after_pin"], with["pin"]) << "a CPU outside the view is set as given";
    EXPECT_EQ(with["set_shown_again"], "0");
    EXPECT_EQ(with["kernel_after_set_shown_again"], with["kernel_mask"]);
    // A size past the buffer's end: read no further than the kernel does (the
    // shown mask is kept, the probe does not fault). Natively the kernel sets it
    // too; qemu-user, which reads the whole size, refuses it with EFAULT.
    EXPECT_EQ(with["set_oversized"], "0");
    EXPECT_EQ(with["kernel_after_set_oversized"], with["kernel_mask"]);
  }
}

// A preload after ours that defines syscall() too (a tracer, another
// compatibility library) gets every number the shim does not serve as the
// program made the call: the six arguments intact, and returning straight to
// the program (a jump, not a call: a vfork or clone child, or a callee that
// reads its caller's frame, finds no frame of ours). The first call of the
// process, which looks libc's next definition up, too.
TEST(ShimSyscall, ALaterPreloadGetsEveryOtherCallAsTheProgramMadeIt) {
  const std::string recorder = CGVIEW_SYSCALL_RECORDER_PRELOAD;
  for (const std::string& binary : kProbes) {
    Values alone = probe(binary, "syscall-chain", {"LD_PRELOAD=" + recorder});
    EXPECT_EQ(alone["first_from"], "probe");
    Values v = probe(binary, "syscall-chain", {"LD_PRELOAD=" + kShim + ":" + recorder, "CGVIEW_CPUS=1"});
    EXPECT_EQ(v["first_from"], "probe") << binary;
    EXPECT_EQ(v["second_from"], "probe") << binary;
    EXPECT_EQ(v["affinity_count"], "1") << "the view's mask, read through the later preload";
    EXPECT_EQ(v["getpid_same"], "1");
  }
}

// The core reads the real mask past the preloaded syscall(): a dynamically
// linked cgview command under LD_PRELOAD (or /etc/ld.so.preload) computes the
// same A as without it, and N from it.
TEST(ShimSyscall, TheCoreUnderThePreloadReadsTheRealMask) {
  Values plain = probe(CGVIEW_CORE_PROBE, "", {"CGVIEW_CPUS=1"});
  if (plain["affinity_count"] == "1") GTEST_SKIP() << "one CPU in this process's mask: nothing to narrow";
  Values preloaded = probe(CGVIEW_CORE_PROBE, "", {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1"});
  EXPECT_EQ(preloaded["affinity_count"], plain["affinity_count"]) << "A read through the view";
  EXPECT_EQ(preloaded["count"], "1");
}

// LLVM's OpenMP runtime (Debian's libomp 14) counts the CPUs in the mask it
// reads through syscall(), and where it learns the layout from /proc/cpuinfo
// it aborts if that file holds fewer of them than the mask: under the view
// both are the view's. Without the shim it counts the host's.
TEST(ShimSyscall, LlvmOpenMpCountsTheViewAndDoesNotAbort) {
  const char* libomp = CGVIEW_LIBOMP_PATH;
  ASSERT_EQ(access(libomp, R_OK), 0) << libomp << ": libomp5-14 is installed by scripts/install-deps";
  Values plain = probe(kProbes[0], "openmp", {}, nullptr, {libomp});
  if (plain["omp_num_procs"] == "1") GTEST_SKIP() << "one CPU in this process's mask: nothing to narrow";
  for (const char* method : {"KMP_TOPOLOGY_METHOD=cpuinfo", "KMP_TOPOLOGY_METHOD=all"}) {
    Values v = probe(kProbes[0], "openmp", {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1", method}, nullptr, {libomp});
    EXPECT_EQ(v["omp_num_procs"], "1") << method;
    EXPECT_EQ(v["omp_max_threads"], "1") << method;
  }
}

// A pool that copies the creating thread's mask into its threads' attributes:
// glibc applies it in the new thread past every hook, so under a live view of
// one CPU the stored mask must already be the real one. Read back, the
// attributes say what was set, and a running thread's (pthread_getattr_np)
// say its shown mask, as pthread_getaffinity_np does; a mask of the program's
// own choosing, and "no mask set", pass both ways unchanged.
TEST(ShimAffinity, NewThreadsGivenTheShownMaskStartWithTheRealOne) {
  auto v = probe(CGVIEW_AFFINITY_PROBE, "", {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1"});
  if (v["kernel_before"].find(',') == std::string::npos)
    GTEST_SKIP() << "one CPU in this process's mask: a one-CPU view narrows nothing";
  auto plain = probe(CGVIEW_AFFINITY_PROBE, "", {});
  EXPECT_EQ(v["attr_set_rc"], "0");
  EXPECT_EQ(v["attr_get_rc"], "0");
  EXPECT_EQ(v["attr_get"], v["shown"]);
  EXPECT_EQ(v["kernel_attr_thread"], v["kernel_before"]) << "the new thread started narrowed";
#if CGVIEW_OLD_AFFINITY_ABI
  EXPECT_EQ(v["attr_set_old_rc"], "0");
  EXPECT_EQ(v["kernel_attr_old_thread"], v["kernel_before"]);
#endif
  EXPECT_EQ(v["getattr_self_rc"], "0");
  EXPECT_EQ(v["getattr_self"], v["shown"]) << "a running thread's attributes show its real mask";
  EXPECT_EQ(v["unset_attr_count"], plain["unset_attr_count"]);
  ASSERT_NE(v["outside"], "");
  EXPECT_EQ(v["attr_outside_get"], v["outside"]);
  EXPECT_EQ(v["kernel_attr_outside_thread"], v["outside"]);
}

// Edges where the shim once answered otherwise than the real calls (found in
// review): errno after seeking an fmemopen stream, a symlink's O_PATH fd as
// dirfd, a ",ccs=" stream's orientation and fd, O_NOATIME by a user who does not own
// the file, freopen with exactly the one fd free that the real call needs.
TEST_P(ShimBuilds, EdgesAnswerAsTheRealCalls) {
  std::vector<std::string> shim = {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1", "CGVIEW_MEMORY=256M"};
  Values with = probe(binary(), "edges", shim);
  Values without = probe(binary(), "edges", {});
  for (const char* key : {"rewind_memstream_errno", "fseek_memstream", "fsetpos_memstream", "symlink_dirfd", "ccs_wide",
                          "ccs_fileno", "noatime_other_user", "freopen_one_free"})
    EXPECT_EQ(with[key], without[key]) << key;
  EXPECT_EQ(without["symlink_dirfd"], "-1 errno=20");
  EXPECT_EQ(without["ccs_wide"], "1");
  EXPECT_EQ(without["freopen_one_free"], "ok fileno=0 errno=0");
  if (geteuid() == 0) {
    EXPECT_EQ(without["noatime_other_user"], "-1 errno=1");
  }
  // Served where the real call succeeds: the view's 256 MiB.
  EXPECT_EQ(with["directory_dirfd_total_kb"], "262144");
  EXPECT_EQ(with["ccs_total_kb"], "262144");
  EXPECT_EQ(with["plain_total_kb"], "262144");
}

// The README's stack figure: a thread created with a 48 KiB stack (or the
// port's smallest, where that is more: 128 KiB on aarch64) gets the view from
// its first sysconf and open of /proc/meminfo, which build the whole view on
// its stack (no heap), under a sysroot and live.
TEST_P(ShimBuilds, AThreadWithA48KiBStackGetsTheView) {
  for (const auto& env : {preload_over("docker-v1-host-ns"),
                          std::vector<std::string>{"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1", "CGVIEW_MEMORY=256M"}}) {
    auto result = run_program({binary(), "small-stack", "48"}, env);
    ASSERT_EQ(result.exit_code, 0) << "the thread's stack overflowed: " << result.out << result.err;
    Values v = parse(result.out);
    EXPECT_EQ(v["small_stack_onln"], v["main_onln"]);
    EXPECT_EQ(v["small_stack_total_kb"], v["main_total_kb"]);
    EXPECT_NE(v["main_total_kb"], "-1");
  }
  Values live = probe(binary(), "small-stack", {"LD_PRELOAD=" + kShim, "CGVIEW_CPUS=1", "CGVIEW_MEMORY=256M"}, nullptr,
                      {"48"});
  EXPECT_EQ(live["small_stack_onln"], "1");
  EXPECT_EQ(live["small_stack_total_kb"], "262144");
}

TEST(ShimLibrary, ExportsOnlyTheInterposedSymbols) {
  std::set<std::string> interposed = {
      "sysconf", "get_nprocs", "get_nprocs_conf", "get_phys_pages", "get_avphys_pages", "sched_getaffinity",
      "pthread_getaffinity_np", "sched_setaffinity", "pthread_setaffinity_np", "pthread_attr_setaffinity_np",
      "pthread_attr_getaffinity_np", "sysinfo", "open", "open64", "openat", "openat64", "__open_2", "__open64_2",
      "__openat_2", "__openat64_2", "fopen", "fopen64", "freopen", "freopen64", "lseek", "lseek64", "rewind", "fseek",
      "fseeko", "fseeko64", "fsetpos", "fsetpos64", "fstat", "fstat64", "__fxstat", "__fxstat64", "statx", "fork"};
#if CGVIEW_INTERPOSES_SYSCALL  // the ports shim/syscall_entry.S is written for (kernel_call.h)
  interposed.insert("syscall");
#endif
  std::string out = command_output("nm -D --defined-only " + kShim);
  std::istringstream lines(out);
  std::string address, type, name;
  std::set<std::string> seen;
  while (lines >> address >> type >> name) {
    if (type == "A") continue;  // version definitions (CGVIEW_BASE, GLIBC_2.3.3, ...), not symbols
    name = name.substr(0, name.find('@'));
    EXPECT_TRUE(interposed.count(name)) << "unexpected export " << name;
    seen.insert(name);
  }
  EXPECT_EQ(seen, interposed);
}

// A preloaded library that needs a symbol version libc lacks stops every program from
// starting ("version `GLIBC_2.34' not found"), and legacy images have older glibcs. So the
// library asks for nothing newer than GLIBC_2.17 (CentOS 7's glibc; a port born later
// starts at its own first version), and does not name dlsym or dlvsym, which 2.34 moved
// into libc under a new version (tests/old_glibc runs it in a Debian 11 root).
TEST(ShimLibrary, LoadsOnEveryGlibcSince217) {
  auto version_number = [](const std::string& v) {  // "GLIBC_2.3.4" -> 2003004
    unsigned major = 0, minor = 0, patch = 0;
    std::sscanf(v.c_str(), "GLIBC_%u.%u.%u", &major, &minor, &patch);
    return major * 1000000 + minor * 1000 + patch;
  };
  const std::regex version_re("GLIBC_[0-9.]+");
  // This port's first version: the oldest glibc defines (GLIBC_2.2.5 on x86-64, 2.17 on aarch64).
  std::string maps = command_output("grep -m1 -o '/[^ ]*/libc\\.so\\.6' /proc/self/maps");
  ASSERT_FALSE(maps.empty());
  std::string libc = command_output("objdump -p " + maps.substr(0, maps.find('\n')));
  unsigned first = ~0u;
  size_t definitions = libc.find("Version definitions:");
  ASSERT_NE(definitions, std::string::npos) << libc;
  for (std::sregex_iterator it(libc.begin() + definitions, libc.end(), version_re), end; it != end; ++it)
    first = std::min(first, version_number(it->str()));
  unsigned allowed = std::max(version_number("GLIBC_2.17"), first);

  std::string needs = command_output("objdump -p " + kShim);
  size_t references = needs.find("Version References:");
  ASSERT_NE(references, std::string::npos) << needs;
  unsigned seen = 0;
  // Every version named, numeric or not (GLIBC_PRIVATE, GLIBC_ABI_DT_RELR would not load either).
  const std::regex any_version_re("GLIBC_\\S+");
  for (std::sregex_iterator it(needs.begin() + references, needs.end(), any_version_re), end; it != end; ++it) {
    ++seen;
    EXPECT_TRUE(std::regex_match(it->str(), std::regex("GLIBC_[0-9]+\\.[0-9]+(\\.[0-9]+)?"))) << it->str();
    EXPECT_LE(version_number(it->str()), allowed) << it->str() << " is newer than the oldest glibc the library serves";
  }
  EXPECT_GT(seen, 0u) << needs;
  std::string symbols = command_output("objdump -T " + kShim);
  for (const char* name : {" dlsym\n", " dlvsym\n"})
    EXPECT_EQ(symbols.find(name), std::string::npos) << "names" << name << symbols;
}

// ld.so before glibc 2.35 answers an unversioned lookup (dlsym) with a definition at
// version index 2 even where that is not the default version: an interposer there (the
// affinity calls' old ABI, before the empty first node in exports.map) reached another
// preload's dlsym(RTLD_NEXT, "sched_getaffinity") with the wrong arguments.
TEST(ShimLibrary, NoFunctionAtTheFirstVersionIndex) {
  std::string definitions = command_output("objdump -p " + kShim);
  std::smatch first;
  if (!std::regex_search(definitions, first, std::regex("\n2 0x[0-9a-f]+ 0x[0-9a-f]+ (\\S+)\n"))) {
    // Unversioned exports (the one-ABI ports' map): no index 2 at all.
    EXPECT_EQ(definitions.find("Version definitions:"), std::string::npos) << definitions;
    return;
  }
  std::istringstream symbols(command_output("objdump -T " + kShim));
  std::string line;
  unsigned functions = 0;
  while (std::getline(symbols, line)) {
    if (line.find(" DF ") == std::string::npos || line.find("*UND*") != std::string::npos) continue;
    ++functions;
    EXPECT_EQ(line.find(first[1].str()), std::string::npos) << line;
  }
  EXPECT_GT(functions, 20u);
}

TEST(ShimLibrary, HasNoStaticConstructors) {
  // A global with a constructor would run when our library initialises, which
  // can be after another preload has already called into us (docs/design.md rule 1).
  std::string out = command_output("nm " + kShim + " | grep -c _GLOBAL__sub_I");
  EXPECT_EQ(out, "0\n");
  // Nor anything else for ld.so to run at load or exit (linked -nostartfiles:
  // each costs every process start).
  std::string dynamic = command_output("readelf -d " + kShim);
  for (const char* tag : {"(INIT)", "(FINI)", "(INIT_ARRAY)", "(FINI_ARRAY)"})
    EXPECT_EQ(dynamic.find(tag), std::string::npos) << tag << "\n" << dynamic;
}

// Every process start maps the library: its writable data (what ld.so
// relocates and the zeroing after it writes) must be one page at a page
// boundary of the file, not two (shim/page_aligned_data.ld), and its
// zero-initialised data must end in that page too: past it, ld.so maps the
// rest anonymously, one more mmap in every process start (lib/lazy_zeroed.hpp).
// Grown past a page, a pointer table (string_view arrays) or a static table
// that could be a LazyZeroed one is the thing to shrink.
// What the library maps beyond its file: nothing at start, exactly as an
// empty preload (ld.so maps no zeroed tail of its image); its tables once, at
// the first served open; nothing more after. The process's whole anonymous
// memory at start is not compared with the empty preload's: ld.so's own
// record of a library grows with its path, and crossed a page in CI's checkout.
TEST(ShimLibrary, MapsNothingUntilItServes) {
  std::string sysroot = "CGVIEW_SYSROOT=" + kFixtures + "/docker-v2-private-ns";
  Values tailed = probe(kProbes[0], "mappings", {"LD_PRELOAD=" CGVIEW_ZEROED_TAIL_PRELOAD, sysroot});
  ASSERT_EQ(tailed["preload_found"], "1");
  EXPECT_GE(std::stol(tailed["image_anon_kb_at_start"]), 60) << "the probe sees a zeroed tail";
  Values empty = probe(kProbes[0], "mappings", {"LD_PRELOAD=" CGVIEW_EMPTY_PRELOAD, sysroot});
  Values shim = probe(kProbes[0], "mappings", {"LD_PRELOAD=" + kShim, sysroot});
  ASSERT_EQ(shim["preload_found"], "1");
  ASSERT_EQ(empty["preload_found"], "1");
  EXPECT_EQ(empty["image_anon_kb_at_start"], "0");
  EXPECT_EQ(shim["image_anon_kb_at_start"], "0");
  EXPECT_EQ(shim["meminfo_total_kb"], "1048576 1048576");
  long at_start = std::stol(shim["anon_kb_at_start"]);
  long after_first = std::stol(shim["anon_kb_after_first"]);
  EXPECT_GT(after_first, at_start) << "the tables are mapped on the first served open";
  EXPECT_LE(after_first - at_start, 128) << "one mapping holds them all";
  EXPECT_EQ(shim["anon_kb_after_second"], shim["anon_kb_after_first"]);
}

TEST(ShimLibrary, WritableDataIsOnePage) {
  std::istringstream lines(command_output("readelf -lW " + kShim));
  std::string line;
  int writable = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string type, offset, vaddr, paddr, filesz, memsz, flags;
    fields >> type >> offset >> vaddr >> paddr >> filesz >> memsz >> flags;
    // Thread-local data would be allocated with every thread, the first included.
    EXPECT_NE(type, "TLS") << line;
    if (type != "LOAD" || flags.find('W') == std::string::npos) continue;
    ++writable;
    EXPECT_EQ(std::stoull(offset, nullptr, 16) % 4096, 0u) << line;
    EXPECT_LE(std::stoull(filesz, nullptr, 16), 4096u) << line;
    EXPECT_LE(std::stoull(memsz, nullptr, 16), 4096u) << "data and bss past one page:\n" << line;
  }
  EXPECT_EQ(writable, 1);
}

// Runs Python lines with the shim preloaded over `copy`'s sysroot; they may
// call rd(path, dir_fd=None), which opens, reads and closes as a program
// does, and print key=value lines. Python's dir_fd is openat.
Values python_reads(const FixtureCopy& copy, const std::string& lines) {
  const std::string script = R"(import os
def rd(path, dir_fd=None):
    fd = os.open(path, os.O_RDONLY, dir_fd=dir_fd)
    data = os.read(fd, 4096).decode().strip()
    os.close(fd)
    return data
)" + lines;
  auto result = run_program({"/usr/bin/python3", "-c", script},
                            {"LD_PRELOAD=" + kShim, "CGVIEW_SYSROOT=" + copy.dir()}, nullptr);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return parse(result.out);
}

}  // namespace

// /sys/devices/system/cpu/cpuK files, however the path is spelled: absolute,
// relative to the working directory, and openat on a directory fd of
// /sys/devices/system/cpu as lscpu and htop do (Python's dir_fd is openat).
TEST(Shim, CpuFilesUnderEverySpelling) {
  FixtureCopy copy("docker-v2-private-ns");  // V = 0-1 of 0-7
  for (int cpu = 0; cpu < 8; ++cpu) {
    std::string dir = copy.dir() + "/sys/devices/system/cpu/cpu" + std::to_string(cpu);
    std::filesystem::create_directories(dir + "/topology");
    std::filesystem::create_directories(dir + "/cache/index0");
    std::filesystem::create_directories(dir + "/cache/index3");
    if (cpu > 0) std::ofstream(dir + "/online") << "1\n";
    std::ofstream(dir + "/topology/core_cpus_list") << cpu % 4 << "," << cpu % 4 + 4 << "\n";
    std::ofstream(dir + "/topology/core_id") << cpu % 4 << "\n";
    std::ofstream(dir + "/topology/package_cpus") << "ff\n";
    std::ofstream(dir + "/cache/index0/shared_cpu_list") << cpu % 4 << "," << cpu % 4 + 4 << "\n";
    std::ofstream(dir + "/cache/index3/shared_cpu_map") << "ff\n";
  }
  std::ofstream(copy.dir() + "/sys/devices/system/cpu/offline") << "\n";
  std::ofstream(copy.dir() + "/sys/devices/system/node/node0/cpulist") << "0-7\n";
  std::ofstream(copy.dir() + "/sys/devices/system/node/node0/cpumap") << "ff\n";
  Values v = python_reads(copy, R"(d = os.open("/sys/devices/system/cpu", os.O_RDONLY | os.O_DIRECTORY)
print("absolute=" + rd("/sys/devices/system/cpu/cpu1/online"))
print("dirfd=" + rd("cpu2/online", d))
print("dotdot=" + rd("cpu7/topology/../topology/core_cpus_list", d))
print("mask=" + rd("cpu1/topology/package_cpus", d))
os.chdir("/sys/devices/system/cpu")
print("relative=" + rd("./cpu5/topology/core_cpus_list"))
print("l1=" + rd("cpu1/cache/index0/shared_cpu_list"))
print("l3=" + rd("/sys/devices/system/cpu/cpu1/cache/index3/shared_cpu_map"))
print("offline=" + rd("offline", d))
print("core_id=" + rd("cpu7/topology/core_id", d))
print("node_list=" + rd("/sys/devices/system/node/node0/cpulist"))
print("node_map=" + rd("node/node0/cpumap", os.open("/sys/devices/system", os.O_RDONLY)))
print("bus_cpu=" + rd("/sys/bus/cpu/devices/cpu3/online"))
print("bus_node=" + rd("/sys/bus/node/devices/node0/cpulist"))
print("node_total=" + rd("/sys/bus/node/devices/node0/meminfo").split()[3])
)");
  EXPECT_EQ(v["absolute"], "1");
  EXPECT_EQ(v["dirfd"], "0");
  EXPECT_EQ(v["dotdot"], "0");  // 3,7 has no CPU of V: read as V's lowest CPU, 0's core "0,4" & V
  EXPECT_EQ(v["mask"], "03");
  EXPECT_EQ(v["relative"], "1");  // 1,5 & V
  // Caches of V: the host's set from its lowest CPU in V up (cpu_files.cpp
  // says why); a CPU outside V reads the host's file.
  EXPECT_EQ(v["l1"], "1,5");
  EXPECT_EQ(v["l3"], "ff");
  EXPECT_EQ(v["offline"], "2-7");  // the host's online CPUs outside V, as cpuK/online says
  EXPECT_EQ(v["core_id"], "0");    // core 3 has no CPU in V: as cpu0
  // NUMA node files: the node's CPUs that are shown on-line, and on a host of
  // one node its memory is the container's; the bus's symlinks name the same.
  EXPECT_EQ(v["node_list"], "0-1");
  EXPECT_EQ(v["node_map"], "03");
  EXPECT_EQ(v["bus_cpu"], "0");
  EXPECT_EQ(v["bus_node"], "0-1");
  EXPECT_EQ(v["node_total"], "1048576");
}

// node/has_cpu on a host of two nodes (node 0 CPUs 4-7, node 1 CPUs 0-3):
// only the node holding V's CPUs has one online, by absolute path and from a
// directory fd of /sys/devices/system/node. The answer, node 1, is not this
// machine's own file (node 0 alone), so a path left unserved fails here.
TEST(Shim, NodesWithCpusFollowV) {
  // The dirfd is the real directory's: the shim names paths by it.
  if (!std::filesystem::is_directory("/sys/devices/system/node"))
    GTEST_SKIP() << "this kernel has no /sys/devices/system/node (built without NUMA)";
  FixtureCopy copy("docker-v2-private-ns");  // V = 0-1 of 0-7
  const std::string nodes = copy.dir() + "/sys/devices/system/node";
  std::filesystem::create_directories(nodes + "/node1");
  std::ofstream(nodes + "/online") << "0-1\n";
  std::ofstream(nodes + "/has_cpu") << "0-1\n";
  std::ofstream(nodes + "/node0/cpulist") << "4-7\n";
  std::ofstream(nodes + "/node1/cpulist") << "0-3\n";
  Values v = python_reads(copy, R"(print("absolute=" + rd("/sys/devices/system/node/has_cpu"))
print("dirfd=" + rd("has_cpu", os.open("/sys/devices/system/node", os.O_RDONLY)))
print("node0=" + rd("/sys/devices/system/node/node0/cpulist"))
)");
  EXPECT_EQ(v["absolute"], "1");
  EXPECT_EQ(v["dirfd"], "1");
  EXPECT_EQ(v["node0"], "");  // its CPUs are all off-line in the view
}
