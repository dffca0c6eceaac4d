#include "cpu_files.hpp"

#include <cerrno>
#include <iterator>

#include "host_files.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

// Text, not string_views: compiled for size, a string_view constant can stay
// an object holding a pointer, relocated data on the shim's writable page.
constexpr char kCpuDir[] = "/sys/devices/system/cpu/cpu";
constexpr char kNodeDir[] = "/sys/devices/system/node/node";
// The same directories through the bus's symlinks (/sys/bus/cpu/devices/cpu1
// -> ../../../devices/system/cpu/cpu1; /sys/bus/node with CONFIG_NUMA): read
// by their canonical path, so both spellings agree.
constexpr char kCpuBusDir[] = "/sys/bus/cpu/devices/cpu";
constexpr char kNodeBusDir[] = "/sys/bus/node/devices/node";
template <size_t N>
constexpr size_t length_of(const char (&)[N]) {
  return N - 1;
}

// Indexed by CpuFile, after Online: the topology files, the cache files, then
// the NUMA node files.
constexpr std::string_view kFileNames[] = {
    "core_cpus_list", "thread_siblings_list", "core_siblings_list", "package_cpus_list", "die_cpus_list",
    "cluster_cpus_list", "book_siblings_list", "drawer_siblings_list",
    "core_cpus", "thread_siblings", "core_siblings", "package_cpus", "die_cpus",
    "cluster_cpus", "book_siblings", "drawer_siblings",
    "core_id", "physical_package_id", "die_id", "cluster_id", "book_id", "drawer_id",
    "shared_cpu_list", "shared_cpu_map",
    "cpulist", "cpumap", "meminfo",
};
static_assert(std::size(kFileNames) == kCpuFileKinds - 1);
constexpr unsigned kTopologyKinds = unsigned(CpuFile::CacheSharedCpuList);  // Online and the topology files
constexpr unsigned kFirstNodeKind = unsigned(CpuFile::NodeCpuList);  // after the cache files

bool is_list(CpuFile kind) {
  return (kind >= CpuFile::CoreCpusList && kind <= CpuFile::DrawerSiblingsList) ||
         kind == CpuFile::CacheSharedCpuList || kind == CpuFile::NodeCpuList;
}
bool is_cache(CpuFile kind) { return kind == CpuFile::CacheSharedCpuList || kind == CpuFile::CacheSharedCpuMap; }
bool is_node(CpuFile kind) { return unsigned(kind) >= kFirstNodeKind; }
bool is_id(CpuFile kind) { return kind >= CpuFile::CoreId && kind <= CpuFile::DrawerId; }

// The lists of the CPUs that share an id file's number: the current name,
// and the one kernels before 5.x used (thread_siblings_list for a core,
// core_siblings_list for a package).
struct SiblingLists {
  CpuFile current, older;
};
SiblingLists siblings_sharing(CpuFile id) {
  switch (id) {
    case CpuFile::CoreId: return {CpuFile::CoreCpusList, CpuFile::ThreadSiblingsList};
    case CpuFile::PackageId: return {CpuFile::PackageCpusList, CpuFile::CoreSiblingsList};
    case CpuFile::DieId: return {CpuFile::DieCpusList, CpuFile::DieCpusList};
    case CpuFile::ClusterId: return {CpuFile::ClusterCpusList, CpuFile::ClusterCpusList};
    case CpuFile::BookId: return {CpuFile::BookSiblingsList, CpuFile::BookSiblingsList};
    default: return {CpuFile::DrawerSiblingsList, CpuFile::DrawerSiblingsList};
  }
}

// A decimal number as the kernel prints one in a name (cpu12, index3): no
// sign, no leading zero, below `limit`; consumed from the front of `text`.
bool take_number(std::string_view& text, unsigned limit, unsigned& out) {
  size_t digits = 0;
  while (digits < text.size() && digits < 5 && text[digits] >= '0' && text[digits] <= '9') ++digits;
  uint64_t n = 0;
  if (digits == 0 || (digits > 1 && text[0] == '0') || !parse_u64(text.substr(0, digits), n) || n >= limit)
    return false;
  text.remove_prefix(digits);
  out = unsigned(n);
  return true;
}

// The kind whose file name is `name` among kinds [from, to), or false.
bool kind_named(std::string_view name, unsigned from, unsigned to, CpuFile& out) {
  for (unsigned i = from; i < to; ++i) {
    if (name == kFileNames[i - 1]) {
      out = CpuFile(i);
      return true;
    }
  }
  return false;
}

