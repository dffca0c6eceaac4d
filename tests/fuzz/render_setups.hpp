// Fixed, valid cgroup setups for the renderer targets (meminfo, cpuinfo,
// stat): the fuzzer varies only the host file being rendered. The first input
// byte picks the setup; the rest is the host file.
#pragma once

#include <memory>

#include "render_checks.hpp"

namespace fuzz {

struct File {
  const char* path;
  const char* content;
};

struct SetupSpec {
  const char* name;
  std::vector<File> files;
  bool has_usage;            // cpu.stat/cpuacct.stat readable: /proc/stat is synthesized
  bool whole_host_time;      // the cgroup is the hierarchy's root: synthesized from the host's lines of A
  uint64_t user, system;     // the cgroup's ticks
  uint64_t uptime_ticks;
  bool memory_limited;       // /proc/meminfo is virtual
};

inline const std::vector<SetupSpec>& setup_specs() {
  static const std::vector<SetupSpec> specs = {
      {"v2: cpuset 2-5 of 0-7, cpu.max 1.5 (V = 2,3), memory.max 1 GiB, swap.max 256 MiB",
       {{"proc/self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n"},
        {"proc/self/cgroup", "0::/c\n"},
        {"sys/devices/system/cpu/online", "0-7\n"},
        {"proc/uptime", "1000.50 2000.00\n"},
        {"sys/fs/cgroup/c/cpu.max", "150000 100000\n"},
        {"sys/fs/cgroup/c/cpuset.cpus.effective", "2-5\n"},
        {"sys/fs/cgroup/c/memory.max", "1073741824\n"},
        {"sys/fs/cgroup/c/memory.current", "536870912\n"},
        {"sys/fs/cgroup/c/memory.swap.max", "268435456\n"},
        {"sys/fs/cgroup/c/memory.swap.current", "1048576\n"},
        {"sys/fs/cgroup/c/memory.stat",
         "anon 100000000\nfile 200000000\nactive_anon 50000000\ninactive_anon 50000000\nactive_file 1000000\n"
         "inactive_file 2000000\nslab 8192\nslab_reclaimable 4096\nslab_unreclaimable 4096\nshmem 4096\n"
         "file_mapped 65536\n"},
        {"sys/fs/cgroup/c/cpu.stat", "usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\n"}},
       true, false, 200, 100, 100050, true},
      {"v1: cpuset 0-3 of 0-7, quota 2.5 (V = 0,1,2), limit 512 MiB, memsw 768 MiB",
       {{"proc/self/mountinfo",
         "36 31 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
         "38 31 0:33 / /sys/fs/cgroup/cpuset rw,nosuid - cgroup cgroup rw,cpuset\n"
         "39 31 0:34 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n"},
        {"proc/self/cgroup", "4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n2:cpuset:/docker/abc\n"},
        {"sys/devices/system/cpu/online", "0-7\n"},
        {"proc/uptime", "50.25 80.00\n"},
        {"sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "250000\n"},
        {"sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n"},
        {"sys/fs/cgroup/cpu,cpuacct/docker/abc/cpuacct.stat", "user 500\nsystem 250\n"},
        {"sys/fs/cgroup/cpuset/docker/abc/cpuset.cpus", "0-3\n"},
        {"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "536870912\n"},
        {"sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes", "268435456\n"},
        {"sys/fs/cgroup/memory/docker/abc/memory.memsw.limit_in_bytes", "805306368\n"},
        {"sys/fs/cgroup/memory/docker/abc/memory.memsw.usage_in_bytes", "300000000\n"},
        {"sys/fs/cgroup/memory/docker/abc/memory.stat",
         "cache 1\nrss 2\ntotal_cache 100000000\ntotal_rss 50000000\ntotal_active_file 3000000\n"
         "total_inactive_file 4000000\ntotal_active_anon 1000\ntotal_inactive_anon 2000\ntotal_shmem 0\n"
         "total_mapped_file 8192\nhierarchical_memory_limit 9223372036854771712\n"}},
       true, false, 500, 250, 5025, true},
      {"v2 at the root: cpuset 1,3 of 0-7, no quota, no memory limit, no cpu.stat (the host's time)",
       {{"proc/self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"},
        {"proc/self/cgroup", "0::/\n"},
        {"sys/devices/system/cpu/online", "0-7\n"},
        {"proc/uptime", "10.00 10.00\n"},
        {"sys/fs/cgroup/cpuset.cpus.effective", "1,3\n"}},
       false, true, 0, 0, 1000, false},
  };
  return specs;
}

inline constexpr std::string_view kDefaultMeminfo =
    "MemTotal:       16384000 kB\nMemFree:         8000000 kB\nMemAvailable:   12000000 kB\n"
    "SwapTotal:       2097148 kB\nSwapFree:        2097148 kB\n";

// One sysroot per setup, with the limits computed once.
struct Setup {
  const SetupSpec* spec = nullptr;
  TempRoot root;
  cgview::Config config;
  cgview::Limits limits;
  std::string synth;  // the expected synthesized /proc/stat CPU lines
};

inline std::vector<std::unique_ptr<Setup>>& setups() {
  static std::vector<std::unique_ptr<Setup>> all = [] {
    std::vector<std::unique_ptr<Setup>> v;
    for (const SetupSpec& spec : setup_specs()) {
      auto s = std::make_unique<Setup>();
      s->spec = &spec;
      for (const File& f : spec.files) FUZZ_CHECK(s->root.write(f.path, f.content));
      FUZZ_CHECK(s->root.write("proc/meminfo", kDefaultMeminfo));
      s->config = s->root.config();
      FUZZ_CHECK(cgview::compute_limits(s->config, s->limits));
      if (spec.has_usage)
        s->synth = synthesized_stat(s->limits.cpu.visible, spec.user, spec.system, spec.uptime_ticks);
      v.push_back(std::move(s));
    }
    // The setups are what their names say.
    FUZZ_CHECK(fuzz::format_cpus(v[0]->limits.cpu.visible) == "2-3");
    FUZZ_CHECK(fuzz::format_cpus(v[1]->limits.cpu.visible) == "0-2");
    FUZZ_CHECK(fuzz::format_cpus(v[2]->limits.cpu.visible) == "1,3");
    FUZZ_CHECK(v[0]->limits.memory.has_limit && v[1]->limits.memory.has_limit && !v[2]->limits.memory.has_limit);
    return v;
  }();
  return all;
}

// Picks the setup from the first byte; `host` gets the rest.
inline Setup& pick_setup(const uint8_t* data, size_t size, std::string_view& host) {
  std::vector<std::unique_ptr<Setup>>& all = setups();
  host = size == 0 ? std::string_view{} : as_text(data + 1, size - 1);
  return *all[size == 0 ? 0 : data[0] % all.size()];
}

}  // namespace fuzz
