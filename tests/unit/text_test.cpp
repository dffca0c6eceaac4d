#include <gtest/gtest.h>

#include <string>

#include "text.hpp"

using namespace cgview;

namespace {

std::string_view with_nul(const char* s, size_t n) { return std::string_view(s, n); }

}  // namespace

TEST(Text, ParseU64) {
  uint64_t v = 0;
  EXPECT_TRUE(parse_u64("42\n", v));
  EXPECT_EQ(v, 42u);
  EXPECT_TRUE(parse_u64("18446744073709551615", v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_FALSE(parse_u64("18446744073709551616", v));
  EXPECT_FALSE(parse_u64("", v));
  EXPECT_FALSE(parse_u64("-1", v));
  EXPECT_FALSE(parse_u64("12ab", v));
  EXPECT_FALSE(parse_u64(std::string_view("1\0" "2", 3), v));
}

TEST(Text, ParseU64Whitespace) {
  uint64_t v = 7;
  EXPECT_TRUE(parse_u64("  123 \t\r\n", v));
  EXPECT_EQ(v, 123u);
  EXPECT_TRUE(parse_u64("0", v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(parse_u64("000017", v));
  EXPECT_EQ(v, 17u);
  v = 99;
  EXPECT_FALSE(parse_u64("1 2", v));
  EXPECT_FALSE(parse_u64(" ", v));
  EXPECT_FALSE(parse_u64("\n", v));
  EXPECT_EQ(v, 99u);  // untouched on failure
}

TEST(Text, ParseU64Malformed) {
  uint64_t v = 5;
  EXPECT_FALSE(parse_u64("+1", v));
  EXPECT_FALSE(parse_u64("0x10", v));
  EXPECT_FALSE(parse_u64("1e3", v));
  EXPECT_FALSE(parse_u64("1.0", v));
  EXPECT_FALSE(parse_u64("max", v));
  EXPECT_FALSE(parse_u64(with_nul("\0", 1), v));
  EXPECT_FALSE(parse_u64(with_nul("12\0", 3), v));
  EXPECT_FALSE(parse_u64(with_nul("\0" "12", 3), v));
  EXPECT_FALSE(parse_u64("99999999999999999999", v));  // 20 digits, > 2^64
  EXPECT_FALSE(parse_u64("36893488147419103232", v));  // 2^65
  EXPECT_FALSE(parse_u64(std::string(100000, '9'), v));
  EXPECT_EQ(v, 5u);
}

TEST(Text, ParseI64) {
  int64_t v = 0;
  EXPECT_TRUE(parse_i64("-1", v));
  EXPECT_EQ(v, -1);
  EXPECT_TRUE(parse_i64("-1\n", v));
  EXPECT_EQ(v, -1);
  EXPECT_TRUE(parse_i64("250000", v));
  EXPECT_EQ(v, 250000);
  EXPECT_TRUE(parse_i64(" -42 ", v));
  EXPECT_EQ(v, -42);
  EXPECT_TRUE(parse_i64("9223372036854775807", v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(parse_i64("-9223372036854775807", v));
  EXPECT_EQ(v, -INT64_MAX);
  EXPECT_TRUE(parse_i64("-0", v));
  EXPECT_EQ(v, 0);
}

TEST(Text, ParseI64Malformed) {
  int64_t v = 3;
  EXPECT_FALSE(parse_i64("", v));
  EXPECT_FALSE(parse_i64("-", v));
  EXPECT_FALSE(parse_i64("--1", v));
  EXPECT_FALSE(parse_i64("- 1", v));
  EXPECT_FALSE(parse_i64("-+1", v));
  EXPECT_FALSE(parse_i64("+1", v));
  EXPECT_FALSE(parse_i64("1-", v));
  EXPECT_FALSE(parse_i64("abc", v));
  EXPECT_FALSE(parse_i64(with_nul("-1\0", 3), v));
  EXPECT_FALSE(parse_i64("9223372036854775808", v));  // INT64_MAX + 1
  EXPECT_FALSE(parse_i64("18446744073709551615", v));
  EXPECT_FALSE(parse_i64("-18446744073709551616", v));
  EXPECT_FALSE(parse_i64("1 2", v));
  EXPECT_EQ(v, 3);
}

TEST(Text, Trim) {
  EXPECT_EQ(trim("  a b \n\t\r"), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \n "), "");
  EXPECT_EQ(trim("x"), "x");
}

TEST(Text, NextField) {
  std::string_view s = "  cpu  12\t34\n", f;
  ASSERT_TRUE(next_field(s, f));
  EXPECT_EQ(f, "cpu");
  ASSERT_TRUE(next_field(s, f));
  EXPECT_EQ(f, "12");
  ASSERT_TRUE(next_field(s, f));
  EXPECT_EQ(f, "34");
  EXPECT_FALSE(next_field(s, f));
  std::string_view empty = " \n ";
  EXPECT_FALSE(next_field(empty, f));
}

TEST(Text, NextLine) {
  std::string_view s = "a\n\nlast", line;
  ASSERT_TRUE(next_line(s, line));
  EXPECT_EQ(line, "a");
  ASSERT_TRUE(next_line(s, line));
  EXPECT_EQ(line, "");
  ASSERT_TRUE(next_line(s, line));
  EXPECT_EQ(line, "last");  // no trailing newline still counts
  EXPECT_FALSE(next_line(s, line));

  std::string_view t = "x\n";
  ASSERT_TRUE(next_line(t, line));
  EXPECT_EQ(line, "x");
  EXPECT_FALSE(next_line(t, line));  // no phantom empty line after the final '\n'
}

// find_either works in 16- and 8-byte blocks, then bytes: every position of
// the match, in every length of text, must give the first match, and text
// past the view's end must never be seen.
TEST(Text, FindEitherAtEveryPositionAndLength) {
  for (size_t size = 0; size <= 40; ++size) {
    for (size_t at = 0; at <= size; ++at) {
      std::string text(size, 'x');
      std::string backing = text + ":::::::::::::::::";  // matches just past the end
      if (at < size) backing[at] = ':';
      std::string_view view(backing.data(), size);
      EXPECT_EQ(find_either(view, ':', '\n'), at) << "size " << size << " at " << at;
      EXPECT_EQ(find_char(view, ':'), at) << "size " << size << " at " << at;
      if (at < size) {
        backing[at] = '\n';
        EXPECT_EQ(find_either(view, ':', '\n'), at);
        EXPECT_EQ(find_char(view, ':'), size) << "a newline is not a colon";
      }
    }
  }
}

TEST(Text, FindEitherGivesTheFirstOfSeveral) {
  // A match right after another byte equal to the pattern's borrow (0x01 below ':')
  // must not move the answer: only the lowest marked byte is exact.
  std::string_view s = "ab9:\x01::\n:";
  EXPECT_EQ(find_either(s, ':', '\n'), 3u);
  std::string_view high = "\xff\xba\x80:\x00";
  EXPECT_EQ(find_char(std::string_view(high.data(), 5), '\0'), 4u);
  EXPECT_EQ(find_char(high, ':'), 3u);
  std::string long_line(100, 'k');
  long_line[77] = '\n';
  long_line[90] = ':';
  EXPECT_EQ(find_either(long_line, ':', '\n'), 77u);
}

TEST(Text, NextKeyedLine) {
  std::string_view s = "MemTotal:  1 kB\nno separator\n\n:x\nkey:\nlast: 2";
  KeyedLine l;
  ASSERT_TRUE(next_keyed_line(s, ':', l));
  EXPECT_TRUE(l.separated);
  EXPECT_EQ(l.key, "MemTotal");
  EXPECT_EQ(l.rest, "  1 kB");
  EXPECT_EQ(l.line(), "MemTotal:  1 kB");
  ASSERT_TRUE(next_keyed_line(s, ':', l));
  EXPECT_FALSE(l.separated);
  EXPECT_EQ(l.key, "no separator");
  EXPECT_EQ(l.rest, "");
  EXPECT_EQ(l.line(), "no separator");
  ASSERT_TRUE(next_keyed_line(s, ':', l));
  EXPECT_FALSE(l.separated);
  EXPECT_EQ(l.line(), "");
  ASSERT_TRUE(next_keyed_line(s, ':', l));
  EXPECT_TRUE(l.separated);
  EXPECT_EQ(l.key, "");
  EXPECT_EQ(l.rest, "x");
  ASSERT_TRUE(next_keyed_line(s, ':', l));
  EXPECT_TRUE(l.separated);
  EXPECT_EQ(l.key, "key");
  EXPECT_EQ(l.rest, "");
  ASSERT_TRUE(next_keyed_line(s, ':', l));
  EXPECT_EQ(l.key, "last");
  EXPECT_EQ(l.rest, " 2");  // no trailing newline still counts
  EXPECT_FALSE(next_keyed_line(s, ':', l));

  std::string_view only_separator = "a b c\n";  // the first separator splits
  ASSERT_TRUE(next_keyed_line(only_separator, ' ', l));
  EXPECT_EQ(l.key, "a");
  EXPECT_EQ(l.rest, "b c");
  EXPECT_FALSE(next_keyed_line(only_separator, ' ', l));
}

TEST(Text, ParseDecimalMicro) {
  uint64_t m = 0;
  EXPECT_TRUE(parse_decimal_micro("1.5", m));
  EXPECT_EQ(m, 1500000u);
  EXPECT_TRUE(parse_decimal_micro("2", m));
  EXPECT_EQ(m, 2000000u);
  EXPECT_TRUE(parse_decimal_micro("0.25", m));
  EXPECT_EQ(m, 250000u);
  EXPECT_TRUE(parse_decimal_micro("0.000001", m));
  EXPECT_EQ(m, 1u);
  EXPECT_TRUE(parse_decimal_micro(".5", m));
  EXPECT_EQ(m, 500000u);
  EXPECT_TRUE(parse_decimal_micro("3.", m));
  EXPECT_EQ(m, 3000000u);
  EXPECT_TRUE(parse_decimal_micro(" 12346.67\n", m));  // a /proc/uptime field
  EXPECT_EQ(m, 12346670000u);
  EXPECT_TRUE(parse_decimal_micro("0", m));
  EXPECT_EQ(m, 0u);
}

TEST(Text, ParseDecimalMicroMalformed) {
  uint64_t m = 77;
  EXPECT_FALSE(parse_decimal_micro("", m));
  EXPECT_FALSE(parse_decimal_micro(".", m));
  EXPECT_FALSE(parse_decimal_micro("-1", m));
  EXPECT_FALSE(parse_decimal_micro("-0.5", m));
  EXPECT_FALSE(parse_decimal_micro("1.2.3", m));
  EXPECT_FALSE(parse_decimal_micro("1,5", m));
  EXPECT_FALSE(parse_decimal_micro("abc", m));
  EXPECT_FALSE(parse_decimal_micro("1.5x", m));
  EXPECT_FALSE(parse_decimal_micro("1.1234567", m));  // more than 6 fractional digits
  EXPECT_FALSE(parse_decimal_micro("1 .5", m));
  EXPECT_FALSE(parse_decimal_micro("1. 5", m));
  EXPECT_FALSE(parse_decimal_micro("1.-5", m));
  EXPECT_FALSE(parse_decimal_micro("1.+5", m));
  EXPECT_FALSE(parse_decimal_micro(with_nul("1\0.5", 4), m));
  EXPECT_FALSE(parse_decimal_micro("18446744073709551615", m));  // overflows in millionths
  EXPECT_FALSE(parse_decimal_micro("99999999999999999999.5", m));
  EXPECT_EQ(m, 77u);
}

TEST(Text, ParseSize) {
  uint64_t b = 0;
  EXPECT_TRUE(parse_size("1073741824", b));
  EXPECT_EQ(b, 1073741824u);
  EXPECT_TRUE(parse_size("512M", b));
  EXPECT_EQ(b, 536870912u);
  EXPECT_TRUE(parse_size("1G", b));
  EXPECT_EQ(b, 1073741824u);
  EXPECT_TRUE(parse_size("4k", b));
  EXPECT_EQ(b, 4096u);
  EXPECT_TRUE(parse_size("2T", b));
  EXPECT_EQ(b, 2199023255552u);
  EXPECT_TRUE(parse_size("1GiB", b));
  EXPECT_EQ(b, 1073741824u);
  EXPECT_TRUE(parse_size("3MB", b));
  EXPECT_EQ(b, 3145728u);
  EXPECT_TRUE(parse_size("100B", b));
  EXPECT_EQ(b, 100u);
  EXPECT_TRUE(parse_size(" 1g\n", b));
  EXPECT_EQ(b, 1073741824u);
  EXPECT_TRUE(parse_size("16777215T", b));  // the largest T that fits
  EXPECT_EQ(b, 18446742974197923840u);
  EXPECT_TRUE(parse_size("512Mi", b));  // Kubernetes' spelling
  EXPECT_EQ(b, 536870912u);
  EXPECT_TRUE(parse_size("2Gi", b));
  EXPECT_EQ(b, 2147483648u);
  EXPECT_TRUE(parse_size("1GIB", b));  // any case, as the README says
  EXPECT_EQ(b, 1073741824u);
  EXPECT_TRUE(parse_size("1gib", b));
  EXPECT_EQ(b, 1073741824u);
  EXPECT_TRUE(parse_size("1.5G", b));  // a fraction of a unit, as docker --memory takes
  EXPECT_EQ(b, 1610612736u);
  EXPECT_TRUE(parse_size("0.5Mi", b));
  EXPECT_EQ(b, 524288u);
  EXPECT_TRUE(parse_size(".25K", b));
  EXPECT_EQ(b, 256u);
  EXPECT_TRUE(parse_size("1.000001K", b));  // rounded down to the byte
  EXPECT_EQ(b, 1024u);
}

TEST(Text, ParseSizeMalformed) {
  uint64_t b = 11;
  EXPECT_FALSE(parse_size("", b));
  EXPECT_FALSE(parse_size("M", b));
  EXPECT_FALSE(parse_size("GiB", b));
  EXPECT_FALSE(parse_size("1.5", b));  // a fraction of a byte
  EXPECT_FALSE(parse_size("1.5 G", b));
  EXPECT_FALSE(parse_size("1..5G", b));
  EXPECT_FALSE(parse_size("1.1234567G", b));  // more than 6 decimals
  EXPECT_FALSE(parse_size("16777216T", b));  // past 2^64
  EXPECT_FALSE(parse_size("16777216.5T", b));
  EXPECT_FALSE(parse_size("5i", b));
  EXPECT_FALSE(parse_size("5I", b));
  EXPECT_FALSE(parse_size("1MiMi", b));
  EXPECT_FALSE(parse_size("-1G", b));
  EXPECT_FALSE(parse_size("512 M", b));
  EXPECT_FALSE(parse_size("1X", b));
  EXPECT_FALSE(parse_size("1GG", b));
  EXPECT_FALSE(parse_size("G1", b));
  EXPECT_FALSE(parse_size("lots", b));
  EXPECT_FALSE(parse_size("5iB", b));  // "iB" needs a unit letter (found by fuzz_numbers)
  EXPECT_FALSE(parse_size("0iB", b));
  uint64_t kib = 0;
  EXPECT_TRUE(parse_size("5KiB", kib));
  EXPECT_EQ(kib, 5120u);
  EXPECT_FALSE(parse_size(with_nul("1\0G", 3), b));
  EXPECT_FALSE(parse_size("16777216T", b));  // 2^64
  EXPECT_FALSE(parse_size("18446744073709551616", b));
  EXPECT_EQ(b, 11u);
}

TEST(Text, FixedText) {
  FixedText<8> t;
  t.add("ab").add('c').add_u64(42);
  EXPECT_EQ(t.view(), "abc42");
  EXPECT_FALSE(t.overflowed());
  t.add("12345");
  EXPECT_EQ(t.view(), "abc42123");
  EXPECT_TRUE(t.overflowed());
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.overflowed());
  t.add_u64(7, 4);
  EXPECT_EQ(t.view(), "   7");
  t.pad_to(6).add('x');
  EXPECT_EQ(t.view(), "   7  x");
  t.pad_to(2);  // already past: no-op
  EXPECT_EQ(t.view(), "   7  x");
  EXPECT_STREQ(t.c_str(), "   7  x");

  FixedText<32> big;
  big.add_u64(UINT64_MAX).add(' ').add_u64(0);
  EXPECT_EQ(big.view(), "18446744073709551615 0");
}
