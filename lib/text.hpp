// Small text helpers for parsing kernel files and formatting output.
// Everything here works on caller-owned memory: no heap, no locale, no stdio,
// so it is safe inside the preloaded shim (docs/design.md, "Code that runs inside
// other people's programs").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace cgview {

// Strips spaces, tabs and newlines from both ends.
std::string_view trim(std::string_view s);

// Parses an unsigned decimal number that fills `s` exactly (after trim).
// Rejects signs, empty input, garbage and values that do not fit in 64 bits.
bool parse_u64(std::string_view s, uint64_t& out);

// As parse_u64, with an optional leading '-'.
bool parse_i64(std::string_view s, int64_t& out);

// Splits off the next whitespace-separated field of `s`; false when none left.
bool next_field(std::string_view& s, std::string_view& field);

// Eight bytes of text as a word whose lowest byte is the first in memory, on
// any port (byte-swapped on a big-endian one): the scans below find the first
// byte they look for as the lowest set bit.
inline uint64_t load_text_word(const char* at) {
  uint64_t word;
  __builtin_memcpy(&word, at, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  word = __builtin_bswap64(word);
#endif
  return word;
}

namespace text_detail {
// The bytes of `word` equal to `c` as 0x80, exact up to the first one (the
// subtraction's borrow can mark bytes after it, which callers never look at).
inline uint64_t equal_bytes(uint64_t word, char c) {
  constexpr uint64_t kOnes = 0x0101010101010101, kHighs = 0x8080808080808080;
  uint64_t x = word ^ (kOnes * uint8_t(c));  // bytes equal to c are now zero
  return (x - kOnes) & ~x & kHighs;
}
}  // namespace text_detail

// The first `a` or `b` in `s`, or s.size(). Inline, sixteen bytes at a time
// where SSE2 is (every x86-64), else eight: the lines of kernel files are some
// 30 bytes, too short for a call to memchr to pay for itself, and the shim
// splits a hundred of them per meminfo open.
inline size_t find_either(std::string_view s, char a, char b) {
  size_t i = 0;
#ifdef __SSE2__
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
  for (; i + 16 <= s.size(); i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    unsigned hits = unsigned(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb))));
    if (hits != 0) return i + size_t(__builtin_ctz(hits));
  }
#endif
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word = load_text_word(s.data() + i);
    uint64_t hits = text_detail::equal_bytes(word, a) | text_detail::equal_bytes(word, b);
    if (hits != 0) return i + size_t(__builtin_ctzll(hits)) / 8;
  }
  while (i < s.size() && s[i] != a && s[i] != b) ++i;
  return i;
}
inline size_t find_char(std::string_view s, char c) { return find_either(s, c, c); }

// One line of a "key<separator>rest" file, such as "MemFree:  1 kB" (':') or
// memory.stat's "file 1" (' ').
struct KeyedLine {
  std::string_view key;   // before the first separator (the whole line if none)
  std::string_view rest;  // after it, up to the newline
  bool separated = false;
  std::string_view line() const { return {key.data(), size_t(rest.data() + rest.size() - key.data())}; }
};

// Splits off the next line of `s` at its first `separator`, reading each byte
// once; false when `s` is empty.
// (Offsets are within `s` by construction: no substr and its range checks.)
inline bool next_keyed_line(std::string_view& s, char separator, KeyedLine& out) {
  if (s.empty()) return false;
  const char* at = s.data();
  size_t key_end = find_either(s, separator, '\n');
  out.key = std::string_view(at, key_end);
  out.separated = key_end < s.size() && at[key_end] == separator;
  size_t rest_begin = out.separated ? key_end + 1 : key_end;
  size_t line_end =
      out.separated ? rest_begin + find_char(std::string_view(at + rest_begin, s.size() - rest_begin), '\n') : key_end;
  out.rest = std::string_view(at + rest_begin, line_end - rest_begin);
  s.remove_prefix(line_end < s.size() ? line_end + 1 : line_end);
  return true;
}

// Splits off the text before the next '\n' (the last line needs no newline).
inline bool next_line(std::string_view& s, std::string_view& line) {
  if (s.empty()) return false;
  size_t nl = find_char(s, '\n');
  line = s.substr(0, nl);
  s.remove_prefix(nl < s.size() ? nl + 1 : nl);
  return true;
}

// A decimal with up to 6 fractional digits ("1.5", "2", "0.25") as a fraction
// num/1000000, so CPU quotas compare and round without floating point.
bool parse_decimal_micro(std::string_view s, uint64_t& micro);

// A size in bytes, or with a K/M/G/T suffix (powers of 1024; optionally
// followed by "B", "i" or "iB"), which may take a fraction: 1.5G.
bool parse_size(std::string_view s, uint64_t& bytes);

// Arithmetic that sticks at UINT64_MAX instead of wrapping: cgroup files
// hold whatever the kernel (or a broken sysroot) wrote.
constexpr uint64_t add_saturating(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }
constexpr uint64_t mul_saturating(uint64_t a, uint64_t b) {
  return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

// A fixed-size text buffer that formats without stdio. Appends past the end
// are dropped and remembered (overflowed()), never written out of bounds.
template <size_t N>
class FixedText {
 public:
  FixedText& add(std::string_view s) {
    size_t n = s.size() <= N - len_ ? s.size() : N - len_;
    __builtin_memcpy(buf_ + len_, s.data(), n);
    len_ += n;
    if (n < s.size()) overflow_ = true;
    return *this;
  }
  FixedText& add(char c) {
    if (len_ < N) buf_[len_++] = c;
    else overflow_ = true;
    return *this;
  }
  FixedText& add_u64(uint64_t v, size_t width = 0) {
    char digits[24];
    size_t n = 0;
    do {
      digits[n++] = char('0' + v % 10);
      v /= 10;
    } while (v != 0);
    for (size_t i = n; i < width; ++i) add(' ');
    while (n > 0) add(digits[--n]);
    return *this;
  }
  // Pads with spaces up to column `col` (no-op when already past it).
  FixedText& pad_to(size_t col) {
    while (len_ < col) add(' ');
    return *this;
  }
  std::string_view view() const { return {buf_, len_}; }
  const char* c_str() {  // NUL-terminates (dropping the last byte if full)
    if (len_ == N) { --len_; overflow_ = true; }
    buf_[len_] = '\0';
    return buf_;
  }
  size_t size() const { return len_; }
  bool overflowed() const { return overflow_; }
  void clear() { len_ = 0; overflow_ = false; }

 private:
  char buf_[N + 1];
  size_t len_ = 0;
  bool overflow_ = false;
};

}  // namespace cgview
