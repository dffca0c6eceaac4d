// Small text helpers for parsing kernel files and formatting output.
// Everything here works on caller-owned memory: no heap, no locale, no stdio,
// so it is safe inside the preloaded shim (DESIGN.md, "Code that runs inside
// other people's programs").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

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

// Splits off the text before the next '\n' (the last line needs no newline).
bool next_line(std::string_view& s, std::string_view& line);

// A decimal with up to 6 fractional digits ("1.5", "2", "0.25") as a fraction
// num/1000000, so CPU quotas compare and round without floating point.
bool parse_decimal_micro(std::string_view s, uint64_t& micro);

// A size in bytes, or with a K/M/G/T suffix (powers of 1024, optional "B"/"iB").
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
