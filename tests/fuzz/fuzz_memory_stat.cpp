// Fuzzes memory.stat parsing (parse_memory_stat, v1 and v2 key names) against
// a reference that splits lines and fields with std::string. The key table
// below mirrors memory_stat.hpp's StatKey comments: update both together.
// Input: a memory.stat file.
#include <map>

#include "fuzz_support.hpp"
#include "memory_stat.hpp"

using namespace cgview;

namespace {

struct KeyNames {
  StatKey key;
  const char* v2;
  const char* v1;
};
constexpr KeyNames kNames[] = {
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

// "name value" lines as the kernel prints them: the name runs to the first
// space, the value (surrounding whitespace allowed) must be a whole number;
// anything else is skipped; a repeated key keeps its first value.
void reference(std::string_view text, bool v2, MemoryStat& out) {
  std::map<std::string, uint64_t> values;
  for (std::string_view line : fuzz::split(text, '\n')) {
    size_t space = line.find(' ');
    uint64_t v = 0;
    if (space == std::string_view::npos || space == 0 || !parse_u64(line.substr(space + 1), v)) continue;
    values.emplace(std::string(line.substr(0, space)), v);
  }
  out = MemoryStat{};
  for (const KeyNames& k : kNames) {
    std::string name = v2 ? k.v2 : k.v1;
    if (name.empty()) continue;
    auto it = values.find(name);
    if (it != values.end()) out.set(k.key, it->second);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static_assert(sizeof kNames / sizeof kNames[0] == size_t(StatKey::Count), "a StatKey is missing here");
  std::string_view text = fuzz::as_text(data, size);
  for (bool v2 : {false, true}) {
    MemoryStat got, want;
    got.set(StatKey::Cache, 99);  // stale content must be cleared
    parse_memory_stat(text, v2, got);
    reference(text, v2, want);
    FUZZ_CHECK(got.present == want.present);
    for (int k = 0; k < int(StatKey::Count); ++k) {
      if (got.has(StatKey(k))) FUZZ_CHECK(got.values[k] == want.values[k]);
      else FUZZ_CHECK(got.values[k] == 0);
    }
    FUZZ_CHECK((got.present >> int(StatKey::Count)) == 0);
    // Asked for some keys only, it may stop early: every wanted key the full
    // parse finds is found, and nothing it finds differs from the full parse.
    uint32_t wanted = size > 0 ? (uint32_t(data[size - 1]) * 2654435761u) & kEveryStatKey : 0;
    MemoryStat part;
    parse_memory_stat(text, v2, part, wanted);
    FUZZ_CHECK((part.present & wanted) == (want.present & wanted));
    FUZZ_CHECK((part.present & ~want.present) == 0);
    for (int k = 0; k < int(StatKey::Count); ++k)
      if (part.has(StatKey(k))) FUZZ_CHECK(part.values[k] == want.values[k]);
  }
  return 0;
}
