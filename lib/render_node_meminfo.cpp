// /sys/devices/system/node/nodeN/meminfo on a host of one NUMA node: that
// node holds all of the container's memory, as in a VM of that size.
#include "host_files.hpp"
#include "text.hpp"
#include "input_file.hpp"
#include "meminfo_lines.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

// The memory the host sets aside in huge pages, of every size: Hugetlb
// (Linux 4.16+), else the default size's HugePages_Total x Hugepagesize.
// False when the file has them in a form the kernel could not have written.
bool huge_page_memory(std::string_view meminfo, uint64_t& bytes) {
  bytes = 0;
  if (meminfo.find("\nHugetlb:") != std::string_view::npos) return meminfo_kb(meminfo, "Hugetlb", bytes);
  size_t at = meminfo.find("\nHugePages_Total:");
  if (at == std::string_view::npos) return true;  // a kernel without huge pages
  std::string_view line = meminfo.substr(at + 17);
  line = line.substr(0, line.find('\n'));
  uint64_t pages = 0, page_size = 0;
  if (!parse_u64(line, pages) || !meminfo_kb(meminfo, "Hugepagesize", page_size)) return false;
  if (pages != 0 && page_size > UINT64_MAX / pages) return false;
  bytes = pages * page_size;
  return true;
}

// The container's figures and the host's huge page memory, from
// /proc/meminfo. Out of line, so its 16 KiB buffer is gone before the node's
// file is read (threads with small stacks open these files too).
[[gnu::noinline]] bool node_view_figures(const Config& config, const Limits& limits, MemoryFigures& figures,
                                         uint64_t& hugetlb) {
  char host[kMeminfoMax];
  ssize_t n = read_input_file(config.root, "/proc/meminfo", host);
  if (n <= 0) return false;
  std::string_view text(host, size_t(n));
  return container_figures(config, limits, text, figures) && figures.has_memory && huge_page_memory(text, hugetlb);
}

[[gnu::noinline]] bool rewrite_node_file(const Config& config, unsigned node, const MemoryFigures& figures,
                                         uint64_t hugetlb, Sink& out) {
  FixedText<48> path;
  path.add("/sys/devices/system/node/node").add_u64(node).add("/meminfo");
  char buf[4096];  // some 40 lines of about 35 bytes; the kernel's limit is a page
  ssize_t n = read_host_file(config.root, path.view(), buf);
  if (n <= 0) return false;
  std::string_view text(buf, size_t(n));
  FixedText<16> prefix;
  prefix.add("Node ").add_u64(node).add(" ");
  // On a host of one node its file describes the machine's memory, as
  // /proc/meminfo does, and the container's lines are bounded as there. But
  // the node must look at least as large as the view: the host's file where
  // its own MemTotal is not above the limit or its MemFree is below the
  // view's (some hosts' node files count less than /proc/meminfo: this
  // project's machine's, 10 of 24 GiB). hwloc counts a node's ordinary
  // memory as MemTotal less its huge pages: with those at or above the limit
  // it would wrap around. A line to replace that is not a number is not a
  // kernel's.
  uint64_t node_total = 0, node_free = 0;
  if (!rewritten_host_values(text, prefix.view(), figures, node_total, node_free) || figures.total >= node_total ||
      figures.free > node_free || hugetlb >= figures.total)
    return false;
  rewrite_meminfo_lines(text, prefix.view(), figures, out);
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
