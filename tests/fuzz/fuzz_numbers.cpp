// Fuzzes the number parsers: parse_u64, parse_i64, parse_decimal_micro
// (CGVIEW_CPUS), parse_size (CGVIEW_MEMORY), and cpus_for_quota, each against
// a plain reference implementation of the grammar its header documents.
//
// Input: the text to parse. Its first 16 bytes also form a quota/period pair.
//
// Deviations it found are fixed and checked strictly; -DCGVIEW_FUZZ_STRICT=0
// tolerates them again (each is marked FOUND below).
#include <cstring>

#include "fuzz_support.hpp"
#include "limits.hpp"

#ifndef CGVIEW_FUZZ_STRICT
#define CGVIEW_FUZZ_STRICT 1
#endif

using namespace cgview;

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) {
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// Digits only, non-empty, fits in 64 bits.
bool ref_digits(std::string_view s, uint64_t& out) {
  if (s.empty() || !all_digits(s)) return false;
  unsigned __int128 v = 0;
  for (char c : s) {
    v = v * 10 + unsigned(c - '0');
    if (v > UINT64_MAX) return false;
  }
  out = uint64_t(v);
  return true;
}

bool ref_u64(std::string_view s, uint64_t& out) { return ref_digits(trim(s), out); }

bool ref_i64(std::string_view s, int64_t& out) {
  s = trim(s);
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  uint64_t m = 0;
  if (!ref_digits(s, m) || m > uint64_t(INT64_MAX)) return false;
  out = negative ? -int64_t(m) : int64_t(m);
  return true;
}

// [digits][.digits], at least one digit, at most 6 after the point.
bool ref_decimal_micro(std::string_view s, uint64_t& micro) {
  s = trim(s);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  if (!all_digits(whole) || !all_digits(frac) || frac.size() > 6) return false;
  uint64_t w = 0, f = 0;
  if (!whole.empty() && !ref_digits(whole, w)) return false;
  if (!frac.empty() && !ref_digits(frac, f)) return false;
  for (size_t i = frac.size(); i < 6; ++i) f *= 10;
  if (w > UINT64_MAX / 1000000 - 1) return false;  // the library's (slightly conservative) bound
  micro = w * 1000000 + f;
  return true;
}

// digits [K|M|G|T] [B|i|iB], case-insensitive letters, "i" only after a
// unit; with a unit the number may have a fraction of up to 6 digits (1.5G),
// the bytes rounded down.
bool ref_size(std::string_view s, uint64_t& bytes) {
  s = trim(s);
  size_t n = 0;
  while (n < s.size() && (is_digit(s[n]) || s[n] == '.')) ++n;
  std::string_view number = s.substr(0, n), suffix = s.substr(n);
  unsigned shift = 0;
  if (!suffix.empty()) {
    switch (suffix.front()) {
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
      case 't': case 'T': shift = 40; break;
      default: break;
    }
    if (shift != 0) suffix.remove_prefix(1);
  }
  const bool binary = suffix == "i" || suffix == "I" || suffix == "iB" || suffix == "ib" || suffix == "IB" ||
                      suffix == "Ib";
  bool suffix_ok = suffix.empty() || suffix == "B" || suffix == "b" || ((shift != 0 || !CGVIEW_FUZZ_STRICT) && binary);
  // FOUND (fixed): parse_size accepted "iB" without a unit letter ("5iB" = 5 bytes).
  if (!suffix_ok) return false;
  if (number.find('.') == std::string_view::npos) {
    uint64_t v = 0;
    if (!ref_digits(number, v)) return false;
    if (shift != 0 && v > (UINT64_MAX >> shift)) return false;
    bytes = v << shift;
    return true;
  }
  uint64_t micro = 0;
  if (shift == 0 || !ref_decimal_micro(number, micro)) return false;
  unsigned __int128 value = ((unsigned __int128)micro << shift) / 1000000;
  if (value > UINT64_MAX) return false;
  bytes = uint64_t(value);
  return true;
}

template <typename T, typename Lib, typename Ref>
void compare(std::string_view s, Lib lib, Ref ref) {
  T a = T(12345), b = T(12345);
  bool ok_lib = lib(s, a), ok_ref = ref(s, b);
  if (ok_lib != ok_ref) {
    std::fprintf(stderr, "parsers disagree on \"%.*s\": library %s, reference %s\n", int(s.size()), s.data(),
                 ok_lib ? "accepts" : "rejects", ok_ref ? "accepts" : "rejects");
  }
  FUZZ_CHECK(ok_lib == ok_ref);
  if (ok_lib) FUZZ_CHECK(a == b);
  else FUZZ_CHECK(a == T(12345));  // output untouched on failure
}

void check_quota(uint64_t quota, uint64_t period, unsigned available) {
  Quota q{quota, period};
  unsigned c = cpus_for_quota(q, Rounding::Ceil, available);
  unsigned f = cpus_for_quota(q, Rounding::Floor, available);
  unsigned r = cpus_for_quota(q, Rounding::Round, available);
  for (unsigned n : {c, f, r}) FUZZ_CHECK(n >= 1 && n <= available);
  FUZZ_CHECK(f <= r && r <= c);
  if (period == 0) {
    FUZZ_CHECK(c == available && f == available && r == available);
    return;
  }
  auto clamp = [&](unsigned __int128 n) -> unsigned {
    if (n < 1) n = 1;
    if (n > available) n = available;
    return unsigned(n);
  };
  unsigned __int128 fl = quota / period;
  unsigned __int128 ce = fl + (quota % period != 0);
  // Round half up: fraction >= 1/2 rounds up.
  unsigned __int128 ro = fl + ((unsigned __int128)(quota % period) * 2 >= period);
  FUZZ_CHECK(f == clamp(fl));
  FUZZ_CHECK(c == clamp(ce));
  FUZZ_CHECK(r == clamp(ro));
  // less_than is a strict order consistent with the exact fractions.
  Quota other{period, quota == 0 ? 1 : quota};
  FUZZ_CHECK(!(q.less_than(other) && other.less_than(q)));
  FUZZ_CHECK(!q.less_than(q));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s = fuzz::as_text(data, size);
  compare<uint64_t>(s, parse_u64, ref_u64);
  compare<int64_t>(s, parse_i64, ref_i64);
  compare<uint64_t>(s, parse_decimal_micro, ref_decimal_micro);
  compare<uint64_t>(s, parse_size, ref_size);

  // The environment setters reject zero CPUs and 10^13 or more, and less than 1M of memory, on top of the parsers.
  std::string z(s);
  Config config;
  uint64_t micro = 0, bytes = 0;
  std::string_view c_text(z.c_str());  // what a C string of the input holds
  bool cpus_ok = set_cpus_override(config, z.c_str());
  FUZZ_CHECK(cpus_ok == (parse_decimal_micro(c_text, micro) && micro > 0 && micro < kCpusOverrideMicroBound));
  if (cpus_ok) FUZZ_CHECK(config.has_cpus_override && config.cpus_override_micro == micro);
  bool mem_ok = set_memory_override(config, z.c_str());
  FUZZ_CHECK(mem_ok == (parse_size(c_text, bytes) && bytes >= kMinMemoryOverride));
  if (mem_ok) FUZZ_CHECK(config.has_memory_override && config.memory_override == bytes);

  uint64_t words[2] = {0, 0};
  std::memcpy(words, data, size < sizeof words ? size : sizeof words);
  unsigned available = size > 16 ? data[16] | (unsigned(size > 17 ? data[17] : 0) << 8) : 4;
  check_quota(words[0], words[1], available % kMaxCpus + 1);  // compute_cpu never asks with 0
  return 0;
}