// Which CPUs share a cache. Two readers count caches from these files and
// must both count right: hwloc reads the online CPUs (V) and creates a cache
// only at the lowest CPU of its set; lscpu (without cache `id` files) reads
// every present CPU, off-line ones too, and makes a new cache for a CPU that
// no cache counted so far contains, keeping the set the first one read. So
// a CPU outside V reads the host's set (the real file: false), and a CPU of
// V the host's set without the CPUs below its lowest member in V: hwloc then
// sees one cache per set with a CPU in V, and lscpu the host's caches, each
// once (as `id` files give them). Intersecting with V, as the topology lists
// are, made lscpu count one cache per off-line CPU.
bool drop_below_lowest_visible(CpuSet& set, const CpuSet& visible) {
  CpuSet in_view = set;
  in_view.intersect(visible);
  if (in_view.empty()) return false;  // a set without the CPU itself (ia64's empty masks): as the host's
  unsigned lowest = 0;
  while (!in_view.has(lowest)) set.remove(lowest++);
  return true;
}

}  // namespace

bool split_cpu_file(VirtualFile file, CpuFileRef& out) {
  uint32_t v = uint32_t(file);
  if (v < kCpuFilesFrom || v >= kCpuFilesFrom + kCpuFileKinds * kCacheIndexes * kMaxCpus) return false;
  v -= kCpuFilesFrom;
  out.cpu = v % kMaxCpus;
  out.cache = v / kMaxCpus % kCacheIndexes;
  out.kind = CpuFile(v / kMaxCpus / kCacheIndexes);
  return true;
}

bool cpu_file_name(std::string_view name) {
  if (name == "online") return true;
  for (std::string_view n : kFileNames)
    if (name == n) return true;
  return false;
}

namespace {

// nodeN/cpulist or nodeN/cpumap, after "/sys/devices/system/node/node".
// Node numbers stay below kMaxCpus (MAX_NUMNODES is at most 1024).
bool node_file_for(std::string_view path, VirtualFile& out) {
  CpuFileRef file;
  if (!take_number(path, kMaxCpus, file.cpu) || path.empty() || path[0] != '/' ||
      !kind_named(path.substr(1), kFirstNodeKind, kCpuFileKinds, file.kind))
    return false;
  out = cpu_file(file);
  return true;
}

}  // namespace

bool cpu_file_for(std::string_view path, VirtualFile& out) {
  auto starts = [&](std::string_view prefix) { return path.substr(0, prefix.size()) == prefix; };
  if (starts(kNodeDir)) return node_file_for(path.substr(length_of(kNodeDir)), out);
  if (starts(kNodeBusDir)) return node_file_for(path.substr(length_of(kNodeBusDir)), out);
  if (starts(kCpuDir)) path.remove_prefix(length_of(kCpuDir));
  else if (starts(kCpuBusDir)) path.remove_prefix(length_of(kCpuBusDir));
  else return false;
  CpuFileRef file;
  if (!take_number(path, kMaxCpus, file.cpu)) return false;
  constexpr std::string_view kTopology = "/topology/", kCache = "/cache/index";
  if (path == "/online") {
    file.kind = CpuFile::Online;
  } else if (path.substr(0, kTopology.size()) == kTopology) {
    if (!kind_named(path.substr(kTopology.size()), 1, kTopologyKinds, file.kind)) return false;
  } else if (path.substr(0, kCache.size()) == kCache) {
    path.remove_prefix(kCache.size());
    if (!take_number(path, kCacheIndexes, file.cache) || path.empty() || path[0] != '/' ||
        !kind_named(path.substr(1), kTopologyKinds, kFirstNodeKind, file.kind))
      return false;
  } else {
    return false;
  }
  out = cpu_file(file);
  return true;
}

void cpu_file_path(const CpuFileRef& file, PathText& out) {
  out.clear();
  if (is_node(file.kind)) {
    out.add(kNodeDir).add_u64(file.cpu).add("/").add(kFileNames[unsigned(file.kind) - 1]);
    return;
  }
  out.add(kCpuDir).add_u64(file.cpu);
  if (file.kind == CpuFile::Online) out.add("/online");
  else if (is_cache(file.kind)) out.add("/cache/index").add_u64(file.cache).add("/").add(kFileNames[unsigned(file.kind) - 1]);
  else out.add("/topology/").add(kFileNames[unsigned(file.kind) - 1]);
}

namespace {

unsigned lowest_visible(const Limits& limits) {
  unsigned lowest = 0;
  while (!limits.cpu.visible.has(lowest)) ++lowest;  // V is not empty
  return lowest;
}

// Whether a CPU of V shares cpuK's `id` number: one of the CPUs its sibling
// list names (true, the host's number, when no list can be read).
bool shares_id_with_visible(const Config& config, const Limits& limits, const CpuFileRef& file) {
  SiblingLists lists = siblings_sharing(file.kind);
  char buf[4096];
  for (CpuFile kind : {lists.current, lists.older}) {
    PathText path;
    cpu_file_path({kind, file.cpu, 0}, path);
    ssize_t n = read_host_file(config.root, path.view(), buf);
    CpuSet set;
    if (n < 0 || !parse_cpu_list(std::string_view(buf, size_t(n)), set)) continue;
    set.intersect(limits.cpu.visible);
    return !set.empty();
  }
  return true;
}

// An online CPU of the host whose directory has no `online` file: one the
// kernel cannot take off-line (x86's CPU 0; every CPU of a kernel built
// without CPU hotplug). Shown off-line, it must still say so: htop counts a
// CPU without the file as online, and would divide the view's CPU time over
// one CPU more (every process's CPU% doubled when V = {1}). A kernel that can
// take such a CPU off-line has the file and writes "0" there. Only a missing
// file: one that cannot be read for another reason (a security policy) stays
// unreadable.
bool cpu_cannot_go_offline(const Config& config, const Limits& limits, unsigned cpu) {
  if (!limits.cpu.online.has(cpu)) return false;
  PathText path;
  path.add(kCpuDir).add_u64(cpu);
  if (host_open_error(config.root, path.view()) != 0) return false;
  path.add("/online");
  return host_open_error(config.root, path.view()) == ENOENT;
}

}  // namespace

