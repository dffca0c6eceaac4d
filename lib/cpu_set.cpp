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

void CpuSet::keep_rotated(unsigned n, unsigned start) {
  keep_in_rotation(reinterpret_cast<unsigned char*>(words_.data()), kBytes, n, start);
}

namespace {

// The caller's mask is a cpu_set_t (or CpuSet's words): native unsigned
// longs, CPU i at bit i % 64 of the 64-bit word i / 64 made of them (the ports
// cpu_set.hpp allows), and a length that need not be a whole number of words
// (a 32-bit port's masks are 4-byte longs). A whole word is moved with one
// fixed-size copy (a load); a short tail, on a little-endian port, byte by
// byte as the word's low bytes. A copy of variable length made every word a
// store to the stack and a reload of it, which cost sched_getaffinity about
// half of its system call's time. On a big-endian port (64-bit longs) a tail
// shorter than a long, which no mask size the kernel accepts leaves, is
// neither read nor written.
constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

uint64_t load_word(const unsigned char* at, size_t available) {
  uint64_t word = 0;
  if (available >= 8) {
    __builtin_memcpy(&word, at, 8);
    return word;
  }
  if constexpr (kLittleEndian)
    for (size_t i = 0; i < available; ++i) word |= uint64_t(at[i]) << (8 * i);
  return word;
}

void store_word(unsigned char* at, size_t available, uint64_t word) {
  if (available >= 8) {
    __builtin_memcpy(at, &word, 8);
    return;
  }
  if constexpr (kLittleEndian)
    for (size_t i = 0; i < available; ++i) at[i] = static_cast<unsigned char>(word >> (8 * i));
}

// The bits of the word starting at bit `base` that lie in [from, to) (to > base).
uint64_t range_in_word(size_t base, size_t from, size_t to) {
  uint64_t range = ~uint64_t(0);
  if (from > base) range &= ~uint64_t(0) << (from - base);
  if (to < base + 64) range &= (uint64_t(1) << (to - base)) - 1;
  return range;
}

// Clears bits [from, to) of the mask (`to` at most its size in bits): whole
// words at once (all their bytes zero, in any byte order), the partial words
// at either end through a mask.
void clear_between(unsigned char* bytes, size_t size, size_t from, size_t to) {
  while (from < to) {
    size_t at = from / 64 * 8, base = at * 8;
    if (from == base && to - base >= 64) {
      size_t whole_words = (to - base) / 64;
      __builtin_memset(bytes + at, 0, whole_words * 8);
      from = base + whole_words * 64;
      continue;
    }
    store_word(bytes + at, size - at, load_word(bytes + at, size - at) & ~range_in_word(base, from, to));
    from = base + 64;
  }
}

// Within bits [from, to) of the mask keeps the `keep` lowest set bits and
// clears the others; bits outside the range are untouched. Returns how many
// set bits it kept.
unsigned keep_lowest_between(unsigned char* bytes, size_t size, size_t from, size_t to, unsigned keep) {
  unsigned kept_total = 0;
  if (to > size * 8) to = size * 8;
  for (size_t at = (from / 64) * 8; at < size && at * 8 < to; at += 8) {
    if (keep == 0) {  // all kept: the rest of the range is cleared at once
      clear_between(bytes, size, from > at * 8 ? from : at * 8, to);
      break;
    }
    uint64_t word = load_word(bytes + at, size - at);
    if (word == 0) continue;  // most of a large mask: no CPU there
    uint64_t range = range_in_word(at * 8, from, to);
    uint64_t in = word & range;
    if (in == 0) continue;
    unsigned count = unsigned(__builtin_popcountll(in));
    if (count <= keep) {
      keep -= count;
      kept_total += count;
      continue;
    }
    uint64_t kept = 0;
    for (unsigned k = 0; k < keep; ++k) {
      kept |= in & (~in + 1);  // lowest set bit
      in &= in - 1;
    }
    kept_total += keep;
    keep = 0;
    word = (word & ~range) | kept;
    store_word(bytes + at, size - at, word);
  }
  return kept_total;
}

}  // namespace

void keep_in_rotation(unsigned char* bytes, size_t size, unsigned n, unsigned start) {
  if (n == 0) return;
  size_t bits = size * 8;
  if (start >= bits) start = 0;
  unsigned kept = keep_lowest_between(bytes, size, start, bits, n);
  keep_lowest_between(bytes, size, 0, start, n - kept);
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
