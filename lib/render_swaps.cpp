// /proc/swaps: with a swap allowance, the container's swap as one area, the
// same figures as /proc/meminfo's SwapTotal and SwapFree, so `swapon --show`
// and `free` agree. Without one, the host's file.
#include "input_file.hpp"
#include "memory_view.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

// The kernel's header line and column layout (mm/swapfile.c, swap_show):
// the name padded to 40 columns, then tab-separated fields, with an extra tab
// after sizes of fewer than 8 digits so the columns line up.
constexpr std::string_view kHeader = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

void put_swap_line(Sink& out, uint64_t size_kb, uint64_t used_kb) {
  FixedText<128> line;
  // The area has no file of its own: named "none", of type "virtual", as
  // LXCFS names the swap it shows containers.
  line.add("none").pad_to(40).add("virtual").add('\t');
  line.add_u64(size_kb).add('\t');
  if (size_kb < 10000000) line.add('\t');
  line.add_u64(used_kb).add('\t');
  if (used_kb < 10000000) line.add('\t');
  line.add("-2\n");  // the priority the kernel gives the first area swapped on without one
  out.put(line.view());
}

}  // namespace

bool render_swaps(const Config& config, const Limits& limits, Sink& out) {
  const MemoryLimits& memory = limits.memory;
  if (!memory.has_swap_allowance) return false;  // the host's file
  char host[kMeminfoMax];
  ssize_t n = read_input_file(config.root, "/proc/meminfo", host);
  if (n <= 0) return false;
  std::string_view text(host, size_t(n));
  HostMemory host_memory;
  if (!host_memory_from_meminfo(text, host_memory)) return false;
  MemoryUsage usage;
  MemoryFigures figures;
  read_memory_usage(config.root, limits.cgroups.of(Controller::Memory), memory, usage, text);
  if (!derive_memory(memory, usage, host_memory, figures) || !figures.has_swap) return false;
  out.put(kHeader);
  // No swap allowed: no area at all, as on a host without swap.
  if (figures.swap_total > 0) {
    uint64_t used = figures.swap_total - (figures.swap_free < figures.swap_total ? figures.swap_free : figures.swap_total);
    put_swap_line(out, figures.swap_total >> 10, used >> 10);
  }
  return out.finish();
}

}  // namespace cgview
