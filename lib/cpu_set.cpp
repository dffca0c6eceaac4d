#include "cpu_set.hpp"

namespace cgview {

unsigned CpuSet::count() const {
  unsigned n = 0;
  for (uint64_t w : words_) n += unsigned(__builtin_popcountll(w));
  return n;
}

void CpuSet::intersect(const CpuSet& other) {
  for (size_t i = 0; i < words_.size(); ++i) words_[i] &= other.words_[i];
}

void CpuSet::keep_lowest(unsigned n) {
  for (uint64_t& w : words_) {
    unsigned in_word = unsigned(__builtin_popcountll(w));
    if (in_word <= n) {
      n -= in_word;
      continue;
    }
    uint64_t kept = 0;
    for (unsigned k = 0; k < n; ++k) {
      uint64_t lowest = w & (~w + 1);
      kept |= lowest;
      w &= ~lowest;
    }
    w = kept;
    n = 0;
  }
}

bool parse_cpu_list(std::string_view text, CpuSet& out) {
  CpuSet set;
  text = trim(text);
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    size_t dash = item.find('-');
    uint64_t first = 0, last = 0;
    if (!parse_u64(item.substr(0, dash), first)) return false;
    last = first;
    if (dash != std::string_view::npos && !parse_u64(item.substr(dash + 1), last)) return false;
    if (first > last || last >= kMaxCpus) return false;
    for (uint64_t cpu = first; cpu <= last; ++cpu) set.add(unsigned(cpu));
    if (comma != std::string_view::npos && text.empty()) return false;  // trailing comma
  }
  out = set;
  return true;
}

}  // namespace cgview
