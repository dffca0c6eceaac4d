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

// The first characters of the names we look for, one set per version.
struct CharSet {
  uint64_t bits[4] = {};
  constexpr void add(char c) { bits[uint8_t(c) / 64] |= uint64_t(1) << (uint8_t(c) % 64); }
  constexpr bool has(char c) const { return (bits[uint8_t(c) / 64] >> (uint8_t(c) % 64)) & 1; }
};
struct FirstChars {
  CharSet v1, v2;
};
constexpr FirstChars first_chars() {
  FirstChars f;
  for (const KeyName& k : kKeys) {
    if (!k.v1.empty()) f.v1.add(k.v1.front());
    if (!k.v2.empty()) f.v2.add(k.v2.front());
  }
  return f;
}
constexpr FirstChars kFirstChars = first_chars();

}  // namespace

void parse_memory_stat(std::string_view text, bool v2, MemoryStat& out) {
  out = MemoryStat{};
  std::string_view line;
  while (next_line(text, line)) {
    // "name value": match the name first, so the ~50 lines cgview does not
    // use cost a search for the space and a few length compares each.
    // Most lines are not ours: skip them on the first character.
    if (line.empty() || !(v2 ? kFirstChars.v2 : kFirstChars.v1).has(line.front())) continue;
    size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0) continue;
    std::string_view name = line.substr(0, space);
    for (const KeyName& k : kKeys) {
      std::string_view expected = v2 ? k.v2 : k.v1;
      if (expected.size() != name.size() || expected != name) continue;
      uint64_t number = 0;
      if (parse_u64(line.substr(space + 1), number)) out.set(k.key, number);  // rejects "12 extra"
      break;
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
