// Fuzzes memory.stat parsing (parse_memory_stat, v1 and v2 key names) against
// a reference that splits lines and fields with std::string.
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
    {StatKey::HierarchicalLimit, "", "hierarchical_memory_limit"},
    {StatKey::HierarchicalMemswLimit, "", "hierarchical_memsw_limit"},
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::vector<std::string> fields_of(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (is_space(c)) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// "key value" lines; anything else is skipped; a repeated key keeps its last value.
void reference(std::string_view text, bool v2, MemoryStat& out) {
  std::map<std::string, uint64_t> values;
  for (std::string_view line : fuzz::split(text, '\n')) {
    std::vector<std::string> f = fields_of(line);
    uint64_t v = 0;
    if (f.size() != 2 || !parse_u64(f[1], v)) continue;
    values[f[0]] = v;
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
  }
  return 0;
}
