// The whole pipeline over a fuzzed sysroot: discovery, compute_limits and
// every renderer, with the invariants docs/design.md states about the results.
//
// Input: the sysroot's files separated by NUL bytes, in the order of kSections
// below (missing sections = missing files). Host files go to their paths; the
// cgroup files go into the directories discovery finds for each controller
// (under both their v1 and v2 names); the "parent" sections go to the mount point.
#include <set>

#include "discovery.hpp"
#include "render_checks.hpp"

using namespace cgview;

namespace {

enum Where { Host, Leaf, MountPoint };
struct Section {
  Where where;
  std::vector<const char*> names;
};

const Section kSections[] = {
    {Host, {"proc/self/mountinfo"}},
    {Host, {"proc/self/cgroup"}},
    {Host, {"sys/devices/system/cpu/online"}},
    {Host, {"proc/meminfo"}},
    {Host, {"proc/uptime"}},
    {Leaf, {"cpu.max", "cpu.cfs_quota_us"}},
    {Leaf, {"cpu.cfs_period_us"}},
    {Leaf, {"memory.max", "memory.limit_in_bytes"}},
    {Leaf, {"memory.stat"}},
    {Leaf, {"memory.current", "memory.usage_in_bytes"}},
    {Leaf, {"memory.swap.max", "memory.memsw.limit_in_bytes"}},
    {Leaf, {"memory.swap.current", "memory.memsw.usage_in_bytes"}},
    {Leaf, {"cpu.stat", "cpuacct.stat"}},
    {Leaf, {"cpuset.cpus.effective", "cpuset.effective_cpus", "cpuset.cpus"}},
    {MountPoint, {"cpu.max", "cpu.cfs_quota_us", "cpu.cfs_period_us"}},
    {MountPoint, {"memory.max", "memory.limit_in_bytes"}},
    {Host, {"proc/cpuinfo"}},
    {Host, {"proc/stat"}},
    {Host, {"sys/devices/system/node/has_cpu"}},
    {Host, {"sys/devices/system/node/node0/cpulist"}},
    {Host, {"sys/devices/system/node/node1/cpulist"}},
};
constexpr size_t kMeminfo = 3, kCpuinfo = 16, kStat = 17, kHasCpu = 18, kNode0 = 19, kNodes = 2;

// A discovered directory the harness may create inside its sysroot: no NUL,
// no ".." component, nothing that could leave the scratch directory.
bool safe_dir(std::string_view dir) {
  if (dir.empty() || dir.front() != '/' || dir.find('\0') != std::string_view::npos) return false;
  for (std::string_view part : fuzz::split(dir, '/'))
    if (part == "..") return false;
  return true;
}

void check_limits(const Limits& l) {
  const CpuLimits& cpu = l.cpu;
  FUZZ_CHECK(!cpu.online.empty());
  FUZZ_CHECK(cpu.count >= 1 && cpu.count == cpu.visible.count());
  FUZZ_CHECK(cpu.count <= cpu.affinity.count());
  if (!cpu.has_quota) FUZZ_CHECK(cpu.count == cpu.affinity.count());
  else FUZZ_CHECK(cpu.quota.quota > 0 && cpu.quota.period > 0);
  // V = the N lowest ids of A, and A lies within the online CPUs.
  unsigned seen = 0;
  for (unsigned c = 0; c < kMaxCpus; ++c) {
    if (cpu.affinity.has(c)) {
      FUZZ_CHECK(cpu.online.has(c));
      FUZZ_CHECK(cpu.visible.has(c) == (seen < cpu.count));
      ++seen;
    } else {
      FUZZ_CHECK(!cpu.visible.has(c));
    }
  }
  const MemoryLimits& m = l.memory;
  if (m.has_limit) FUZZ_CHECK(m.limit > 0 && m.limit < kUnlimitedFrom);
  if (m.has_swap_allowance) FUZZ_CHECK(m.swap_allowance < kUnlimitedFrom);
  for (const CgroupDir& d : l.cgroups.dirs) {
    if (!d.found) continue;
    FUZZ_CHECK(d.path.size() > 0 && d.path.view().front() == '/' && !d.path.overflowed());
    FUZZ_CHECK(d.mount_len >= 1 && d.mount_len <= d.path.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::TempRoot root;
  static const Config config = root.config();
  root.clear();

  std::vector<std::string_view> parts = fuzz::split(fuzz::as_text(data, size), '\0');
  constexpr size_t kCount = sizeof kSections / sizeof kSections[0];
  auto section = [&](size_t i) -> const std::string_view* { return i < parts.size() ? &parts[i] : nullptr; };

  for (size_t i = 0; i < kCount; ++i)
    if (kSections[i].where == Host && section(i)) root.write(kSections[i].names[0], *section(i));

  // Place the cgroup files where discovery will look for them.
  CgroupDirs dirs;
  discover_cgroups(config, dirs);
  std::set<std::string> done;
  for (const CgroupDir& d : dirs.dirs) {
    if (!d.found) continue;
    std::string leaf(d.path.view()), mount(d.path.view().substr(0, d.mount_len));
    if (!safe_dir(leaf) || !done.insert(leaf).second) continue;
    for (size_t i = 0; i < kCount; ++i) {
      if (kSections[i].where == Host || !section(i)) continue;
      const std::string& dir = kSections[i].where == Leaf ? leaf : mount;
      if (!root.make_dirs(dir)) continue;
      for (const char* name : kSections[i].names) root.write(dir + "/" + name, *section(i));
    }
  }

  Limits limits;
  if (!compute_limits(config, limits)) return 0;  // the shim then serves every real answer
  check_limits(limits);

  // /sys/devices/system/cpu/online lists exactly V.
  fuzz::StringSink online;
  FUZZ_CHECK(render(VirtualFile::CpuOnline, config, limits, nullptr, online.sink));
  FUZZ_CHECK(online.text == fuzz::format_cpus(limits.cpu.visible) + "\n");

  fuzz::StringSink meminfo;
  bool ok = render(VirtualFile::Meminfo, config, limits, nullptr, meminfo.sink);
  if (section(kMeminfo)) fuzz::check_meminfo(*section(kMeminfo), ok, meminfo.text, limits, !limits.memory.has_limit && !limits.memory.has_swap_allowance);
  else FUZZ_CHECK(!ok);

  fuzz::StringSink cpuinfo;
  ok = render(VirtualFile::Cpuinfo, config, limits, nullptr, cpuinfo.sink);
  FUZZ_CHECK(ok == (section(kCpuinfo) != nullptr));
  if (ok) FUZZ_CHECK(cpuinfo.text == fuzz::expected_cpuinfo(*section(kCpuinfo), limits));

  fuzz::StringSink stat;
  StatClock clock;
  ok = render(VirtualFile::Stat, config, limits, &clock, stat.sink);
  FUZZ_CHECK(ok == (section(kStat) != nullptr));
  if (ok) fuzz::check_stat_shape(*section(kStat), stat.text, limits);

  // node/has_cpu: the listed nodes whose cpulist holds a CPU of V, or the
  // host's file (false) where a list cannot be read or no node holds V.
  // Files too large for the renderer's buffer are left to the crash check.
  fuzz::StringSink has_cpu;
  ok = render(VirtualFile::NodeHasCpu, config, limits, nullptr, has_cpu.sink);
  auto fits = [&](size_t i) { return !section(i) || section(i)->size() < 4000; };
  if (fits(kHasCpu) && fits(kNode0) && fits(kNode0 + 1)) {
    CpuSet host_nodes, expected;
    bool readable = section(kHasCpu) && parse_cpu_list(*section(kHasCpu), host_nodes);
    for (unsigned node = 0; readable && node < kMaxCpus; ++node) {
      if (!host_nodes.has(node)) continue;
      CpuSet cpus;
      readable = node < kNodes && section(kNode0 + node) && parse_cpu_list(*section(kNode0 + node), cpus);
      cpus.intersect(limits.cpu.visible);
      if (readable && !cpus.empty()) expected.add(node);
    }
    FUZZ_CHECK(ok == (readable && !expected.empty()));
    if (ok) FUZZ_CHECK(has_cpu.text == fuzz::format_cpus(expected) + "\n");
  }
  return 0;
}
