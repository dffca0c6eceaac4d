#include "memory_stat.hpp"

namespace cgview {

namespace {

struct KeyName {
  StatKey key;
  std::string_view v2;
  std::string_view v1;
};

constexpr KeyName kKeys[] = {
    {StatKey::Cache, "file", "total_cache"},
    {StatKey::ActiveAnon, "active_anon", "total_active_anon"},
    {StatKey::InactiveAnon, "inactive_anon", "total_inactive_anon"},
    {StatKey::ActiveFile, "active_file", "total_active_file"},
    {StatKey::InactiveFile, "inactive_file", "total_inactive_file"},
    {StatKey::Shmem, "shmem", "total_shmem"},
    {StatKey::Mapped, "file_mapped", "total_mapped_file"},
    {StatKey::Anon, "anon", "total_rss"},
    {StatKey::Slab, "slab", ""},
    {StatKey::SlabReclaimable, "slab_reclaimable", ""},
    {StatKey::SlabUnreclaimable, "slab_unreclaimable", ""},
    {StatKey::Dirty, "file_dirty", "total_dirty"},
    {StatKey::Writeback, "file_writeback", "total_writeback"},
    {StatKey::Unevictable, "unevictable", "total_unevictable"},
    {StatKey::HierarchicalLimit, "", "hierarchical_memory_limit"},
    {StatKey::HierarchicalMemswLimit, "", "hierarchical_memsw_limit"},
};

}  // namespace

void parse_memory_stat(std::string_view text, bool v2, MemoryStat& out) {
  out = MemoryStat{};
  std::string_view line;
  while (next_line(text, line)) {
    std::string_view name, value, extra;
    if (!next_field(line, name) || !next_field(line, value) || next_field(line, extra)) continue;
    uint64_t number = 0;
    if (!parse_u64(value, number)) continue;
    for (const KeyName& k : kKeys) {
      std::string_view expected = v2 ? k.v2 : k.v1;
      if (!expected.empty() && name == expected) out.set(k.key, number);
    }
  }
}

bool read_memory_stat(const Sysroot& root, const CgroupDir& dir, MemoryStat& out) {
  out = MemoryStat{};
  if (!dir.found) return false;
  PathText path;
  path.add(dir.path.view()).add("/memory.stat");
  char buf[8192];
  ssize_t n = read_host_file(root, path.view(), buf);
  if (n <= 0) return false;
  parse_memory_stat(std::string_view(buf, size_t(n)), dir.v2, out);
  return true;
}

}  // namespace cgview
