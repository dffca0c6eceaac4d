// /sys/devices/system/node/nodeN/meminfo on a host of one NUMA node: that
// node holds all of the container's memory, as in a VM of that size.
#include "host_files.hpp"
#include "input_file.hpp"
#include "meminfo_lines.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

// The container's figures and the host's huge page memory, from
// /proc/meminfo. Out of line, so its 16 KiB buffer is gone before the node's
// file is read (threads with small stacks open these files too).
[[gnu::noinline]] bool node_view_figures(const Config& config, const Limits& limits, MemoryFigures& figures,
                                         uint64_t& hugetlb) {
  char host[kMeminfoMax];
  ssize_t n = read_input_file(config.root, "/proc/meminfo", host);
  if (n <= 0) return false;
  std::string_view text(host, size_t(n));
  if (!container_figures(config, limits, text, figures) || !figures.has_memory) return false;
  hugetlb = 0;  // Hugetlb (Linux 4.16+): the pages of every size set aside
  meminfo_kb(text, "Hugetlb", hugetlb);
  return true;
}

[[gnu::noinline]] bool rewrite_node_file(const Config& config, unsigned node, MemoryFigures& figures,
                                         uint64_t hugetlb, Sink& out) {
  FixedText<48> path;
  path.add("/sys/devices/system/node/node").add_u64(node).add("/meminfo");
  char buf[4096];  // some 40 lines of about 35 bytes; the kernel's limit is a page
  ssize_t n = read_host_file(config.root, path.view(), buf);
  if (n <= 0) return false;
  std::string_view text(buf, size_t(n));
  FixedText<16> prefix;
  prefix.add("Node ").add_u64(node).add(" ");
  FixedText<32> key;
  // No number the node could not give: where its own total is not above the
  // limit (on some hosts the node file counts less than /proc/meminfo), the
  // host's file. hwloc counts a node's ordinary memory as MemTotal less its
  // huge pages: with those at or above the limit it would wrap around.
  uint64_t node_total = 0, node_free = 0;
  key.add(prefix.view()).add("MemTotal");
  if (!meminfo_kb(text, key.view(), node_total) || figures.total >= node_total || hugetlb >= figures.total)
    return false;
  key.clear();
  key.add(prefix.view()).add("MemFree");
  if (meminfo_kb(text, key.view(), node_free) && figures.free > node_free) figures.free = node_free;
  rewrite_meminfo_lines(text, prefix.view(), figures, true, out);
  return out.finish();
}

}  // namespace

bool render_node_meminfo(const Config& config, const Limits& limits, unsigned node, Sink& out) {
  // One node: with several, which node holds what the cgroup uses is not told
  // by any cgroup file, and each node's file stays the host's. The kernel
  // writes a single online node as its number alone ("0\n").
  char online[32];
  ssize_t n = read_host_file(config.root, "/sys/devices/system/node/online", online);
  FixedText<16> only;
  only.add_u64(node).add('\n');
  if (n <= 0 || std::string_view(online, size_t(n)) != only.view()) return false;
  MemoryFigures figures;
  uint64_t hugetlb = 0;
  if (!node_view_figures(config, limits, figures, hugetlb)) return false;  // no limit: the host's file
  return rewrite_node_file(config, node, figures, hugetlb, out);
}

}  // namespace cgview
