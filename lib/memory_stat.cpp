#include "memory_stat.hpp"

#include "input_file.hpp"
#include "key_index.hpp"

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

// The names of one cgroup version, indexed in StatKey order.
constexpr KeyIndex<size_t(StatKey::Count)> key_index(bool v2) {
  std::array<std::string_view, size_t(StatKey::Count)> names{};
  for (const KeyName& k : kKeys) names[size_t(k.key)] = v2 ? k.v2 : k.v1;
  return KeyIndex<size_t(StatKey::Count)>(names);
}
constexpr KeyIndex<size_t(StatKey::Count)> kV1Names = key_index(false);
constexpr KeyIndex<size_t(StatKey::Count)> kV2Names = key_index(true);

// The value after "name ": the kernel writes digits right up to the newline;
// anything else (padding, junk, overflow) is left to parse_u64's full rules.
bool parse_value(std::string_view text, uint64_t& value) {
  uint64_t v = 0;
  for (char c : text) {
    unsigned digit = unsigned(c) - '0';
    if (digit > 9 || __builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, digit, &v)) {
      return parse_u64(text, value);
    }
  }
  if (text.empty()) return false;
  value = v;
  return true;
}

}  // namespace

void parse_memory_stat(std::string_view text, bool v2, MemoryStat& out) {
  out = MemoryStat{};
  const auto& names = v2 ? kV2Names : kV1Names;
  KeyedLine line;
  while (next_keyed_line(text, ' ', line)) {  // "name value"
    if (!line.separated) continue;
    int key = names.find(line.key);  // most lines are not ours
    uint64_t number = 0;
    if (key != names.kNone && parse_value(line.rest, number)) out.set(StatKey(key), number);
  }
}

bool read_memory_stat(const Sysroot& root, const CgroupDir& dir, MemoryStat& out) {
  out = MemoryStat{};
  if (!dir.found) return false;
  PathText path;
  path.add(dir.path.view()).add("/memory.stat");
  char buf[8192];
  ssize_t n = read_input_file(root, path.view(), buf);
  if (n <= 0) return false;
  parse_memory_stat(std::string_view(buf, size_t(n)), dir.v2, out);
  return true;
}

}  // namespace cgview