bool render_cpu_file(const Config& config, const Limits& limits, const CpuFileRef& file, Sink& out) {
  const CpuFile kind = file.kind;
  const unsigned cpu = file.cpu;
  if (kind == CpuFile::NodeMeminfo) return false;  // render() sends it to render_node_meminfo
  bool shown = !is_node(kind) && cpu < kMaxCpus && limits.cpu.visible.has(cpu);
  if (is_cache(kind) && !shown) return false;  // the host's file (drop_below_lowest_visible says why)
  PathText path;
  cpu_file_path(file, path);
  char buf[4096];  // a mask of 8192 CPUs is 2303 bytes; a list of them at most 4 KiB only when absurd
  ssize_t n = read_host_file(config.root, path.view(), buf);
  if (n < 0 && kind == CpuFile::Online && !shown && !limits.cpu.visible.empty() &&
      cpu_cannot_go_offline(config, limits, cpu)) {
    out.put("0\n");
    return out.finish();
  }
  if (n < 0 || limits.cpu.visible.empty()) return false;  // missing on the host: the real open says so
  std::string_view host(buf, size_t(n));
  if (kind == CpuFile::Online) {
    out.put(shown ? "1\n" : "0\n");
    return out.finish();
  }
  if (is_id(kind)) {
    // An id of no CPU in V would be one more core (package, ...) to
    // programs that count distinct ids over every cpuK, as inxi does.
    if (!shown && !shares_id_with_visible(config, limits, file))
      return render_cpu_file(config, limits, CpuFileRef{kind, lowest_visible(limits), 0}, out);
    out.put(host);
    return out.finish();
  }
  CpuSet set;
  MaskShape shape;
  if (is_list(kind) ? !parse_cpu_list(host, set) : !parse_cpu_mask(host, set, shape)) return false;
  if (is_cache(kind)) {
    if (!drop_below_lowest_visible(set, limits.cpu.visible)) return false;
  } else {
    set.intersect(limits.cpu.visible);
  }
  // A CPU outside V (shown off-line) with no sibling in V reads as the
  // lowest CPU of V does: an empty set would be one more distinct "core" to
  // programs that count distinct core_cpus_list contents over every cpuK
  // (psutil's cpu_count(logical=False)). A real kernel has no topology files
  // at all for an off-line CPU; hiding them would take interposing the stat
  // family (see docs/what-programs-see.md).
  if (set.empty() && !shown && !is_node(kind)) {
    unsigned lowest = lowest_visible(limits);
    if (lowest != cpu) return render_cpu_file(config, limits, CpuFileRef{kind, lowest, file.cache}, out);
  }
  if (is_list(kind)) put_cpu_list(set, out);
  else put_cpu_mask(set, shape, out);  // a subset of the host's: it fits the shape
  out.put('\n');
  return out.finish();
}

// The kernel keeps a node in has_cpu while one of its CPUs is online (it
// drops the node when its last CPU goes off-line), and the view shows the
// CPUs outside V off-line, as cpuK/online and nodeN/cpulist say.
bool render_node_has_cpu(const Config& config, const Limits& limits, Sink& out) {
  if (limits.cpu.visible.empty()) return false;
  char buf[4096];
  ssize_t n = read_host_file(config.root, "/sys/devices/system/node/has_cpu", buf);
  CpuSet host_nodes, nodes;  // node numbers, below kMaxCpus as MAX_NUMNODES is
  if (n < 0 || !parse_cpu_list(std::string_view(buf, size_t(n)), host_nodes)) return false;
  bool readable = true;
  for_each_cpu_range(host_nodes, [&](unsigned first, unsigned last) {
    for (unsigned node = first; node <= last && readable; ++node) {
      PathText path;
      cpu_file_path({CpuFile::NodeCpuList, node, 0}, path);
      ssize_t m = read_host_file(config.root, path.view(), buf);
      CpuSet cpus;
      readable = m >= 0 && parse_cpu_list(std::string_view(buf, size_t(m)), cpus);
      cpus.intersect(limits.cpu.visible);
      if (!cpus.empty()) nodes.add(node);
    }
  });
  // No node holding a CPU of V: the host's lists disagree, and its file stands.
  if (!readable || nodes.empty()) return false;
  put_cpu_list(nodes, out);
  out.put('\n');
  return out.finish();
}

}  // namespace cgview
