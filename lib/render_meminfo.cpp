// /proc/meminfo: the container's lines where cgview knows them, the host's
// lines byte for byte everywhere else, in the host's order.
#include "memory_view.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

constexpr size_t kMeminfoMax = 16384;  // real files are ~1.5 KiB

// The kernel prints "Key:" padded to 16 columns, the kB value right-aligned in 8.
void put_kb_line(Sink& out, std::string_view key, uint64_t bytes) {
  FixedText<64> line;
  line.add(key).add(':').pad_to(16).add_u64(bytes >> 10, 8).add(" kB\n");
  out.put(line.view());
}

bool host_kb(std::string_view text, std::string_view key, uint64_t& bytes) {
  std::string_view line;
  while (next_line(text, line)) {
    std::string_view name, value;
    if (!next_field(line, name) || name.size() != key.size() + 1 || name.substr(0, key.size()) != key ||
        name.back() != ':')
      continue;
    uint64_t kb = 0;
    if (!next_field(line, value) || !parse_u64(value, kb) || kb > (UINT64_MAX >> 10)) return false;
    bytes = kb << 10;
    return true;
  }
  return false;
}

// The container's value for a meminfo key; false = keep the host's line.
bool container_value(const MemoryFigures& f, std::string_view key, uint64_t& bytes) {
  auto stat = [&](StatKey k) {
    if (!f.stat.has(k)) return false;
    bytes = f.stat.get(k);
    return true;
  };
  auto stat_or_zero = [&](StatKey k) { return f.stat.has(k) ? f.stat.get(k) : 0; };
  auto stat_sum = [&](StatKey a, StatKey b) {
    if (!f.stat.has(a) || !f.stat.has(b)) return false;
    uint64_t sum = f.stat.get(a) + f.stat.get(b);
    bytes = sum < f.total ? sum : f.total;
    return true;
  };
  if (key == "MemTotal") bytes = f.total;
  else if (key == "MemFree") bytes = f.free;
  else if (key == "MemAvailable") bytes = f.available;
  else if (key == "Buffers") bytes = 0;
  else if (key == "Cached") {
    // Stat counters can lag memory.usage: never let free + cache exceed total.
    if (!stat(StatKey::Cache)) return false;
    if (bytes > f.total - f.free) bytes = f.total - f.free;
  }
  else if (key == "Active") return stat_sum(StatKey::ActiveAnon, StatKey::ActiveFile);
  else if (key == "Inactive") return stat_sum(StatKey::InactiveAnon, StatKey::InactiveFile);
  else if (key == "Active(anon)") return stat(StatKey::ActiveAnon);
  else if (key == "Inactive(anon)") return stat(StatKey::InactiveAnon);
  else if (key == "Active(file)") return stat(StatKey::ActiveFile);
  else if (key == "Inactive(file)") return stat(StatKey::InactiveFile);
  else if (key == "Shmem") return stat(StatKey::Shmem);
  else if (key == "Mapped") return stat(StatKey::Mapped);
  else if (key == "AnonPages") return stat(StatKey::Anon);
  else if (key == "Dirty") return stat(StatKey::Dirty);
  else if (key == "Writeback") return stat(StatKey::Writeback);
  else if (key == "Unevictable") return stat(StatKey::Unevictable);
  // v1 reports no slab: the container's is then 0, never the host's, which
  // free and busybox would add to buff/cache beyond MemTotal.
  else if (key == "Slab") bytes = stat_or_zero(StatKey::Slab);
  else if (key == "SReclaimable" || key == "KReclaimable") bytes = stat_or_zero(StatKey::SlabReclaimable);
  else if (key == "SUnreclaim") bytes = stat_or_zero(StatKey::SlabUnreclaimable);
  else if (key == "SwapTotal" && f.has_swap) bytes = f.swap_total;
  else if (key == "SwapFree" && f.has_swap) bytes = f.swap_free;
  else return false;
  return true;
}

}  // namespace

bool render_meminfo(const Config& config, const Limits& limits, Sink& out) {
  char host[kMeminfoMax];
  ssize_t n = read_host_file(config.root, "/proc/meminfo", host);
  if (n <= 0) return false;
  std::string_view text(host, size_t(n));
  uint64_t host_total = 0, host_swap_total = 0;
  MemoryUsage usage;
  MemoryFigures figures;
  bool virtual_view = host_kb(text, "MemTotal", host_total);
  if (virtual_view) {
    host_kb(text, "SwapTotal", host_swap_total);
    read_memory_usage(config.root, limits.cgroups.of(Controller::Memory), limits.memory.has_swap_allowance, usage);
    virtual_view = derive_memory(limits.memory, usage, host_total, host_swap_total, figures);
  }
  if (!virtual_view) {
    out.put(text);  // no memory limit: the host's file, unchanged
    return out.finish();
  }
  std::string_view line;
  bool ends_with_newline = text.back() == '\n';
  while (next_line(text, line)) {
    size_t colon = line.find(':');
    uint64_t bytes = 0;
    std::string_view rest = colon == std::string_view::npos ? std::string_view{} : trim(line.substr(colon + 1));
    bool in_kb = rest.size() > 3 && rest.substr(rest.size() - 3) == " kB";
    if (in_kb && container_value(figures, line.substr(0, colon), bytes)) {
      put_kb_line(out, line.substr(0, colon), bytes);
      continue;
    }
    out.put(line);
    if (!text.empty() || ends_with_newline) out.put('\n');
  }
  return out.finish();
}

}  // namespace cgview
