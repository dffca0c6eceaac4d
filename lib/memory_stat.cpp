#include "memory_stat.hpp"

#include <algorithm>

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
    {StatKey::SwapCached, "swapcached", "total_swapcached"},
    {StatKey::KernelStack, "kernel_stack", ""},
    {StatKey::PageTables, "pagetables", ""},
    {StatKey::SecPageTables, "sec_pagetables", ""},
    {StatKey::Percpu, "percpu", ""},
    {StatKey::Vmalloc, "vmalloc", ""},
    {StatKey::Zswap, "zswap", ""},
    {StatKey::Zswapped, "zswapped", ""},
    {StatKey::AnonHuge, "anon_thp", "total_rss_huge"},
    {StatKey::ShmemHuge, "shmem_thp", ""},
    {StatKey::FileHuge, "file_thp", ""},
    {StatKey::HierarchicalLimit, "", "hierarchical_memory_limit"},
    {StatKey::HierarchicalMemswLimit, "", "hierarchical_memsw_limit"},
};

// The names of one cgroup version, indexed in StatKey order.
constexpr size_t kKeyCount = size_t(StatKey::Count);
constexpr std::array<std::string_view, kKeyCount> key_names(bool v2) {
  std::array<std::string_view, kKeyCount> names{};
  for (const KeyName& k : kKeys) names[size_t(k.key)] = v2 ? k.v2 : k.v1;
  return names;
}
constexpr auto kV1List = key_names(false), kV2List = key_names(true);
// One type for both, so a parse picks either.
constexpr size_t kKeyTextBytes = std::max(key_text_bytes(kV1List), key_text_bytes(kV2List));
constexpr KeyIndex<kKeyCount, kKeyTextBytes> kV1Names(kV1List), kV2Names(kV2List);

// The keys each version has.
constexpr uint32_t keys_of(bool v2) {
  uint32_t keys = 0;
  for (const KeyName& k : kKeys) keys |= (v2 ? k.v2 : k.v1).empty() ? 0 : stat_bit(k.key);
  return keys;
}
constexpr uint32_t kV1Keys = keys_of(false), kV2Keys = keys_of(true);

// The value of a "name value" line: the kernel writes digits right up to the
// newline. Up to 19 digits cannot overflow; anything else (20 digits, padding,
// junk) is left to parse_u64's full rules.
bool parse_value(const char* begin, const char* end, uint64_t& value) {
  size_t length = size_t(end - begin);
  if (length == 0 || length > 19) return parse_u64(std::string_view(begin, length), value);
  uint64_t v = 0;
  for (const char* c = begin; c != end; ++c) {
    unsigned digit = unsigned(*c) - '0';
    if (digit > 9) return parse_u64(std::string_view(begin, length), value);
    v = v * 10 + digit;
  }
  value = v;
  return true;
}

}  // namespace

void parse_memory_stat(std::string_view text, bool v2, MemoryStat& out, uint32_t wanted) {
  out = MemoryStat{};
  const auto& names = v2 ? kV2Names : kV1Names;
  wanted &= v2 ? kV2Keys : kV1Keys;  // a key this version lacks is never found
  KeyedLine line;
  while (next_keyed_line(text, ' ', line)) {  // "name value"
    if (!line.separated) continue;
    int key = names.find(line.key);  // most lines are not ours
    uint64_t number = 0;
    if (key == names.kNone || out.has(StatKey(key)) ||
        !parse_value(line.rest.data(), line.rest.data() + line.rest.size(), number))
      continue;
    out.set(StatKey(key), number);
    if ((out.present & wanted) == wanted) break;
  }
}

bool read_memory_stat(const Sysroot& root, const CgroupDir& dir, MemoryStat& out, uint32_t wanted) {
  out = MemoryStat{};
  if (!dir.found) return false;
  PathText path;
  path.add(dir.path.view()).add("/memory.stat");
  char buf[8192];
  ssize_t n = read_input_file(root, path.view(), buf);
  if (n <= 0) return false;
  parse_memory_stat(std::string_view(buf, size_t(n)), dir.v2, out, wanted);
  return true;
}

}  // namespace cgview
