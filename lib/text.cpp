#include "text.hpp"

namespace cgview {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool parse_u64(std::string_view s, uint64_t& out) {
  s = trim(s);
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    uint64_t d = uint64_t(c - '0');
    if (v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && d > UINT64_MAX % 10)) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

bool parse_i64(std::string_view s, int64_t& out) {
  s = trim(s);
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  if (!s.empty() && !is_digit(s.front())) return false;  // "- 1", "-+1"
  uint64_t magnitude = 0;
  if (!parse_u64(s, magnitude)) return false;
  if (magnitude > uint64_t(INT64_MAX)) return false;
  out = negative ? -int64_t(magnitude) : int64_t(magnitude);
  return true;
}

bool next_field(std::string_view& s, std::string_view& field) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  if (s.empty()) return false;
  size_t end = 0;
  while (end < s.size() && !is_space(s[end])) ++end;
  field = s.substr(0, end);
  s.remove_prefix(end);
  return true;
}

bool parse_decimal_micro(std::string_view s, uint64_t& micro) {
  s = trim(s);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  if (frac.size() > 6) return false;
  uint64_t w = 0;
  if (!whole.empty() && !parse_u64(whole, w)) return false;
  if (whole.size() != trim(whole).size()) return false;
  uint64_t f = 0;
  if (!frac.empty() && (!parse_u64(frac, f) || frac.size() != trim(frac).size())) return false;  // "1. 5"
  for (size_t i = frac.size(); i < 6; ++i) f *= 10;
  if (w > UINT64_MAX / 1000000 - 1) return false;
  micro = w * 1000000 + f;
  return true;
}

bool parse_size(std::string_view s, uint64_t& bytes) {
  s = trim(s);
  // Suffixes, all binary: K M G T, optionally followed by "B", "i" or "iB"
  // (512M, 512MB, 512Mi as Kubernetes writes it, 512MiB), each in any case;
  // a lone "B" is bytes.
  if (!s.empty() && (s.back() == 'B' || s.back() == 'b')) s.remove_suffix(1);
  bool binary_suffix = false;  // "Ki": the 'i' needs a unit letter before it
  if (!s.empty() && (s.back() == 'i' || s.back() == 'I')) {
    s.remove_suffix(1);
    binary_suffix = true;
  }
  unsigned shift = 0;
  if (!s.empty()) {
    switch (s.back()) {
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
      case 't': case 'T': shift = 40; break;
      default: break;
    }
    if (shift != 0) s.remove_suffix(1);
  }
  if (binary_suffix && shift == 0) return false;  // "5iB", "5i"
  if (s.size() != trim(s).size()) return false;    // "512 M"
  if (s.find('.') == std::string_view::npos) {
    uint64_t v = 0;
    if (!parse_u64(s, v)) return false;
    if (shift != 0 && v > (UINT64_MAX >> shift)) return false;
    bytes = v << shift;
    return true;
  }
  // A fraction of a unit (1.5G), to the byte rounded down; bytes have none.
  uint64_t micro = 0;
  if (shift == 0 || !parse_decimal_micro(s, micro)) return false;
  const uint64_t whole = micro / 1000000;
  if (whole > (UINT64_MAX >> shift)) return false;
  // The fraction's bytes, floor(fraction * 2^shift / 10^6), by binary long division
  // (no 128-bit integers on 32-bit targets): each step doubles the remainder.
  uint64_t remainder = micro % 1000000, fraction_bytes = 0;
  for (unsigned i = 0; i < shift; ++i) {
    remainder <<= 1;
    fraction_bytes <<= 1;
    if (remainder >= 1000000) {
      remainder -= 1000000;
      fraction_bytes |= 1;
    }
  }
  const uint64_t whole_bytes = whole << shift;
  if (fraction_bytes > UINT64_MAX - whole_bytes) return false;
  bytes = whole_bytes + fraction_bytes;
  return true;
}

}  // namespace cgview
